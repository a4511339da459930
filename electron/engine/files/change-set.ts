/**
 * The remote file-change engine: plan (read current, render new, diff),
 * apply (back up, write atomically, verify) and roll back, per host.
 *
 * Backups live on the host itself, under /var/backups/drydock/<set>/, next to
 * a manifest naming every file, whether it existed, its mode, owner and
 * hashes. The manifest is written before the first file changes, so a
 * rollback knows what to restore even after an interrupted apply.
 */
import { createTwoFilesPatch } from 'diff';
import { DrydockError } from '../../../shared/errors';
import type { HostSession } from '../ssh/session';
import { sh } from '../ssh/quote';
import { randomBytes } from 'node:crypto';
import { assertRemoteContent, readRemoteFile, removeRemoteFile, restoreRemoteFile, sha256, writeRemoteFileAtomic } from './remote-file';

export const BACKUP_ROOT = '/var/backups/drydock';

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
}

export function unifiedDiff(file: string, before: string | null, after: string | null): string {
  if (before === after) return '';
  return createTwoFilesPatch(before === null ? '/dev/null' : `a${file}`, after === null ? '/dev/null' : `b${file}`, before ?? '', after ?? '', '', '', { context: 3 });
}

/** Read a file and work out what it should become. Writes nothing. */
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

/** One set's manifest, or null (no such set, or interrupted before its manifest was written). */
export async function readManifest(session: HostSession, set: string): Promise<BackupManifest | null> {
  const { content } = await readRemoteFile(session, `${BACKUP_ROOT}/${set}/manifest.json`);
  return content ? (JSON.parse(content) as BackupManifest) : null;
}

async function writeManifest(session: HostSession, manifest: BackupManifest): Promise<void> {
  await writeRemoteFileAtomic(session, `${BACKUP_ROOT}/${manifest.set}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n', 0o600);
}

/**
 * Apply planned changes on one host under backup set `set`. Re-entrant: an
 * interrupted apply called again with the same set keeps the first backups
 * (the true originals) and writes only the files not yet in their new state.
 */
export async function applyFiles(session: HostSession, files: PlannedFile[], set: string, label: string): Promise<BackupManifest> {
  const dir = `${BACKUP_ROOT}/${set}`;
  let manifest = await readManifest(session, set);
  if (!manifest) {
    await session.check(sh`mkdir -p ${dir} && chmod 700 ${BACKUP_ROOT} ${dir}`, { asRoot: true });
    manifest = { set, label, host: session.host.name, createdAt: new Date().toISOString(), state: 'prepared', files: [] };
  }
  // Back up every file not yet in the set, before the first write; a file
  // already in the set keeps its first backup (the true original).
  let grew = false;
  // Hashes read just now, so the write loop need not read those files again.
  const justRead = new Map<string, string | null>();
  for (const f of files) {
    if (manifest.files.some((m) => m.path === f.path)) continue;
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
    if (current.exists) await session.check(sh`cp -p ${f.path} ${dir}/${entry.backup!}`, { asRoot: true });
    manifest.files.push(entry);
    grew = true;
  }
  if (grew) await writeManifest(session, manifest);

  for (const f of files) {
    const now = justRead.has(f.path) ? justRead.get(f.path) : (await readRemoteFile(session, f.path)).sha256;
    const target = f.after === null ? null : sha256(f.after);
    if (now === target) continue;
    const entry = manifest.files.find((m) => m.path === f.path)!;
    if (now !== entry.sha256Before) {
      throw new DrydockError('CONFLICT', `${session.host.name}:${f.path} was changed by someone else during the apply; it was left as it is. Roll back or plan again.`, {
        host: session.host.name,
        path: f.path,
      });
    }
    if (f.after === null) await removeRemoteFile(session, f.path);
    else await writeRemoteFileAtomic(session, f.path, f.after, f.mode);
  }
  for (const f of files) await assertRemoteContent(session, f.path, f.after);
  manifest.state = 'applied';
  await writeManifest(session, manifest);
  return manifest;
}

/** Backup sets on the host, newest first: every manifest in one round trip. */
export async function listSets(session: HostSession): Promise<BackupManifest[]> {
  const out = await session.check(
    sh`cd ${BACKUP_ROOT} 2>/dev/null || exit 0; for d in $(ls -1 | sort -r); do [ -f "$d/manifest.json" ] && base64 -w0 < "$d/manifest.json" && echo; done; true`,
    { asRoot: true },
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(Buffer.from(line, 'base64').toString('utf8')) as BackupManifest);
}

/**
 * Put every file of a set back exactly as it was: same bytes, mode and owner,
 * and files that did not exist are removed. Defaults to the newest set that
 * has not been rolled back, optionally only sets with a given label.
 */
export async function rollbackFiles(session: HostSession, options: { set?: string; label?: string } = {}): Promise<BackupManifest> {
  const manifest = options.set
    ? await readManifest(session, options.set)
    : (await listSets(session)).find((m) => m.state !== 'rolled-back' && (!options.label || m.label === options.label)) ?? null;
  if (!manifest) throw new DrydockError('NOT_FOUND', `${session.host.name}: no backup set to roll back${options.label ? ` for ${options.label}` : ''}`);
  const dir = `${BACKUP_ROOT}/${manifest.set}`;
  for (const f of manifest.files) {
    if (!f.existed) {
      await removeRemoteFile(session, f.path);
      continue;
    }
    const backup = `${dir}/${f.backup}`;
    if ((await readRemoteFile(session, backup)).sha256 !== f.sha256Before) {
      throw new DrydockError('COMMAND_FAILED', `${session.host.name}: the backup of ${f.path} in ${dir} is missing or altered; nothing more was restored`);
    }
    // Restored on the host from the backup's own bytes, whatever encoding they are in.
    await restoreRemoteFile(session, backup, f.path);
    await session.check(sh`chmod ${(f.mode ?? 0o644).toString(8)} ${f.path} && chown ${f.uid ?? 0}:${f.gid ?? 0} ${f.path}`, { asRoot: true });
    if ((await readRemoteFile(session, f.path)).sha256 !== f.sha256Before) {
      throw new DrydockError('COMMAND_FAILED', `${session.host.name}:${f.path} does not match its backup after the restore`);
    }
  }
  manifest.state = 'rolled-back';
  await writeManifest(session, manifest);
  return manifest;
}
