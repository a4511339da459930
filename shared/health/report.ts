/**
 * The shape of a health check (what `drydock health --json` prints and the
 * Health page shows), and the health endpoints the guide lists
 * (admin-commands.md §6), probed from the Services machine itself.
 */
import { z } from 'zod';
import { SEVERITIES } from './containers';

export const HEALTH_ENDPOINTS: readonly { service: string; url: string }[] = [
  { service: 'frontend', url: 'http://localhost:80/health-check' },
  { service: 'api-service', url: 'http://localhost:8082/status' },
  { service: 'workflows-conductor', url: 'http://localhost:9999/healthcheck' },
  { service: 'federation-service', url: 'http://localhost:8090/status' },
  { service: 'permissions-service', url: 'http://localhost:3013/status' },
  { service: 'contexts-service', url: 'http://localhost:3011/status' },
  { service: 'domain-service', url: 'http://localhost:3014/status' },
  { service: 'cron-service', url: 'http://localhost:4261/status' },
  { service: 'vm-service', url: 'http://localhost:3001/status' },
];

export const CONTAINER_STATES = ['running', 'exited', 'restarting', 'missing'] as const;

export const ContainerHealthSchema = z.object({
  /** Name in `docker ps` (the usual one when missing). */
  name: z.string(),
  /** Name in the guide's table; null for a container the table does not list. */
  tableName: z.string().nullable(),
  state: z.enum(CONTAINER_STATES),
  /** Docker's own words: "Up 3 days", "Exited (1) 2 minutes ago", "paused". */
  status: z.string(),
  exitCode: z.number().int().nullable(),
  restartCount: z.number().int().nullable(),
  /** HEALTHCHECK result when the image has one. */
  health: z.string().nullable(),
  /** Null for containers outside the table. */
  severity: z.enum(SEVERITIES).nullable(),
  /** Why a conditional severity resolved the way it did. */
  severityNote: z.string().optional(),
  role: z.string(),
  /** What fails when it is down, in the guide's words. */
  impact: z.string(),
  /** Start-up dependencies, by their names in the guide's table. */
  dependsOn: z.array(z.string()),
  /** Runs at start-up and exits by design. */
  oneShot: z.boolean(),
  /** Down (or unhealthy) now; an exited-by-design one-shot is not. */
  down: z.boolean(),
  /** Why it counts as down, or why not despite appearances. */
  reason: z.string().optional(),
  /** Down containers upstream of it (start-up dependencies) that take it down, by `docker ps` name. */
  impactedBy: z.array(z.string()),
  /** For a down container: everything downstream that it takes with it, by `docker ps` name. */
  takesDown: z.array(z.string()),
});

export const EndpointSchema = z.object({
  service: z.string(),
  url: z.string(),
  ok: z.boolean(),
  /** 0 when nothing answered. */
  httpCode: z.number().int(),
});

export const NomadNodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  eligibility: z.string(),
  drain: z.boolean(),
  /** Running allocations (null when the CLI did not say). */
  allocs: z.number().int().nullable(),
  cpus: z.number().nullable(),
  memoryBytes: z.number().nullable(),
});

export const NomadStatusSchema = z.object({
  /** Where the figures came from: `docker exec nomad nomad` or the host's `nomad`. */
  source: z.string(),
  jobs: z.object({ pending: z.number().int(), running: z.number().int(), complete: z.number().int(), dead: z.number().int() }),
  nodes: z.array(NomadNodeSchema),
  /** The equivalent of circle.nomad.server_agent.poll_failure: the server did not answer. */
  pollFailure: z.boolean(),
  error: z.string().optional(),
});

export const AdviceSchema = z.object({
  level: z.enum(['info', 'warning', 'action']),
  text: z.string(),
  /** Nomad clients to add (action advice). */
  addClients: z.number().int().optional(),
});

export const HealthReportSchema = z.object({
  host: z.string(),
  checkedAt: z.string(),
  /** healthy: nothing down; mild: only mild things down; unhealthy: something severe or moderate down. */
  verdict: z.enum(['healthy', 'mild', 'unhealthy']),
  summary: z.string(),
  settings: z.object({ ldap: z.boolean().nullable(), s3: z.boolean().nullable(), source: z.string() }),
  containers: z.array(ContainerHealthSchema),
  endpoints: z.array(EndpointSchema),
  /** Why the endpoints were not probed (no curl on the machine). */
  endpointsError: z.string().optional(),
  app: z.object({ state: z.string(), error: z.string() }),
  nomad: NomadStatusSchema,
  advice: z.array(AdviceSchema),
});

export type ContainerHealth = z.infer<typeof ContainerHealthSchema>;
export type EndpointResult = z.infer<typeof EndpointSchema>;
export type NomadNode = z.infer<typeof NomadNodeSchema>;
export type NomadStatus = z.infer<typeof NomadStatusSchema>;
export type Advice = z.infer<typeof AdviceSchema>;
export type HealthReport = z.infer<typeof HealthReportSchema>;
