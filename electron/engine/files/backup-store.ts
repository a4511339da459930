/**
 * Where backups live on a host: /var/backups/drydock/<set>/, next to the
 * set's manifest. Root restores from here, so nobody but root may shape it:
 * the root folder and every set folder must be real folders (not links),
 * owned by root, mode 0700. They are created with `mkdir -m 0700` (never
 * `mkdir -p` then `chmod`, which leaves a window) and checked on the host, in
 * the same script, before every use. A folder that fails the check is
 * refused, never repaired: someone made it, and the admin should know who.
 */
import { DrydockError } from '../../../shared/errors';
import type { HostSession } from '../ssh/session';
import { quote, sh } from '../ssh/quote';
import { sha256, writeRemoteFileAtomic } from './remote-file';

export const BACKUP_ROOT = '/var/backups/drydock';
const UNTRUSTED = 87;

export interface ManifestFile {
  path: string;
  existed: boolean;
  sha256Before: string | null;
  sha256After: string | null;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Name of the copy inside the set's folder. */
  backup?: string;
}

export interface BackupManifest {
  set: string;
  label: string;
  host: string;
  createdAt: string;
  state: 'prepared' | 'applied' | 'rolled-back';
  files: ManifestFile[];
  /** Folders the apply created for new files: a rollback removes them when empty. */
  dirs?: string[];
}

/** A set name as newSetName makes it: nothing that could climb out of the store. */
export function assertSetName(set: string): void {
  if (!/^[0-9]{8}T[0-9]+Z-[0-9a-f]{6}-[A-Za-z0-9-]+$/.test(set)) throw new DrydockError('INVALID_INPUT', `"${set}" is not a Drydock backup-set name`);
}

/**
 * Shell that proves the store (and a set folder) can be trusted, creating
 * them when `create`. With `create` false, a missing store prints NOSTORE and
 * ends the script successfully: there is nothing to read.
 */
export function storeGuard(set: string | null, create: boolean): string {
  const check = (dir: string, mode: string) =>
    [
      `t=$(stat -c '%F:%u:%a' -- ${quote(dir)} 2>/dev/null) || { echo "UNTRUSTED|${dir}|missing"; exit ${UNTRUSTED}; }`,
      `case "$t" in ${mode}) ;; *) echo "UNTRUSTED|${dir}|$t|$(readlink -- ${quote(dir)} 2>/dev/null)"; exit ${UNTRUSTED};; esac`,
    ].join('\n');
  const lines = [
    // /var/backups itself: a real folder of root's that only root can write to.
    `if [ ! -e /var/backups ] && [ ! -L /var/backups ]; then ${create ? 'mkdir -m 0755 /var/backups' : 'echo NOSTORE; exit 0'}; fi`,
    check('/var/backups', "'directory:0:'[0-7][0145][0145]|'directory:0:'[0-7][0-7][0145][0145]"),
    `if [ ! -e ${BACKUP_ROOT} ] && [ ! -L ${BACKUP_ROOT} ]; then ${create ? `mkdir -m 0700 ${BACKUP_ROOT}` : 'echo NOSTORE; exit 0'}; fi`,
    check(BACKUP_ROOT, "'directory:0:700'"),
  ];
  if (set) {
    assertSetName(set);
    const dir = `${BACKUP_ROOT}/${set}`;
    lines.push(`if [ ! -e ${quote(dir)} ] && [ ! -L ${quote(dir)} ]; then ${create ? sh`mkdir -m 0700 ${dir}` : 'echo NOSET; exit 0'}; fi`, check(dir, "'directory:0:700'"));
  }
  return lines.join('\n');
}

/** Run a script behind storeGuard as root; a failed check becomes a clear refusal. */
export async function inStore(session: HostSession, set: string | null, create: boolean, script: string): Promise<string> {
  const result = await session.sudo(`${storeGuard(set, create)}\n${script}`);
  if (result.code === UNTRUSTED) {
    const [, dir, ...what] = (result.stdout.split('\n').find((l) => l.startsWith('UNTRUSTED|')) ?? 'UNTRUSTED|?|?').split('|');
    throw new DrydockError(
      'CONFLICT',
      `${session.host.name}: ${dir} is not a folder only root can use (${describe(what)}). Drydock keeps and restores backups only from a real folder owned by root with mode 0700; find out who made it, move it aside, then try again. Nothing was written or restored.`,
      { host: session.host.name, path: dir, reason: 'untrusted-backup-store' },
    );
  }
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: backup store ${BACKUP_ROOT}: exit ${result.code}${said ? `: ${said}` : ''}`, { host: session.host.name });
  }
  return result.stdout;
}

function describe(what: string[]): string {
  if (what[0] === 'missing') return 'it vanished';
  const [type, uid, mode] = (what[0] ?? '').split(':');
  if (type === 'symbolic link') return `a symbolic link${what[1] ? ` to ${what[1]}` : ''}`;
  const parts = [type && type !== 'directory' ? `a ${type}` : '', uid && uid !== '0' ? `owned by uid ${uid}` : '', mode ? `mode ${mode}` : ''].filter(Boolean);
  return parts.join(', ') || what.join(' ');
}

/** One set's manifest, or null (no such set, or interrupted before its manifest was written). */
export async function readManifest(session: HostSession, set: string): Promise<BackupManifest | null> {
  const out = await inStore(session, set, false, sh`f=${`${BACKUP_ROOT}/${set}/manifest.json`}; if [ -f "$f" ] && [ ! -L "$f" ]; then base64 -w0 < "$f"; echo; else echo ABSENT; fi`);
  const line = out.trim();
  if (line === 'NOSTORE' || line === 'NOSET' || line === 'ABSENT' || !line) return null;
  return parseManifest(session, Buffer.from(line, 'base64').toString('utf8'));
}

function parseManifest(session: HostSession, text: string): BackupManifest {
  try {
    return JSON.parse(text) as BackupManifest;
  } catch {
    throw new DrydockError('CONFLICT', `${session.host.name}: a manifest in ${BACKUP_ROOT} is not valid JSON; it was not used`);
  }
}

export async function writeManifest(session: HostSession, manifest: BackupManifest, staging: string | null = null): Promise<void> {
  await inStore(session, manifest.set, true, 'true');
  await writeRemoteFileAtomic(session, `${BACKUP_ROOT}/${manifest.set}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n', 0o600, staging);
}

/** Copy a file into its set (created if need be), keeping its mode and owner; a link is never followed. */
export async function copyIntoSet(session: HostSession, set: string, file: string, backup: string): Promise<void> {
  await inStore(
    session,
    set,
    true,
    [
      sh`if [ -L ${file} ] || [ ! -f ${file} ]; then echo "${file} is not a regular file" >&2; exit 1; fi`,
      sh`cp -p -- ${file} ${`${BACKUP_ROOT}/${set}/${backup}`}`,
    ].join('\n'),
  );
}

/** Backup sets on the host, newest first: every manifest in one round trip. */
export async function listSets(session: HostSession): Promise<BackupManifest[]> {
  const out = await inStore(
    session,
    null,
    false,
    `cd ${BACKUP_ROOT} || exit 1
for d in $(ls -1 | sort -r); do
  [ -d "$d" ] && [ ! -L "$d" ] && [ "$(stat -c '%u:%a' -- "$d")" = "0:700" ] || continue
  [ -f "$d/manifest.json" ] && [ ! -L "$d/manifest.json" ] && base64 -w0 < "$d/manifest.json" && echo
done; true`,
  );
  return out
    .split('\n')
    .filter((l) => l && l !== 'NOSTORE')
    .map((line) => parseManifest(session, Buffer.from(line, 'base64').toString('utf8')))
    .filter((m) => {
      try {
        assertSetName(m.set);
        return m.host === session.host.name || !m.host;
      } catch {
        return false;
      }
    });
}

/** Hash of a backup copy inside its set (null: missing). */
export async function backupHash(session: HostSession, set: string, backup: string): Promise<string | null> {
  const out = await inStore(session, set, false, sh`f=${`${BACKUP_ROOT}/${set}/${backup}`}; if [ -f "$f" ] && [ ! -L "$f" ]; then base64 -w0 < "$f"; echo; else echo ABSENT; fi`);
  const line = out.trim();
  return line === 'ABSENT' || line === 'NOSET' || line === 'NOSTORE' ? null : sha256(Buffer.from(line, 'base64'));
}
