/** Audit log entries as they cross the IPC boundary, and how the Audit page narrows them down. */
import { z } from 'zod';

export const AUDIT_KINDS = ['command', 'file', 'trust', 'local', 'inventory'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AuditEntrySchema = z.object({
  seq: z.number(),
  time: z.string(),
  host: z.string(),
  fingerprint: z.string(),
  kind: z.enum(AUDIT_KINDS),
  command: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  /** The runbook this entry was made for, when it was made by a run. */
  run: z.string().optional(),
  prev: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

const RunId = z.string().regex(/^[A-Za-z0-9-]+$/);
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'a date and time');

export const AuditFilterSchema = z.object({
  host: z.string().max(253).optional(),
  kind: z.enum(AUDIT_KINDS).optional(),
  run: RunId.optional(),
  /** Entries at or after this time. */
  since: IsoTime.optional(),
  /** Entries at or before this time. */
  until: IsoTime.optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export function matchesAuditFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.host && entry.host !== filter.host) return false;
  if (filter.kind && entry.kind !== filter.kind) return false;
  if (filter.run && entry.run !== filter.run) return false;
  const t = Date.parse(entry.time);
  if (filter.since && t < Date.parse(filter.since)) return false;
  if (filter.until && t > Date.parse(filter.until)) return false;
  return true;
}
