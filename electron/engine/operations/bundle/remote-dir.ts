/**
 * Where the offline bundle lands on a host (default /var/lib/drydock/bundle).
 * Root installs from these files, so nobody but root may shape the folder:
 * every folder above it must be a real folder (not a link) of root's that no
 * one else can write to, and the folder itself (and /var/lib/drydock when it is
 * ours) a real folder owned by root, mode 0700. Missing folders are created
 * with `mkdir -m 0700` one level at a time (never `mkdir -p` then `chmod`,
 * which leaves a window). `stat` without -L never follows a link: a link shows
 * as "symbolic link" and is refused. Checked in the same script, before every
 * use; a folder that fails is refused, never repaired (someone made it).
 */
import { DEFAULT_BUNDLE_DIR } from '../../../../shared/channels/bundle';
import { DrydockError } from '../../../../shared/errors';
import { quote } from '../../ssh/quote';

export { DEFAULT_BUNDLE_DIR };
/** Exit code of the guard when a folder cannot be trusted; its stdout says which and why. */
export const UNTRUSTED = 87;

/** An absolute, plain path: no `.`/`..`, no doubled or trailing slash, nothing a shell or a reader could misread. */
export function assertBundleDir(dir: string): void {
  if (!/^(\/[A-Za-z0-9._+-]+)+$/.test(dir) || dir.split('/').some((part) => part === '.' || part === '..')) {
    throw new DrydockError('INVALID_INPUT', `"${dir}" is not a plain absolute folder on the host (letters, digits, . _ + - between slashes; no .. ; e.g. ${DEFAULT_BUNDLE_DIR})`);
  }
  if (dir.split('/').length < 3) throw new DrydockError('INVALID_INPUT', `${dir}: choose a folder at least two levels deep (e.g. ${DEFAULT_BUNDLE_DIR}), not a top-level system folder`);
}

/** A file name the bundle may carry: what the admin's file is called, without anything that climbs or hides. */
export function assertFileName(name: string): void {
  if (!/^[A-Za-z0-9_+-][A-Za-z0-9._+~-]*$/.test(name) || name.endsWith('.part') || name.length > 200) {
    throw new DrydockError('INVALID_INPUT', `"${name}": a bundle file's name may hold letters, digits and . _ + - ~ (not starting with a dot, not ending in .part)`);
  }
}

/**
 * Shell (POSIX sh, run as root) that proves `dir` can be trusted, creating
 * what is missing. Prints `UNTRUSTED|path|type:uid:mode|link target` and
 * exits UNTRUSTED when a folder fails.
 */
export function dirGuard(dir: string): string {
  assertBundleDir(dir);
  const parts = dir.split('/').slice(1);
  const lines: string[] = [];
  let path = '';
  parts.forEach((part, i) => {
    path += `/${part}`;
    const last = i === parts.length - 1;
    // Ours (created by Drydock, or the bundle folder itself): exactly root's 0700.
    const ours = last || path === '/var/lib/drydock';
    const allowed = ours ? "'directory:0:700'" : "'directory:0:'[0-7][0145][0145]|'directory:0:'[0-7][0-7][0145][0145]";
    const q = quote(path);
    lines.push(
      `if [ ! -e ${q} ] && [ ! -L ${q} ]; then mkdir -m 0700 -- ${q} || exit 1; fi`,
      `t=$(stat -c '%F:%u:%a' -- ${q} 2>/dev/null) || { echo "UNTRUSTED|${path}|missing"; exit ${UNTRUSTED}; }`,
      `case "$t" in ${allowed}) ;; *) echo "UNTRUSTED|${path}|$t|$(readlink -- ${q} 2>/dev/null)"; exit ${UNTRUSTED};; esac`,
    );
  });
  return lines.join('\n');
}

/** The admin's sentence for a guard's UNTRUSTED line. */
export function untrustedMessage(host: string, stdout: string): DrydockError {
  const line = stdout.split('\n').find((l) => l.startsWith('UNTRUSTED|')) ?? 'UNTRUSTED|?|?';
  const [, path, what = '', target = ''] = line.split('|');
  let why: string;
  if (what === 'missing') why = 'it vanished while being checked';
  else {
    const [type, uid, mode] = what.split(':');
    why =
      type === 'symbolic link'
        ? `a symbolic link${target ? ` to ${target}` : ''}`
        : [type && type !== 'directory' ? `a ${type}` : '', uid && uid !== '0' ? `owned by uid ${uid}` : '', mode ? `mode ${mode}` : ''].filter(Boolean).join(', ');
  }
  return new DrydockError(
    'CONFLICT',
    `${host}: ${path} is not a folder only root can use (${why}). Drydock sends the bundle only into a real folder owned by root with mode 0700, below folders only root can write to; find out who made it, move it aside, then try again. Nothing was sent.`,
    { host, path, reason: 'untrusted-bundle-dir' },
  );
}
