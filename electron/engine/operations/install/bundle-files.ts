/**
 * The offline bundle's files as the install operations use them: a file on
 * the laptop (license, .airgap bundle, installer, Docker .debs, the nomad
 * binary) counts as on the host when the host's bundle folder holds a
 * regular, root-owned file of that name with the same SHA-256 (hashed on the
 * host with sha256sum). Otherwise `pushIfMissing` sends it with the offline
 * bundle push.
 *
 * The bundle folder is trusted only as a real folder owned by root, mode
 * 0700, inside a root-owned /var/lib/drydock: root installs from it, so
 * nobody else may have shaped what is in it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { DrydockError } from '../../../../shared/errors';
import { quote } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';
import type { EngineServices } from '../operation';
import { ensureOnHost } from '../bundle/push';
import type { SendOptions } from '../bundle/send';

export const BUNDLE_DIR = '/var/lib/drydock/bundle';

/** What the laptop has: path, name on the host, hash. */
export interface LocalFile {
  local: string;
  name: string;
  bytes: number;
  sha256: string;
}

const cache = new Map<string, LocalFile>();

/** SHA-256 of a laptop file, streamed; remembered while its size and mtime stay the same (plan, then run). */
export async function hashLocal(local: string, signal?: AbortSignal): Promise<LocalFile> {
  let st;
  try {
    st = statSync(local);
  } catch {
    throw new DrydockError('INVALID_INPUT', `${local}: no such file on this computer`, { fields: [{ path: ['file'], message: `${local}: no such file` }] });
  }
  if (!st.isFile()) throw new DrydockError('INVALID_INPUT', `${local} is not a file`);
  const key = `${path.resolve(local)}\0${st.size}\0${st.mtimeMs}`;
  const known = cache.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(local, { signal });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', resolve);
  });
  const file = { local: path.resolve(local), name: path.basename(local), bytes: st.size, sha256: hash.digest('hex') };
  cache.set(key, file);
  return file;
}

const UNTRUSTED = 88;

/** Shell that stops (exit 88, saying why) unless the bundle folder can be trusted. */
function dirGuard(): string {
  return [
    `for d in /var/lib/drydock ${BUNDLE_DIR}; do`,
    `  t=$(stat -c '%F:%u:%a' -- "$d" 2>/dev/null) || { echo "NODIR $d"; exit 0; }`,
    '  case "$d:$t" in',
    `    /var/lib/drydock:directory:0:[0-7][0145][0145]|/var/lib/drydock:directory:0:[0-7][0-7][0145][0145]) ;;`,
    `    ${BUNDLE_DIR}:directory:0:700) ;;`,
    `    *) echo "UNTRUSTED $d $t"; exit ${UNTRUSTED};;`,
    '  esac',
    'done',
  ].join('\n');
}

export interface HostFile {
  name: string;
  remote: string;
  /** null: absent. */
  sha256: string | null;
  bytes: number;
}

/**
 * The named files in the host's bundle folder (root only), hashed there.
 * An untrusted folder or a file that is a link or not root's is refused.
 */
export async function hostBundleFiles(session: HostSession, names: string[], signal?: AbortSignal): Promise<HostFile[]> {
  if (!names.length) return [];
  for (const n of names) if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(n)) throw new DrydockError('INVALID_INPUT', `"${n}" is not a file name the bundle folder can hold`);
  const script = [
    dirGuard(),
    // Names are checked above: only characters quote() leaves bare, so they read the same inside "…".
    ...names.map((n) => `f=${quote(`${BUNDLE_DIR}/${n}`)}; if [ -L "$f" ]; then echo "LINK ${n}"; elif [ ! -e "$f" ]; then echo "ABSENT ${n}"; elif [ ! -f "$f" ] || [ "$(stat -c %u -- "$f")" != 0 ]; then echo "FOREIGN ${n}"; else echo "FILE ${n} $(stat -c %s -- "$f") $(sha256sum -- "$f" | cut -c1-64)"; fi`),
  ].join('\n');
  const r = await session.sudo(script, { signal, timeoutMs: 60 * 60_000 });
  if (r.code === UNTRUSTED) {
    const why = r.stdout.split('\n').find((l) => l.startsWith('UNTRUSTED')) ?? '';
    throw new DrydockError('CONFLICT', `${session.host.name}: ${why.split(' ')[1]} is not a folder only root can use (${why.split(' ').slice(2).join(' ')}). Drydock installs only from a real folder owned by root, mode 0700; find out who made it, then move it aside. Nothing was installed.`, { host: session.host.name, reason: 'untrusted-bundle-dir' });
  }
  if (r.code !== 0) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: could not read ${BUNDLE_DIR} (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}`, { host: session.host.name });
  if (/^NODIR /m.test(r.stdout)) return names.map((name) => ({ name, remote: `${BUNDLE_DIR}/${name}`, sha256: null, bytes: 0 }));
  return names.map((name) => {
    const line = r.stdout.split('\n').find((l) => l.split(' ')[1] === name) ?? '';
    const [kind, , size, hash] = line.split(' ');
    if (kind === 'LINK' || kind === 'FOREIGN') {
      throw new DrydockError('CONFLICT', `${session.host.name}: ${BUNDLE_DIR}/${name} is ${kind === 'LINK' ? 'a symbolic link' : 'not a regular file owned by root'}; Drydock will not install from it. Remove it, then push the file again.`, { host: session.host.name, path: `${BUNDLE_DIR}/${name}` });
    }
    return { name, remote: `${BUNDLE_DIR}/${name}`, sha256: kind === 'FILE' ? hash : null, bytes: Number(size ?? 0) };
  });
}

/** Files of the host's bundle folder whose names match a shell pattern (`*.deb`), for a run given no laptop copy. */
export async function listBundleFolder(session: HostSession, pattern: string, signal?: AbortSignal): Promise<string[]> {
  const out = await session.check(`${dirGuard()}\ncd ${BUNDLE_DIR} 2>/dev/null || exit 0\nfor f in ${pattern}; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done; true`, { asRoot: true, signal });
  return out.split('\n').filter((l) => l && !l.startsWith('NODIR'));
}

/**
 * Send `file` to the host's bundle folder unless it is already there with the
 * same hash: the offline bundle push (resumable, hashed while it streams on
 * both ends). The bytes that land must be the ones the plan hashed: a laptop
 * file changed since the plan is a conflict, not a new plan.
 */
export async function pushIfMissing(
  services: EngineServices,
  session: HostSession,
  file: LocalFile,
  options: { signal?: AbortSignal; onUpdate?: SendOptions['onUpdate'] } = {},
): Promise<HostFile> {
  const sent = await ensureOnHost(services, session.host.name, file.local, BUNDLE_DIR, options);
  if (sent.sha256 !== file.sha256) {
    throw new DrydockError('CONFLICT', `${file.local} changed on this computer since the plan (SHA-256 ${file.sha256.slice(0, 12)}… then, ${sent.sha256.slice(0, 12)}… now). Review the plan again.`, { host: session.host.name, file: file.local });
  }
  return { name: file.name, remote: sent.remotePath, sha256: sent.sha256, bytes: file.bytes };
}
