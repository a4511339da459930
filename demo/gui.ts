/**
 * The app, as `npm start` runs it (the Electron window where the binary is
 * installed, else browser mode), but as the admin's own account: only the lab
 * runs as root. setpriv changes uid, gid and supplementary groups before the
 * app's first instruction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DemoUser } from './preflight';

export interface Gui {
  kind: 'window' | 'browser';
  /** Browser mode's URL (with its token). */
  url?: string;
  /** Resolves with the exit code when the app ends by itself or is stopped. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const URL_LINE = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/;

/** The Electron binary the electron package names (path.txt), if it was downloaded. */
export function electronBinary(root: string): string | null {
  try {
    const dir = path.join(root, 'node_modules', 'electron');
    const binary = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** The environment the app gets: the user's own, the demo's DRYDOCK_HOME, the practice services' (AWS files), the display, and test recorders if set. */
function userEnv(user: DemoUser, home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...extra,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    LANG: process.env.LANG ?? 'C.UTF-8',
    DRYDOCK_HOME: home,
  };
  // sudo drops XDG_RUNTIME_DIR; a Wayland session's socket lives in the user's own.
  if (fs.existsSync(`/run/user/${user.uid}`)) env.XDG_RUNTIME_DIR = `/run/user/${user.uid}`;
  for (const name of ['TERM', 'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'NODE_OPTIONS', 'DRYDOCK_RECORD_CONNECTIONS']) {
    if (process.env[name]) env[name] = process.env[name];
  }
  return env;
}

function asUser(user: DemoUser, command: string, args: string[]): string[] {
  // pdeathsig: if the demo is killed outright, the app goes with it.
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--pdeathsig', 'TERM', '--', command, ...args];
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function startGui(root: string, user: DemoUser, home: string, log: (line: string) => void, extraEnv: Record<string, string> = {}): Promise<Gui> {
  const env = userEnv(user, home, extraEnv);
  const binary = electronBinary(root);
  if (binary) {
    const child = spawn('setpriv', asUser(user, binary, [root]), { cwd: root, env, stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { kind: 'window', exited, stop: () => stopChild(child, exited) };
  }
  const cli = path.join(root, 'dist', 'electron', 'cli.js');
  const child = spawn('setpriv', asUser(user, process.execPath, [cli, 'serve', '--port', '0']), {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`drydock serve printed no URL within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = URL_LINE.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`drydock serve exited (${code}) before printing its URL:\n${output}`));
    });
  });
  // After the URL, pass on what serve says (errors) without its own "open that address" line.
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() && !/Open that address/.test(line)) log(`  [drydock serve] ${line}`);
  });
  return { kind: 'browser', url, exited, stop: () => stopChild(child, exited) };
}
