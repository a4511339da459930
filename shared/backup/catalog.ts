/**
 * The catalog, as the admin reads it: one backup per run (a root snapshot,
 * plus the data volumes when all were taken), its state, progress, size and
 * age; and which backups a prune would delete, under rules that never give
 * up the newest completed backup, one a restore is using, or one Drydock did
 * not take for this installation.
 */
import { z } from 'zod';
import { TAG } from './profile';

export const SnapshotViewSchema = z.object({
  id: z.string(),
  disk: z.string(),
  device: z.string().optional(),
  root: z.boolean(),
  state: z.enum(['pending', 'completed', 'error']),
  /** 0–100, as the provider reports it. */
  progress: z.number(),
  sizeGiB: z.number(),
  startedAt: z.string(),
  message: z.string().optional(),
  tags: z.record(z.string(), z.string()),
});
export type SnapshotView = z.infer<typeof SnapshotViewSchema>;

export const BackupViewSchema = z.object({
  /** The run that took it (its tag); a snapshot Drydock did not take is its own backup, keyed by its id. */
  id: z.string(),
  ours: z.boolean(),
  state: z.enum(['pending', 'completed', 'error']),
  progress: z.number(),
  sizeGiB: z.number(),
  startedAt: z.string(),
  mode: z.string().optional(),
  machine: z.string().optional(),
  privateAddress: z.string().optional(),
  publicAddress: z.string().optional(),
  message: z.string().optional(),
  inUse: z.boolean(),
  snapshots: z.array(SnapshotViewSchema),
});
export type BackupView = z.infer<typeof BackupViewSchema>;

/** Group snapshots into backups, newest first. */
export function groupBackups(snapshots: SnapshotView[], installationId: string, inUse: ReadonlySet<string> = new Set()): BackupView[] {
  const groups = new Map<string, SnapshotView[]>();
  for (const s of snapshots) {
    const ours = s.tags[TAG.installation] === installationId && !!s.tags[TAG.run];
    const key = ours ? s.tags[TAG.run] : s.id;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const backups = [...groups.entries()].map(([id, list]): BackupView => {
    const first = list.find((s) => s.root) ?? list[0];
    const ours = first.tags[TAG.installation] === installationId && !!first.tags[TAG.run];
    const state = list.some((s) => s.state === 'error') ? 'error' : list.every((s) => s.state === 'completed') ? 'completed' : 'pending';
    const message = list.find((s) => s.message)?.message;
    return {
      id,
      ours,
      state,
      progress: Math.min(...list.map((s) => s.progress)),
      sizeGiB: list.reduce((n, s) => n + s.sizeGiB, 0),
      startedAt: list.map((s) => s.startedAt).sort()[0],
      ...(first.tags[TAG.mode] ? { mode: first.tags[TAG.mode] } : {}),
      ...(first.tags[TAG.sourceMachine] ? { machine: first.tags[TAG.sourceMachine] } : {}),
      ...(first.tags[TAG.privateAddress] ? { privateAddress: first.tags[TAG.privateAddress] } : {}),
      ...(first.tags[TAG.publicAddress] ? { publicAddress: first.tags[TAG.publicAddress] } : {}),
      ...(message ? { message } : {}),
      inUse: list.some((s) => inUse.has(s.id)) || inUse.has(id),
      snapshots: [...list].sort((a, b) => Number(b.root) - Number(a.root) || a.disk.localeCompare(b.disk)),
    };
  });
  return backups.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export interface Retention {
  keepLast?: number;
  keepDays?: number;
}

export const PruneDecisionSchema = z.object({
  backup: BackupViewSchema,
  action: z.enum(['delete', 'keep']),
  why: z.string(),
});
export type PruneDecision = z.infer<typeof PruneDecisionSchema>;

/** What a prune would do with every backup in the catalog, newest first. Pure: the caller deletes. */
export function planPrune(backups: BackupView[], retention: Retention, now: number): PruneDecision[] {
  if (retention.keepLast === undefined && retention.keepDays === undefined) throw new Error('Say what to keep: --keep-last N and/or --keep-days D');
  const newestCompleted = backups.find((b) => b.ours && b.state === 'completed');
  const completedOurs = backups.filter((b) => b.ours && b.state === 'completed');
  return backups.map((backup): PruneDecision => {
    const keep = (why: string): PruneDecision => ({ backup, action: 'keep', why });
    if (!backup.ours) return keep('not taken by Drydock for this installation');
    if (backup === newestCompleted) return keep('the newest completed backup');
    if (backup.inUse) return keep('a restore run is using it');
    if (backup.state === 'pending') return keep('still in progress');
    const ageDays = (now - Date.parse(backup.startedAt)) / 86_400_000;
    if (retention.keepDays !== undefined && ageDays < retention.keepDays) return keep(`younger than ${retention.keepDays} day(s)`);
    const rank = completedOurs.indexOf(backup);
    if (retention.keepLast !== undefined && rank >= 0 && rank < retention.keepLast) return keep(`one of the last ${retention.keepLast}`);
    return { backup, action: 'delete', why: backup.state === 'error' ? 'failed backup, outside the retention' : 'outside the retention' };
  });
}
