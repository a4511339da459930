/**
 * Reading and replacing one file on a host as root, whoever we log in as.
 * Content travels base64-encoded or over SFTP, never through a shell word,
 * so no byte of a config file can be mistaken for shell syntax.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { DrydockError } from '../../../shared/errors';
import type { HostSession } from '../ssh/session';
import { sh } from '../ssh/quote';

export interface RemoteFileState {
  exists: boolean;
  content: string | null;
  sha256: string | null;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Hash of a file's bytes (strings hash as UTF-8, the way they are written). */
export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content and ownership of a file (as root). */
export async function readRemoteFile(session: HostSession, file: string): Promise<RemoteFileState> {
  const out = await session.check(sh`if [ -e ${file} ]; then stat -c '%a %u %g' ${file} && base64 < ${file}; else echo ABSENT; fi`, { asRoot: true });
  if (out.trim() === 'ABSENT') return { exists: false, content: null, sha256: null };
  const [statLine, ...b64] = out.split('\n');
  const [mode, uid, gid] = statLine.trim().split(' ');
  const bytes = Buffer.from(b64.join(''), 'base64');
  // The hash is of the bytes themselves: a file that is not UTF-8 must not
  // look unchanged (or restored) because its decoded text happens to match.
  return { exists: true, content: bytes.toString('utf8'), sha256: sha256(bytes), mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid) };
}

/**
 * Replace a file atomically: the new bytes go to a temp file in the same
 * directory, get the old file's mode and owner (or `mode`, root-owned, for a
 * new file), are fsynced, then renamed over the target. An interrupted write
 * leaves the old file or the new one, never a mix.
 */
export async function writeRemoteFileAtomic(session: HostSession, file: string, content: string, mode = 0o644): Promise<void> {
  const dir = path.posix.dirname(file);
  const rand = randomBytes(6).toString('hex');
  const tmp = path.posix.join(dir, `.${path.posix.basename(file)}.drydock-${rand}`);
  // Root uploads straight into the target directory; anyone else stages in
  // their own temp file, which root then copies next to the target.
  const staged = session.isRoot ? tmp : `/tmp/.drydock-upload-${rand}`;
  if (session.isRoot) await session.check(sh`mkdir -p ${dir}`);
  await session.writeFile(staged, content, 0o600);
  const script = [
    'set -e',
    sh`mkdir -p ${dir}`,
    session.isRoot ? '' : sh`cp ${staged} ${tmp} && rm -f ${staged}`,
    sh`if [ -e ${file} ]; then chmod --reference=${file} ${tmp}; chown --reference=${file} ${tmp}; else chmod ${mode.toString(8)} ${tmp}; chown 0:0 ${tmp}; fi`,
    sh`sync ${tmp} 2>/dev/null || sync`,
    sh`mv -f ${tmp} ${file}`,
    sh`sync ${dir} 2>/dev/null || true`,
  ]
    .filter(Boolean)
    .join('\n');
  try {
    await session.check(script, { asRoot: true });
  } catch (err) {
    // The staged copy belongs to the login user: remove it as that user, in
    // case sudo itself is what failed (it may hold a private key).
    if (!session.isRoot) await session.run(sh`rm -f ${staged}`).catch(() => undefined);
    await session.sudo(sh`rm -f ${tmp}`).catch(() => undefined);
    throw err;
  }
}

/**
 * Put a backup copy back over a file, on the host, byte for byte: copied
 * next to the target with its mode and owner (`cp -p`), fsynced, renamed.
 */
export async function restoreRemoteFile(session: HostSession, backup: string, file: string): Promise<void> {
  const dir = path.posix.dirname(file);
  const tmp = path.posix.join(dir, `.${path.posix.basename(file)}.drydock-${randomBytes(6).toString('hex')}`);
  const script = ['set -e', sh`mkdir -p ${dir}`, sh`cp -p ${backup} ${tmp}`, sh`sync ${tmp} 2>/dev/null || sync`, sh`mv -f ${tmp} ${file}`, sh`sync ${dir} 2>/dev/null || true`].join('\n');
  try {
    await session.check(script, { asRoot: true });
  } catch (err) {
    await session.sudo(sh`rm -f ${tmp}`).catch(() => undefined);
    throw err;
  }
}

export async function removeRemoteFile(session: HostSession, file: string): Promise<void> {
  await session.check(sh`rm -f ${file}`, { asRoot: true });
}

/** Read back and compare: the only proof a write landed. */
export async function assertRemoteContent(session: HostSession, file: string, expected: string | null): Promise<void> {
  const now = await readRemoteFile(session, file);
  const ok = expected === null ? !now.exists : now.sha256 === sha256(expected);
  if (!ok) {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}:${file} does not hold what was written (read back ${now.exists ? now.sha256?.slice(0, 12) : 'nothing'})`, {
      host: session.host.name,
      path: file,
    });
  }
}
