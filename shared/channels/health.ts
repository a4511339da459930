/**
 * Health, Nomad, support bundle and change-control report channels (engine
 * side: electron/engine/operations/health, operations/support, report/).
 */
import { z } from 'zod';
import { HostAddress, HostName } from '../hosts';
import { AdviceSchema, HealthReportSchema, NomadStatusSchema } from '../health/report';

export const HealthRequestSchema = z
  .object({
    /** The Services machine; default: the one in the inventory. */
    host: HostName.optional(),
    /** Where the health endpoints listen as seen from the Services machine (default localhost). */
    endpointHost: HostAddress.optional(),
    /** The admin's word on whether LDAP / S3 are used, over what Replicated's settings say. */
    ldap: z.boolean().optional(),
    s3: z.boolean().optional(),
    /** Pending job counts from earlier checks (auto-refresh), oldest first, at most 100. */
    pendingHistory: z.array(z.number().int().min(0)).max(100).optional(),
  })
  .strict();

export const BundleHostSchema = z.object({
  host: z.string(),
  role: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  files: z.array(z.string()),
  /** Items that could not be collected on a reachable host (e.g. no docker). */
  missing: z.array(z.object({ item: z.string(), why: z.string() })),
  redactions: z.array(z.object({ file: z.string(), what: z.string(), count: z.number().int() })),
});

export const BundleResultSchema = z.object({
  out: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  hosts: z.array(BundleHostSchema),
});

/** A path on the machine running Drydock's engine. */
const LocalPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'a file path');
const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time such as 2026-11-29T10:00:00Z');

export const ReportRequestSchema = z
  .object({
    runId: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
    since: Iso.optional(),
    until: Iso.optional(),
    format: z.enum(['markdown', 'html']),
  })
  .strict()
  .refine((r) => !!r.runId !== !!r.since, 'either a run, or a time range starting at `since`')
  .refine((r) => !(r.until && !r.since), '`until` needs `since`');

export const healthChannels = {
  /** Containers, endpoints, Replicated and Nomad of the Services machine. Read-only. */
  'health:check': { request: HealthRequestSchema, response: HealthReportSchema },
  'nomad:status': {
    request: z.object({ host: HostName.optional(), pendingHistory: HealthRequestSchema.shape.pendingHistory }).strict(),
    response: z.object({ host: z.string(), nomad: NomadStatusSchema, advice: z.array(AdviceSchema) }),
  },
  /** Collect from every host in parallel, redact, pack one .tar.gz with a manifest and SHA256SUMS. */
  'support:bundle': {
    request: z.object({ out: LocalPath, hosts: z.array(HostName).optional(), tailLines: z.number().int().min(1).max(100_000).optional() }).strict(),
    response: BundleResultSchema,
  },
  /** The change-control report of a run or a time range, as Markdown or HTML text. */
  'report:change-control': {
    request: ReportRequestSchema,
    response: z.object({ filename: z.string(), content: z.string(), chainOk: z.boolean() }),
  },
} as const;

export type BundleResult = z.infer<typeof BundleResultSchema>;
export type BundleHost = z.infer<typeof BundleHostSchema>;
