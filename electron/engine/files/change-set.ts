/**
 * The remote file-change engine: plan (read current, render new, diff),
 * apply (back up, write atomically, verify) and roll back, per host.
 *
 * Backups live on the host itself, in the root-only store of backup-store.ts,
 * next to a manifest naming every file, whether it existed, its mode, owner
 * and hashes. The manifest is written before the first file changes, so a
 * rollback knows what to restore even after an interrupted apply; the
 * operation keeps its own copy of the manifest (paths and hashes) in its
 * runbook on the laptop, so a rollback can tell a manifest planted on the
 * host from its own.
 */
import { createTwoFilesPatch } from 'diff';
import { DrydockError } from '../../../shared/errors';
import type { HostSession } from '../ssh/session';
import { randomBytes } from 'node:crypto';
import { BACKUP_ROOT, backupHash, copyIntoSet, listSets, readManifest, writeManifest, type BackupManifest, type ManifestFile } from './backup-store';
import { assertRemoteContent, missingParents, readRemoteFile, removeEmptyDirs, removeRemoteFile, restoreRemoteFile, sha256, writeRemoteFileAtomic } from './remote-file';

export { BACKUP_ROOT, listSets, readManifest, type BackupManifest, type ManifestFile } from './backup-store';

export interface PlannedFile {
  host: string;
  path: string;
  before: string | null;
  /** null removes the file. */
  after: string | null;
  /** For files that do not exist yet; existing files keep theirs. */
  mode: number;
  /** Hash of the bytes read when planning (null: absent), to notice a change since. */
  beforeSha256: string | null;
  changed: boolean;
  diff: string;
}

/** The laptop's own record of a backup set: what the manifest on the host must still say. */
export interface SetRecord {
  set: string;
  label: string;
  host: string;
  createdAt: string;
  files: Omit<ManifestFile, 'backup'>[];
  dirs: string[];
}

export function recordOf(m: BackupManifest): SetRecord {
  return { set: m.set, label: m.label, host: m.host, createdAt: m.createdAt, files: m.files.map(({ backup: _b, ...f }) => f), dirs: m.dirs ?? [] };
}

export function unifiedDiff(file: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  return createTwoFilesPatch(before === null ? '/dev/null' : `a${file}`, after === null ? '/dev/null' : `b${file}`, before ?? '', after ?? '', '', '', { context: 3 });
}

/** Read a file and work out what it should become. Writes nothing; a symlinked target is refused here. */
export async function planFile(session: HostSession, file: string, render: (current: string | null) => string | null, mode = 0o644): Promise<PlannedFile> {
  const { content, sha256: beforeSha256 } = await readRemoteFile(session, file);
  const after = render(content);
  const changed = after === null ? content !== null : beforeSha256 !== sha256(after);
  return { host: session.host.name, path: file, before: content, after, mode, beforeSha256, changed, diff: unifiedDiff(file, content, after) };
}

/** A new backup-set name: sortable by time, unique. */
export function newSetName(label: string): string {
  // Milliseconds and a random tail: two applies in one second get two sets.
  const time = new Date().toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  return `${time}-${randomBytes(3).toString('hex')}-${label.replace(/[^a-z0-9-]/gi, '-')}`;
}

function backupName(file: string): string {
  return file.replace(/^\/+/, '').replace(/\//g, '__');
}

export interface ApplyOptions {
  /** The run's private upload folder (makeStaging), for a non-root login. */
  staging?: string | null;
  /** Called with the manifest before each write of it to the host: the laptop records it first. */
  onManifest?: (manifest: BackupManifest) => void;
}

/**
 * Apply planned changes on one host under backup set `set`. Re-entrant: an
 * interrupted apply called again with the same set keeps the first backups
 * (the true originals) and writes only the files not yet in their new state.
 * A file is written only when it still holds what the plan saw
 * (`beforeSha256`): anything else is a conflict and nothing is written to it.
 */
export async function applyFiles(session: HostSession, files: PlannedFile[], set: string, label: string, options: ApplyOptions = {}): Promise<BackupManifest> {
  let manifest = await readManifest(session, set);
  manifest ??= { set, label, host: session.host.name, createdAt: new Date().toISOString(), state: 'prepared', files: [], dirs: [] };
  const save = async () => {
    options.onManifest?.(structuredClone(manifest!));
    await writeManifest(session, manifest!, options.staging ?? null);
  };
  // Back up every file not yet in the set, before the first write; a file
  // already in the set keeps its first backup (the true original).
  let grew = false;
  // Hashes read just now, so the write loop need not read those files again.
  const justRead = new Map<string, string | null>();
  for (const f of files) {
    const known = manifest.files.find((m) => m.path === f.path);
    if (known) {
      // An interrupted apply finished by a later one (other settings): the set now leads to these bytes.
      const target = f.after === null ? null : sha256(f.after);
      if (known.sha256After !== target) {
        known.sha256After = target;
        grew = true;
      }
      continue;
    }
    const current = await readRemoteFile(session, f.path);
    justRead.set(f.path, current.sha256);
    const target = f.after === null ? null : sha256(f.after);
    if (current.sha256 !== target && current.sha256 !== f.beforeSha256) {
      throw new DrydockError('CONFLICT', `${session.host.name}:${f.path} changed since the plan was made; nothing was written to it. Plan again and review the new diff.`, {
        host: session.host.name,
        path: f.path,
      });
    }
    const entry: ManifestFile = {
      path: f.path,
      existed: current.exists,
      sha256Before: current.sha256,
      sha256After: target,
      ...(current.exists ? { mode: current.mode, uid: current.uid, gid: current.gid, backup: backupName(f.path) } : {}),
    };
    if (current.exists) await copyIntoSet(session, set, f.path, entry.backup!);
    else if (f.after !== null) {
      const created = await missingParents(session, f.path);
      manifest.dirs = [...new Set([...(manifest.dirs ?? []), ...created])];
    }
    manifest.files.push(entry);
    grew = true;
  }
  if (grew) await save();

  for (const f of files) {
    const now = justRead.has(f.path) ? justRead.get(f.path) : (await readRemoteFile(session, f.path)).sha256;
    const target = f.after === null ? null : sha256(f.after);
    if (now === target) continue;
    const entry = manifest.files.find((m) => m.path === f.path)!;
    if (now !== entry.sha256Before || now !== f.beforeSha256) {
      throw new DrydockError('CONFLICT', `${session.host.name}:${f.path} was changed by someone else since the plan was reviewed; it was left as it is. Roll back or plan again.`, {
        host: session.host.name,
        path: f.path,
      });
    }
    if (f.after === null) await removeRemoteFile(session, f.path);
    else await writeRemoteFileAtomic(session, f.path, f.after, f.mode, options.staging ?? null);
  }
  for (const f of files) await assertRemoteContent(session, f.path, f.after);
  manifest.state = 'applied';
  await save();
  return manifest;
}

/** Why a manifest on the host cannot be trusted against the laptop's record (null: it agrees). */
export function manifestDisagreement(m: BackupManifest, record: SetRecord): string | null {
  const key = (f: Omit<ManifestFile, 'backup'>) => JSON.stringify([f.path, f.existed, f.sha256Before, f.sha256After, f.mode ?? null, f.uid ?? null, f.gid ?? null]);
  const theirs = new Map(m.files.map((f) => [f.path, key(f)]));
  const ours = new Map(record.files.map((f) => [f.path, key(f)]));
  for (const path of theirs.keys()) if (!ours.has(path)) return `it names ${path}, which this laptop's record of the set does not`;
  for (const [path, k] of ours) {
    if (!theirs.has(path)) return `it no longer names ${path}`;
    if (theirs.get(path) !== k) return `its hashes, mode or owner for ${path} differ from this laptop's record`;
  }
  if ([...(m.dirs ?? [])].sort().join() !== [...record.dirs].sort().join()) return 'its list of created folders differs from this laptop\'s record';
  return null;
}

export interface RollbackTrust {
  /** The only paths this operation ever writes (a list, or a test for names it generates): a manifest naming any other is refused. */
  allowed: readonly string[] | ((path: string) => boolean);
  /** The laptop's record of the set; null when this laptop did not make it. */
  record: SetRecord | null;
  /** The admin saw the manifest's paths and hashes and agreed (needed when record is null). */
  acceptUnrecorded: boolean;
}

/** Checks a manifest against the operation's file list and the laptop's record; throws on any doubt. */
export function assertTrustedManifest(session: HostSession, m: BackupManifest, trust: RollbackTrust): void {
  const where = `${session.host.name}: backup set ${m.set}`;
  const allowed = (p: string) => p.startsWith('/') && !p.split('/').includes('..') && (typeof trust.allowed === 'function' ? trust.allowed(p) : trust.allowed.includes(p));
  const foreign = m.files.filter((f) => !allowed(f.path)).map((f) => f.path);
  if (foreign.length) throw new DrydockError('CONFLICT', `${where} names ${foreign.join(', ')}, which this operation never writes. Nothing was restored: someone may have tampered with ${BACKUP_ROOT}.`, { host: session.host.name, set: m.set, reason: 'foreign-path' });
  const badDir = (m.dirs ?? []).filter((d) => !m.files.some((f) => f.path.startsWith(`${d}/`)));
  if (badDir.length) throw new DrydockError('CONFLICT', `${where} would remove folders ${badDir.join(', ')}, which this operation never creates. Nothing was restored.`, { host: session.host.name, set: m.set, reason: 'foreign-path' });
  if (trust.record) {
    const why = manifestDisagreement(m, trust.record);
    if (why) throw new DrydockError('CONFLICT', `${where}: the manifest on the host disagrees with this laptop's record (${why}). Nothing was restored: someone may have tampered with ${BACKUP_ROOT}.`, { host: session.host.name, set: m.set, reason: 'manifest-mismatch' });
  } else if (!trust.acceptUnrecorded) {
    throw new DrydockError('CONFLICT', `${where} was not made from this laptop: review its paths and hashes in the rollback plan and confirm before it is restored. Nothing was restored.`, { host: session.host.name, set: m.set, reason: 'unrecorded-set' });
  }
}

/**
 * Put every file of a set back exactly as it was: same bytes, mode and owner,
 * and files that did not exist are removed, with the folders the apply
 * created when they are empty again. Defaults to the newest set that has not
 * been rolled back, optionally only sets with a given label. With `trust`,
 * the manifest is checked first (assertTrustedManifest).
 */
export async function rollbackFiles(session: HostSession, options: { set?: string; label?: string; trust?: RollbackTrust } = {}): Promise<BackupManifest> {
  const manifest = options.set
    ? await readManifest(session, options.set)
    : (await listSets(session)).find((m) => m.state !== 'rolled-back' && (!options.label || m.label === options.label)) ?? null;
  if (!manifest) throw new DrydockError('NOT_FOUND', `${session.host.name}: no backup set to roll back${options.label ? ` for ${options.label}` : ''}`);
  if (options.trust) assertTrustedManifest(session, manifest, options.trust);
  const dir = `${BACKUP_ROOT}/${manifest.set}`;
  for (const f of manifest.files) {
    if (!f.existed) {
      await removeRemoteFile(session, f.path);
      continue;
    }
    if ((await backupHash(session, manifest.set, f.backup!)) !== f.sha256Before) {
      throw new DrydockError('COMMAND_FAILED', `${session.host.name}: the backup of ${f.path} in ${dir} is missing or altered; nothing more was restored`);
    }
    // Restored on the host from the backup's own bytes, mode and owner set before the rename.
    await restoreRemoteFile(session, `${dir}/${f.backup}`, f.path, { mode: f.mode ?? 0o644, uid: f.uid ?? 0, gid: f.gid ?? 0 });
    if ((await readRemoteFile(session, f.path)).sha256 !== f.sha256Before) {
      throw new DrydockError('COMMAND_FAILED', `${session.host.name}:${f.path} does not match its backup after the restore`);
    }
  }
  await removeEmptyDirs(session, manifest.dirs ?? []);
  manifest.state = 'rolled-back';
  await writeManifest(session, manifest);
  return manifest;
}
