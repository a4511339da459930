/**
 * The change-set engine (files/change-set.ts) over several files of one host,
 * the way the proxy and customization operations use it: plan a list of
 * files, show their diffs with secrets masked, write only what changes, and
 * pick up an interrupted write under its first backup set, so a rollback
 * still restores the true originals.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FileChange } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import { UnreadableFileError } from '../../../../shared/proxy/render';
import { redact } from '../../audit/redact';
import { applyFiles, listSets, planFile, readManifest, unifiedDiff, type ApplyOptions, type BackupManifest, type PlannedFile } from '../../files/change-set';
import { NotARegularFileError, sha256 } from '../../files/remote-file';
import { quote } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';

export interface FileSpec {
  path: string;
  /** The file as it should be, from what it is now (null: absent). */
  render(current: string | null): string | null;
  /** Mode for a file that does not exist yet. */
  mode: number;
}

export interface HostFilesPlan {
  host: string;
  files: PlannedFile[];
  /** A file Drydock refuses to rewrite (e.g. replicated.conf that is not JSON). */
  error?: string;
}

/** Read and render every file of one host. Writes nothing. */
export async function planHostFiles(session: HostSession, specs: FileSpec[]): Promise<HostFilesPlan> {
  const files: PlannedFile[] = [];
  for (const spec of specs) {
    try {
      const planned = await planFile(session, spec.path, spec.render, spec.mode);
      // The engine reads files as UTF-8: other bytes come back as U+FFFD, and
      // writing that back would corrupt the lines Drydock promises to keep.
      if (planned.before?.includes('\uFFFD')) {
        return { host: session.host.name, files, error: `${session.host.name}: ${spec.path} holds bytes that are not UTF-8 text; Drydock will not rewrite it (convert it to UTF-8 first)` };
      }
      files.push(planned);
    } catch (err) {
      if (err instanceof UnreadableFileError) return { host: session.host.name, files, error: `${session.host.name}: ${err.message}` };
      // A symlinked target is refused at plan time: see remote-file.ts.
      if (err instanceof NotARegularFileError) return { host: session.host.name, files, error: err.message.replace(/ Nothing was written\.$/, '') };
      throw err;
    }
  }
  return { host: session.host.name, files };
}

/** What the admin sees of a planned file: the diff with passwords masked, never the raw content. */
export function fileChangeView(file: PlannedFile, secrets: string[]): FileChange {
  const action = !file.changed ? 'unchanged' : file.before === null ? 'create' : file.after === null ? 'remove' : 'update';
  // Both sides are masked before diffing, so a password never appears even as context.
  const raw = file.changed ? unifiedDiff(file.path, file.before === null ? null : redact(file.before, secrets), file.after === null ? null : redact(file.after, secrets)) : '';
  return { path: file.path, action, diff: redact(raw, secrets).replace(/^=+\n/, '').replace(/\t$/gm, '') };
}

/**
 * A fingerprint of what a plan saw and would write: apply compares it with
 * the plan the admin reviewed and refuses if any file moved in between.
 */
export function planFingerprint(plans: HostFilesPlan[]): string {
  const lines = plans.flatMap((p) => p.files.map((f) => `${p.host}\0${f.path}\0${f.before === null ? '-' : sha256(f.before)}\0${f.after === null ? '-' : sha256(f.after)}`));
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** Newest backup set of this label (that passes `filter`), or null. */
export async function latestSet(session: HostSession, label: string, filter: (m: BackupManifest) => boolean = () => true): Promise<BackupManifest | null> {
  return (await listSets(session)).find((m) => m.label === label && filter(m)) ?? null;
}

/**
 * A set an earlier apply prepared but did not finish: its backups are the
 * files as they were before that apply, which is what a rollback must bring
 * back, so a later apply continues under it instead of backing up the
 * half-written state.
 */
export async function unfinishedSet(session: HostSession, label: string): Promise<string | null> {
  const newest = await latestSet(session, label);
  return newest && newest.state === 'prepared' ? newest.set : null;
}

/** What the reviewed plan saw in each file and would write there (hashes; null: absent). */
export type ReviewedFiles = Record<string, { before: string | null; after: string | null }>;

export function reviewedOf(plan: HostFilesPlan): ReviewedFiles {
  return Object.fromEntries(plan.files.map((f) => [f.path, { before: f.beforeSha256, after: f.after === null ? null : sha256(f.after) }]));
}

/**
 * Files of a fresh plan that a write would change although they no longer
 * hold what the reviewed plan saw, or would get other bytes than reviewed
 * (other settings, another password). Writing them would write what the
 * admin never reviewed.
 */
export function unreviewed(plan: HostFilesPlan, reviewed: ReviewedFiles): PlannedFile[] {
  return plan.files.filter((f) => {
    const r = reviewed[f.path];
    const now = f.beforeSha256;
    if (!r) return f.changed;
    if (now === r.after) return false;
    return now !== r.before || (f.after === null ? null : sha256(f.after)) !== r.after;
  });
}

/** The refusal for unreviewed(): names each file, with the diff a write would make now (secrets masked). */
export function unreviewedConflict(host: string, files: PlannedFile[], secrets: string[]): DrydockError {
  const diffs = files.map((f) => fileChangeView(f, secrets).diff).join('\n');
  return new DrydockError(
    'CONFLICT',
    `${host}: ${files.map((f) => f.path).join(', ')} changed since the plan was reviewed; nothing was written to ${files.length > 1 ? 'them' : 'it'}. Plan again and review the new diff:\n${diffs}`,
    { host, paths: files.map((f) => f.path) },
  );
}

/**
 * Write what the plan changes under backup set `set`. When that set was
 * already started (an interrupted apply), every planned file is handed to the
 * engine so it finishes the set; files already in place are not rewritten.
 * With `reviewed`, each file is written only if it still holds what the
 * reviewed plan saw (the engine compares against those hashes).
 * Returns the paths written now.
 */
export async function writeHostFiles(
  session: HostSession,
  plan: HostFilesPlan,
  set: string,
  label: string,
  options: ApplyOptions & { reviewed?: ReviewedFiles; secrets?: string[] } = {},
): Promise<string[]> {
  if (plan.error) throw new DrydockError('CONFLICT', plan.error, { host: plan.host });
  if (options.reviewed) {
    const off = unreviewed(plan, options.reviewed);
    if (off.length) throw unreviewedConflict(plan.host, off, options.secrets ?? []);
  }
  const files = options.reviewed ? plan.files.map((f) => ({ ...f, beforeSha256: options.reviewed![f.path]?.before ?? f.beforeSha256 })) : plan.files;
  const changed = files.filter((f) => f.changed);
  const started = (await readManifest(session, set))?.state === 'prepared';
  if (!changed.length && !started) return [];
  await applyFiles(session, started ? files : changed, set, label, options);
  await removeStaleTemps(session, plan.files.map((f) => f.path));
  return changed.map((f) => f.path);
}

/**
 * A write cut off mid-upload (connection lost) leaves its temp file next to
 * the target (`.name.drydock-<random>`, possibly holding a proxy password);
 * nothing else would ever remove it. Only one proxy or customization run
 * goes at a time, so once the files are in place no such temp is in use.
 */
async function removeStaleTemps(session: HostSession, files: string[]): Promise<void> {
  const patterns = files.map((f) => `${quote(`${path.posix.dirname(f)}/.${path.posix.basename(f)}.drydock-`)}*`);
  await session.check(`rm -f -- ${patterns.join(' ')}`, { asRoot: true });
}

/** True when every planned file already holds what it should and no set is left half done. */
export async function hostFilesInPlace(session: HostSession, plan: HostFilesPlan, set: string | undefined): Promise<boolean> {
  if (plan.error || plan.files.some((f) => f.changed)) return false;
  if (!set) return true;
  return (await readManifest(session, set))?.state !== 'prepared';
}
