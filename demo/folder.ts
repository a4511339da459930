/**
 * The demo's folder (default .demo in the checkout; --dir): lab/ the hosts
 * and services/ the practice services' state (both root only), home/ the DRYDOCK_HOME and files/ the key and CA bundles (both
 * the user's), tmp/ every temporary file of the run, kept.json when a --keep
 * run left the installation for the next one. Nothing else is ever deleted:
 * a folder that is not a demo folder is refused.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mountsUnder } from '../test/lab/lab';
import { DemoExit, type DemoUser } from './preflight';

const MARKER = '.drydock-demo';
const PARTS = ['lab', 'services', 'home', 'files', 'tmp', 'kept.json'];

export interface DemoFolder {
  dir: string;
  lab: string;
  /** The practice services' state (the EC2 simulator's world). */
  services: string;
  home: string;
  files: string;
  tmp: string;
  /** A kept installation is continued (hosts, keys, DRYDOCK_HOME as they were). */
  continued: boolean;
  keptAt?: string;
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Deletes one of the demo's parts; a user-owned tree is emptied as that user (root never walks a folder the user can change). */
function removePart(p: string): void {
  const st = lstat(p);
  if (!st) return;
  const mounted = mountsUnder(p);
  if (mounted.length) throw new DemoExit(1, `drydock demo: ${p} is still mounted (${mounted.join(', ')}); not deleting it`);
  if (st.isDirectory() && st.uid !== 0) {
    spawnSync('setpriv', [`--reuid=${st.uid}`, `--regid=${st.gid}`, '--clear-groups', '--', 'find', p, '-mindepth', '1', '-delete'], { stdio: 'ignore' });
    fs.rmdirSync(p);
    return;
  }
  fs.rmSync(p, { recursive: true, force: true });
}

export function removeInstallation(dir: string): void {
  for (const part of PARTS) removePart(path.join(dir, part));
}

/** Makes the folder ready; continues a kept installation unless reset. */
export function prepareFolder(dirOption: string, reset: boolean): DemoFolder {
  const dir = path.resolve(dirOption);
  const st = lstat(dir);
  if (st) {
    if (!st.isDirectory()) throw new DemoExit(2, `drydock demo: ${dir} is not a folder`);
    const entries = fs.readdirSync(dir);
    if (entries.length && !entries.includes(MARKER)) {
      throw new DemoExit(2, `drydock demo: ${dir} is not empty and not a demo folder; name another with --dir`);
    }
  }
  const kept = lstat(path.join(dir, 'kept.json'));
  const continued = !reset && !!kept && !!lstat(path.join(dir, 'lab', 'hosts')) && !!lstat(path.join(dir, 'home', 'hosts.json'));
  let keptAt: string | undefined;
  if (continued) keptAt = (JSON.parse(fs.readFileSync(path.join(dir, 'kept.json'), 'utf8')) as { keptAt?: string }).keptAt;
  if (st) {
    if (continued) {
      removePart(path.join(dir, 'tmp'));
      removePart(path.join(dir, 'kept.json'));
    } else removeInstallation(dir); // --reset, or what a killed run left
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(dir, MARKER), 'Drydock practice installation (sudo npm run demo); `npm run demo -- --reset` starts it from scratch.\n');
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp, { mode: 0o700 });
  return { dir, lab: path.join(dir, 'lab'), services: path.join(dir, 'services'), home: path.join(dir, 'home'), files: path.join(dir, 'files'), tmp, continued, keptAt };
}

/** Hands the user's parts to the user (also a kept installation continued by another account). */
export function giveToUser(folder: DemoFolder, user: DemoUser): void {
  for (const p of [folder.home, folder.files]) {
    fs.mkdirSync(p, { recursive: true, mode: 0o700 });
    const r = spawnSync('chown', ['-R', '--no-dereference', `${user.uid}:${user.gid}`, p], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chown ${p}: ${r.stderr}`);
    fs.chmodSync(p, 0o700);
  }
}

/** At the end of a run: keep the installation for the next run, or remove all of it. */
export function finishFolder(folder: DemoFolder, keep: boolean): void {
  removePart(folder.tmp);
  if (keep) {
    fs.writeFileSync(path.join(folder.dir, 'kept.json'), JSON.stringify({ keptAt: new Date().toISOString() }) + '\n');
    return;
  }
  removeInstallation(folder.dir);
  fs.rmSync(path.join(folder.dir, MARKER), { force: true });
  try {
    fs.rmdirSync(folder.dir);
  } catch {
    /* something else of the user's is in there */
  }
}
