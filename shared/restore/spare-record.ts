/**
 * Which backup a hot spare holds. `drydock restore refresh-spare` images the
 * spare with a backup; at failover, a spare that already holds an acceptable
 * one skips the volume steps (recovery is then boot + identity + verify +
 * re-point). The truth is kept on the spare's root disk itself (tags on the
 * EBS volume, fields of the restored image's manifest on libvirt), because
 * that is what the spare will boot; the laptop keeps a cache of it, so the
 * preview can name the backup when the provider cannot be asked, but the
 * cache alone never lets a failover skip a step.
 *
 * Pure logic: no Node built-ins.
 */
import { z } from 'zod';

/** Tag keys on the spare's root volume (EBS) / fields of the restored image's manifest (libvirt). */
export const SPARE_TAG = {
  spare: 'drydock:spare',
  installation: 'drydock:spare-installation',
  profile: 'drydock:spare-profile',
  backup: 'drydock:spare-backup',
  snapshot: 'drydock:spare-snapshot',
  takenAt: 'drydock:spare-taken-at',
  refreshRun: 'drydock:spare-refresh-run',
  /** Set when the refresh finished (identity fixed, app left stopped): a half-refreshed disk is not a spare's backup. */
  readyAt: 'drydock:spare-ready-at',
  /** Set by any run that started the app on this disk: its data has moved on from the backup since. */
  usedAt: 'drydock:spare-used-at',
} as const;

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO date');

export const SpareRecordSchema = z
  .object({
    /** The inventory host with role `spare`. */
    spare: z.string().min(1),
    /** The spare's instance id / domain, and the root disk holding the backup (volume id / image path). */
    machine: z.string().min(1),
    rootDisk: z.string().min(1),
    installationId: z.string().min(1),
    profile: z.string().min(1),
    /** The catalog's backup id (the run that took it) and its root snapshot. */
    backupId: z.string().min(1),
    snapshotId: z.string().min(1),
    /** When the backup was taken: its recovery point. */
    takenAt: Iso,
    refreshRun: z.string().min(1),
    readyAt: Iso.optional(),
    usedAt: Iso.optional(),
  })
  .strict();
export type SpareRecord = z.infer<typeof SpareRecordSchema>;

/** The tags a refresh puts on the new root disk (at creation: readyAt comes at the end, usedAt never from a refresh). */
export function spareTags(r: Omit<SpareRecord, 'machine' | 'rootDisk'>): Record<string, string> {
  return {
    [SPARE_TAG.spare]: r.spare,
    [SPARE_TAG.installation]: r.installationId,
    [SPARE_TAG.profile]: r.profile,
    [SPARE_TAG.backup]: r.backupId,
    [SPARE_TAG.snapshot]: r.snapshotId,
    [SPARE_TAG.takenAt]: r.takenAt,
    [SPARE_TAG.refreshRun]: r.refreshRun,
    ...(r.readyAt ? { [SPARE_TAG.readyAt]: r.readyAt } : {}),
    ...(r.usedAt ? { [SPARE_TAG.usedAt]: r.usedAt } : {}),
  };
}

/** The record a disk's tags hold, or why they hold none (no refresh, or tags cut short). */
export function recordFromTags(machine: string, rootDisk: string, tags: Record<string, string>): { record: SpareRecord } | { record: null; why: string } {
  if (!tags[SPARE_TAG.backup]) return { record: null, why: `${rootDisk} carries no record of a refresh` };
  const parsed = SpareRecordSchema.safeParse({
    spare: tags[SPARE_TAG.spare],
    machine,
    rootDisk,
    installationId: tags[SPARE_TAG.installation],
    profile: tags[SPARE_TAG.profile],
    backupId: tags[SPARE_TAG.backup],
    snapshotId: tags[SPARE_TAG.snapshot],
    takenAt: tags[SPARE_TAG.takenAt],
    refreshRun: tags[SPARE_TAG.refreshRun],
    ...(tags[SPARE_TAG.readyAt] ? { readyAt: tags[SPARE_TAG.readyAt] } : {}),
    ...(tags[SPARE_TAG.usedAt] ? { usedAt: tags[SPARE_TAG.usedAt] } : {}),
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    return { record: null, why: `${rootDisk}'s refresh record is incomplete or damaged (${fields})` };
  }
  return { record: parsed.data };
}

/** The laptop's cache: one entry per spare, the last record seen on (or written to) its root disk. */
export const SpareCacheSchema = z.object({ version: z.literal(1), spares: z.record(z.string(), SpareRecordSchema) }).strict();
export type SpareCache = z.infer<typeof SpareCacheSchema>;

export const emptySpareCache = (): SpareCache => ({ version: 1, spares: {} });

/** Read a cache file's text; anything unreadable is an empty cache (it is only a cache). */
export function parseSpareCache(text: string | null): SpareCache {
  if (!text) return emptySpareCache();
  try {
    const parsed = SpareCacheSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : emptySpareCache();
  } catch {
    return emptySpareCache();
  }
}

/** A new cache with the spare's entry replaced (null: the spare holds no backup any more, e.g. put back by a drill). */
export function withSpareRecord(cache: SpareCache, spare: string, record: SpareRecord | null): SpareCache {
  const spares = { ...cache.spares };
  if (record) spares[spare] = record;
  else delete spares[spare];
  return { version: 1, spares };
}

/** A completed backup as the restore preview sees it in the catalog. */
export interface CatalogBackup {
  id: string;
  state: 'pending' | 'completed' | 'error';
  startedAt: string;
}

export interface SpareQuestion {
  spare: string;
  installationId: string;
  profile: string;
  /** What the provider says now: the spare's machine and current root disk with its tags; null when it could not be asked. */
  observed: { machine: string; rootDisk: string; tags: Record<string, string> } | null;
  cache: SpareCache;
  /** The catalog, any order. */
  backups: CatalogBackup[];
  /** The backup the admin chose (`--backup`); absent: the newest completed. */
  chosen?: string;
  /** Accept a spare's backup older than the newest when it is at most this old (the admin's policy); absent: only the chosen/newest one. */
  maxAgeMs?: number;
  now: number;
}

export interface SpareAnswer {
  /** What the spare holds, and where that was read. */
  holds: SpareRecord | null;
  source: 'disk' | 'cache' | null;
  /** Age of the held backup (now − taken at): the recovery point if the failover uses it. */
  ageMs: number | null;
  /** The volume steps may be skipped: the spare's disk holds the backup this restore would use. */
  acceptable: boolean;
  /** The backup a full restore would use (chosen or newest completed), and its age. */
  target: { id: string; ageMs: number } | null;
  /** One sentence for the preview. */
  summary: string;
  /** Why not acceptable (empty when acceptable). */
  reasons: string[];
  /** The cache disagreed with the disk (the disk wins; the caller refreshes the cache). */
  cacheStale: boolean;
}

export function formatAge(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

/**
 * Does the spare already hold an acceptable backup, and how old? Acceptable
 * means: read from the spare's current root disk now (not only the cache),
 * written by a refresh of this spare for this installation and profile that
 * finished, the app never started on it since, and the backup it holds is the
 * one this restore would use — or, when the admin chose none, one within the
 * admin's age policy.
 */
export function assessSpare(q: SpareQuestion): SpareAnswer {
  const completed = q.backups.filter((b) => b.state === 'completed').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const targetBackup = q.chosen ? q.backups.find((b) => b.id === q.chosen) : completed[0];
  const target = targetBackup ? { id: targetBackup.id, ageMs: q.now - Date.parse(targetBackup.startedAt) } : null;
  const cached = q.cache.spares[q.spare] ?? null;
  const reasons: string[] = [];

  let holds: SpareRecord | null = null;
  let source: SpareAnswer['source'] = null;
  let cacheStale = false;
  if (q.observed) {
    const read = recordFromTags(q.observed.machine, q.observed.rootDisk, q.observed.tags);
    if (read.record) {
      holds = read.record;
      source = 'disk';
    } else reasons.push(read.why);
    cacheStale = JSON.stringify(cached) !== JSON.stringify(holds);
  } else if (cached) {
    holds = cached;
    source = 'cache';
    reasons.push(`the spare's root disk could not be read now; this laptop's record (${cached.rootDisk}) is not proof enough to skip the volume steps`);
  } else reasons.push('the spare could not be asked and this laptop has no record of a refresh');

  if (holds && source === 'disk') {
    if (holds.spare !== q.spare) reasons.push(`its disk was refreshed for spare ${holds.spare}, not ${q.spare}`);
    if (holds.installationId !== q.installationId) reasons.push(`its disk holds a backup of installation ${holds.installationId}`);
    if (holds.profile !== q.profile) reasons.push(`its disk holds a backup of profile ${holds.profile}, not ${q.profile}`);
    if (!holds.readyAt) reasons.push(`the refresh that wrote it (run ${holds.refreshRun}) did not finish`);
    if (holds.usedAt) reasons.push(`the app was started on it at ${holds.usedAt}: its data has moved on from the backup`);
    if (!target) reasons.push(q.chosen ? `backup ${q.chosen} is not in the catalog` : 'the catalog has no completed backup to compare with');
    else if (holds.backupId !== target.id) {
      const heldAge = q.now - Date.parse(holds.takenAt);
      const olderOk = !q.chosen && q.maxAgeMs !== undefined && heldAge <= q.maxAgeMs && Date.parse(holds.takenAt) <= Date.parse(targetBackup!.startedAt);
      if (!olderOk) {
        reasons.push(
          q.chosen
            ? `it holds backup ${holds.backupId}, not the chosen ${q.chosen}`
            : `it holds backup ${holds.backupId} (${formatAge(heldAge)} old); the newest completed is ${target.id} (${formatAge(target.ageMs)} old)` +
                (q.maxAgeMs !== undefined ? `, and the policy accepts at most ${formatAge(q.maxAgeMs)}` : ''),
        );
      }
    }
  }

  const ageMs = holds ? q.now - Date.parse(holds.takenAt) : null;
  const acceptable = source === 'disk' && reasons.length === 0;
  const held = holds ? `backup ${holds.backupId} taken ${formatAge(ageMs!)} ago` : null;
  const summary = acceptable
    ? `${q.spare} already holds ${held}: the volume steps are skipped (boot, identity, verify, re-point).`
    : holds
      ? `${q.spare} holds ${held}${source === 'cache' ? ' (this laptop\'s record)' : ''}, which cannot be used: ${reasons.join('; ')}. The full restore runs.`
      : `${q.spare} holds no refreshed backup (${reasons.join('; ')}). The full restore runs.`;
  return { holds, source, ageMs, acceptable, target, summary, reasons: acceptable ? [] : reasons, cacheStale };
}
