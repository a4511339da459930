/**
 * Reading and replacing one file on a host as root, whoever we log in as.
 * Content travels base64-encoded or over SFTP, never through a shell word,
 * so no byte of a config file can be mistaken for shell syntax.
 *
 * Drydock only ever reads, writes and restores regular files. A target that
 * is a symbolic link (or a directory, a FIFO...) is refused: following a link
 * as root writes wherever the link points, and a mode read from a link is
 * 0777. Every script re-checks the type on the host, right before it acts.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { DrydockError } from '../../../shared/errors';
import type { HostSession } from '../ssh/session';
import { quote, sh } from '../ssh/quote';

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

/** Exit status of the type guard below, so the refusal is told apart from other failures. */
const NOT_REGULAR = 86;

/** A target Drydock will not touch: a link, a directory, a device. */
export class NotARegularFileError extends DrydockError {
  constructor(host: string, file: string, what: string) {
    super(
      'CONFLICT',
      `${host}:${file} is ${what}. Drydock writes only regular files, never through a link: replace it with the file itself (or point the setting at the real file), then plan again. Nothing was written.`,
      { host, path: file, reason: 'not-a-regular-file' },
    );
  }
}

/** Shell that stops (exit 86, saying why on stdout) unless `file` is absent or a regular file. */
export function regularFileGuard(file: string): string {
  const f = quote(file);
  return [
    `if [ -L ${f} ]; then printf 'NOTREGULAR a symbolic link to %s\\n' "$(readlink -- ${f})"; exit ${NOT_REGULAR}; fi`,
    `if [ -e ${f} ] && [ ! -f ${f} ]; then printf 'NOTREGULAR %s\\n' "$(stat -c %F -- ${f})"; exit ${NOT_REGULAR}; fi`,
  ].join('\n');
}

/** Run a script that starts with regularFileGuard(file); its refusal becomes NotARegularFileError. */
async function guarded(session: HostSession, file: string, script: string): Promise<string> {
  const result = await session.sudo(script);
  if (result.code === NOT_REGULAR) {
    const what = result.stdout.split('\n').find((l) => l.startsWith('NOTREGULAR '))?.slice('NOTREGULAR '.length) ?? 'not a regular file';
    throw new NotARegularFileError(session.host.name, file, what.startsWith('a ') ? what : `a ${what}`);
  }
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: could not handle ${file} (exit ${result.code})${said ? `: ${said}` : ''}`, { host: session.host.name, path: file });
  }
  return result.stdout;
}

/**
 * Content and ownership of a regular file (as root); a link or other non-file
 * is refused. `followLinks` is for reading only (certbot's live/ files are
 * links by design): the mode and owner are then the link target's (`stat -L`),
 * and such a state must never be written or restored from.
 */
export async function readRemoteFile(session: HostSession, file: string, options: { followLinks?: boolean } = {}): Promise<RemoteFileState> {
  const script = options.followLinks
    ? sh`if [ -e ${file} ]; then stat -L -c '%a %u %g' -- ${file} && base64 < ${file}; else echo ABSENT; fi`
    : // `stat` without -L, on what the guard proved is a regular file (or nothing).
      [regularFileGuard(file), sh`if [ -e ${file} ]; then stat -c '%a %u %g' -- ${file} && base64 < ${file}; else echo ABSENT; fi`].join('\n');
  const out = await guarded(session, file, script);
  if (out.trim() === 'ABSENT') return { exists: false, content: null, sha256: null };
  const [statLine, ...b64] = out.split('\n');
  const [mode, uid, gid] = statLine.trim().split(' ');
  const bytes = Buffer.from(b64.join(''), 'base64');
  // The hash is of the bytes themselves: a file that is not UTF-8 must not
  // look unchanged (or restored) because its decoded text happens to match.
  return { exists: true, content: bytes.toString('utf8'), sha256: sha256(bytes), mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid) };
}

/**
 * A private folder for uploads (`mktemp -d`, 0700, the login user's), named
 * after the run so a later run can tell a killed run's leftovers from its
 * own. Root uploads straight beside the target and needs none.
 */
export async function makeStaging(session: HostSession, runTag: string): Promise<string | null> {
  if (session.isRoot) return null;
  const tag = runTag.replace(/[^A-Za-z0-9-]/g, '-');
  return (await session.check(sh`umask 077 && mktemp -d ${`/tmp/drydock-staging.${tag}.XXXXXXXX`}`)).trim();
}

export async function removeStaging(session: HostSession, staging: string | null): Promise<void> {
  if (staging) await session.run(sh`rm -rf -- ${staging}`).catch(() => undefined);
}

/**
 * Remove the staging folders (and the per-file uploads of older Drydocks)
 * that the login user left in /tmp and `isStale` says belong to runs no
 * longer going: they may hold a proxy password, and a killed run could not
 * remove them itself. Returns what was removed.
 */
export async function removeStaleStaging(session: HostSession, isStale: (tag: string | null, ageSeconds: number) => boolean): Promise<string[]> {
  if (session.isRoot) return [];
  const out = await session.check(
    `now=$(date +%s); find /tmp -maxdepth 1 -user "$(id -u)" \\( \\( -type d -name 'drydock-staging.*' \\) -o \\( -type f -name '.drydock-upload-*' \\) \\) -printf '%T@ %p\\n' 2>/dev/null | while read -r t p; do echo "$((now - \${t%.*})) $p"; done; true`,
  );
  const stale = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [age, p] = [Number(line.slice(0, line.indexOf(' '))), line.slice(line.indexOf(' ') + 1)];
      const m = /^\/tmp\/drydock-staging\.([A-Za-z0-9-]+)\.[A-Za-z0-9]+$/.exec(p);
      return { p, tag: m ? m[1] : null, age, legacy: /^\/tmp\/\.drydock-upload-[0-9a-f]+$/.test(p) };
    })
    .filter((e) => (e.tag !== null || e.legacy) && isStale(e.tag, e.age))
    .map((e) => e.p);
  if (stale.length) await session.check(`rm -rf -- ${stale.map(quote).join(' ')}`);
  return stale;
}

/** Parent folders of `file` that do not exist yet (outermost first): the ones a write would create. */
export async function missingParents(session: HostSession, file: string): Promise<string[]> {
  const dirs: string[] = [];
  for (let d = path.posix.dirname(file); d !== '/' && d !== '.'; d = path.posix.dirname(d)) dirs.unshift(d);
  if (!dirs.length) return [];
  const out = await session.check(dirs.map((d) => sh`[ -e ${d} ] || [ -L ${d} ] || echo ${d}`).join('\n'), { asRoot: true });
  return out.split('\n').filter(Boolean);
}

/**
 * Replace a file atomically: the new bytes go to a temp file in the same
 * directory, get the old file's mode and owner (or `mode`, root-owned, for a
 * new file), are fsynced, then renamed over the target. An interrupted write
 * leaves the old file or the new one, never a mix. A target that turned into
 * a link is refused on the host, right before the rename.
 */
export async function writeRemoteFileAtomic(session: HostSession, file: string, content: string, mode = 0o644, staging: string | null = null): Promise<void> {
  const dir = path.posix.dirname(file);
  const rand = randomBytes(6).toString('hex');
  const tmp = path.posix.join(dir, `.${path.posix.basename(file)}.drydock-${rand}`);
  // Root uploads straight into the target directory; anyone else uploads
  // into a private staging folder, from which root copies it beside the target.
  const ownStaging = !session.isRoot && !staging ? await makeStaging(session, 'write') : null;
  const stagingDir = staging ?? ownStaging;
  const staged = session.isRoot ? tmp : path.posix.join(stagingDir!, `upload-${rand}`);
  try {
    if (session.isRoot) await session.check(sh`mkdir -p ${dir}`);
    await session.writeFile(staged, content, 0o600);
    const script = [
      'set -e',
      regularFileGuard(file),
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
      await guarded(session, file, script);
    } catch (err) {
      // The staged copy belongs to the login user: remove it as that user, in
      // case sudo itself is what failed (it may hold a private key).
      if (!session.isRoot) await session.run(sh`rm -f ${staged}`).catch(() => undefined);
      await session.sudo(sh`rm -f ${tmp}`).catch(() => undefined);
      throw err;
    }
  } finally {
    await removeStaging(session, ownStaging);
  }
}

/**
 * Put a backup copy back over a file, on the host, byte for byte: copied
 * beside the target, given the recorded mode and owner while still a temp
 * file (never through a path that could have become a link), fsynced,
 * renamed over the target (a link there is replaced, not followed).
 */
export async function restoreRemoteFile(session: HostSession, backup: string, file: string, owner: { mode: number; uid: number; gid: number }): Promise<void> {
  const dir = path.posix.dirname(file);
  const tmp = path.posix.join(dir, `.${path.posix.basename(file)}.drydock-${randomBytes(6).toString('hex')}`);
  const script = [
    'set -e',
    regularFileGuard(backup),
    sh`mkdir -p ${dir}`,
    sh`cp ${backup} ${tmp}`,
    sh`chown ${owner.uid}:${owner.gid} ${tmp}`,
    sh`chmod ${(owner.mode & 0o7777).toString(8)} ${tmp}`,
    sh`sync ${tmp} 2>/dev/null || sync`,
    sh`mv -Tf ${tmp} ${file}`,
    sh`sync ${dir} 2>/dev/null || true`,
  ].join('\n');
  try {
    await guarded(session, backup, script);
  } catch (err) {
    await session.sudo(sh`rm -f ${tmp}`).catch(() => undefined);
    throw err;
  }
}

/** Remove a file, or a link planted in its place (rm never follows one). */
export async function removeRemoteFile(session: HostSession, file: string): Promise<void> {
  await session.check(sh`if [ -d ${file} ] && [ ! -L ${file} ]; then echo "${file} is a directory" >&2; exit 1; fi; rm -f -- ${file}`, { asRoot: true });
}

/** Remove folders (innermost first) if they are real, empty folders; anything else stays. */
export async function removeEmptyDirs(session: HostSession, dirs: string[]): Promise<string[]> {
  if (!dirs.length) return [];
  const ordered = [...dirs].sort((a, b) => b.length - a.length);
  const out = await session.check(ordered.map((d) => sh`if [ -d ${d} ] && [ ! -L ${d} ] && rmdir -- ${d} 2>/dev/null; then echo ${d}; fi`).join('\n'), { asRoot: true });
  return out.split('\n').filter(Boolean);
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
