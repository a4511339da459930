/**
 * The shape of a preflight: what was measured on each host (HostMeasure) and
 * the verdicts drawn from it (PreflightCheck). `drydock preflight --json`
 * prints a PreflightReport; the wizard shows one; exports render one.
 */
import { z } from 'zod';
import { HostName } from '../hosts';

export const CHECK_STATUSES = ['pass', 'warn', 'fail'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** What a re-run repeats: every check belongs to one group, measured by one part of the host's script. */
export const CHECK_GROUPS = ['ssh', 'os', 'resources', 'disk', 'docker', 'clock', 'dns', 'ports', 'reach', 'udp', 'proxy'] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];

export const PreflightCheckSchema = z.object({
  /** Stable within a host: `disk:/var/lib/docker`, `port:tcp/8800`, `reach:services/tcp/4647`. */
  id: z.string(),
  group: z.enum(CHECK_GROUPS),
  host: z.string(),
  title: z.string(),
  status: z.enum(CHECK_STATUSES),
  /** What was measured, as the admin reads it ("12.4 GiB free", "connection refused (reachable)"). */
  value: z.string(),
  /** One sentence: what to do. Empty when there is nothing to do. */
  fix: z.string(),
});
export type PreflightCheck = z.infer<typeof PreflightCheckSchema>;

export const PreflightHostSchema = z.object({
  host: z.string(),
  role: z.string(),
  address: z.string(),
  /** The worst status of its checks. */
  status: z.enum(CHECK_STATUSES),
  /** Cores and memory as measured (the capacity plan reads these); null when not measured. */
  cpus: z.number().int().nullable(),
  memoryBytes: z.number().nullable(),
  checks: z.array(PreflightCheckSchema),
});
export type PreflightHost = z.infer<typeof PreflightHostSchema>;

export const PreflightReportSchema = z.object({
  checkedAt: z.string(),
  status: z.enum(CHECK_STATUSES),
  /** "2 failed, 3 warnings, 41 passed on 3 hosts". */
  summary: z.string(),
  /** The names it looked up from each host. */
  circleHostname: z.string().nullable(),
  gheHostname: z.string().nullable(),
  /** The bundle's target folder checked (a re-run checks the same one). */
  bundleDir: z.string().optional(),
  hosts: z.array(PreflightHostSchema),
});
export type PreflightReport = z.infer<typeof PreflightReportSchema>;

export const PreflightRequestSchema = z
  .object({
    /** Only these hosts (default: every Services machine, Nomad client and spare in the inventory). */
    hosts: z.array(HostName).optional(),
    /** Re-run only the checks that failed in the last preflight, and merge the answers into it. */
    onlyFailed: z.boolean().optional(),
    /** The hostname CircleCI will serve (resolved from every host); default: the last one given. */
    circleHostname: z.string().max(253).optional(),
    /** GitHub Enterprise's hostname; default: the address of the inventory's `ghe` host. */
    gheHostname: z.string().max(253).optional(),
    /** Where the bundle push will put the files (default /var/lib/drydock/bundle). */
    bundleDir: z.string().regex(/^\/[^\0]*$/, 'an absolute path').max(1024).optional(),
    /** The bundle's total size, when known, to check its target's free space against. */
    bundleBytes: z.number().int().min(0).optional(),
  })
  .strict();
export type PreflightRequest = z.infer<typeof PreflightRequestSchema>;

const ORDER: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function worst(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((w, s) => (ORDER[s] > ORDER[w] ? s : w), 'pass');
}

export function summarize(hosts: PreflightHost[]): { status: CheckStatus; summary: string } {
  const all = hosts.flatMap((h) => h.checks);
  const n = (s: CheckStatus) => all.filter((c) => c.status === s).length;
  const status = worst(all.map((c) => c.status));
  return { status, summary: `${n('fail')} failed, ${n('warn')} warnings, ${n('pass')} passed on ${hosts.length} host${hosts.length === 1 ? '' : 's'}` };
}

/** Group a check id belongs to, from its prefix. */
export function groupOf(id: string): CheckGroup {
  const head = id.split(':')[0];
  if (head === 'cpu' || head === 'memory' || head === 'size') return 'resources';
  if (head === 'port') return 'ports';
  return (CHECK_GROUPS as readonly string[]).includes(head) ? (head as CheckGroup) : 'ssh';
}
