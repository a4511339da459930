/**
 * Proxy and installation-customization channels (engine side:
 * electron/engine/operations/proxy). Requests validate with the same pure
 * checks the wizard runs inline (shared/proxy), so a bad URL never reaches
 * a host. File contents never cross this boundary: only diffs, with
 * passwords masked.
 */
import { z } from 'zod';
import { HOST_ROLES, HostName } from '../hosts';
import { CustomizeRequestSchema } from '../proxy/customizations';
import { ProxyRequestSchema } from '../proxy/input';

/** A URL fetched from every host through the proxy to prove the files work. */
export const VerifyUrlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[A-Za-z0-9._~%:@/?&=+,;[\]!*()-]+$/, 'Check URL: an http:// or https:// URL without spaces or quotes, e.g. https://ghe.example.com');

/**
 * The restarts the admin ticked in the dialog that listed them, and nothing
 * else: a restart that is owed but was not ticked (or not shown) stays owed.
 */
const restartConsent = {
  /** Restart Replicated on the Services machine (the console and app are unavailable meanwhile). */
  restartReplicated: z.boolean(),
  /** The Nomad clients whose Docker may be reloaded and restarted (their running builds fail), by name. */
  restartDocker: z.array(HostName).max(1000),
};
export const RestartConsentSchema = z.object(restartConsent).strict();

export const ProxyApplyRequestSchema = z
  .object({
    settings: ProxyRequestSchema,
    ...restartConsent,
    /** Defaults to the GitHub Enterprise host in the inventory. */
    verifyUrl: VerifyUrlSchema.optional(),
    /** The plan the admin reviewed; refused (CONFLICT) if a file changed since. */
    planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

export const FileChangeSchema = z.object({
  path: z.string(),
  /** create: the file is new; update: it changes; unchanged: already as planned; remove (rollback). */
  action: z.enum(['create', 'update', 'unchanged', 'remove', 'restore']),
  /** Unified diff, passwords masked; empty when unchanged. */
  diff: z.string(),
});

export const HostPlanSchema = z.object({
  host: z.string(),
  role: z.enum(HOST_ROLES),
  files: z.array(FileChangeSchema),
  /** Why this host cannot be planned (a file Drydock will not rewrite). */
  error: z.string().optional(),
});

export const NoProxyEntrySchema = z.object({ value: z.string(), why: z.string() });

export const ProxyPlanSchema = z.object({
  hosts: z.array(HostPlanSchema),
  noProxy: z.array(NoProxyEntrySchema),
  javaNonProxyHosts: z.array(z.string()),
  /** Proxy URLs as written, passwords masked. */
  httpProxy: z.string(),
  httpsProxy: z.string(),
  changedFiles: z.number().int(),
  /** Restarts that apply would ask for: Replicated (when the Services files change), Docker per client, and any still owed. */
  restarts: z.object({ replicated: z.boolean(), docker: z.array(z.string()) }),
  /** Restarts owed from an earlier run ("Replicated on services"): the hosts still run the old settings. */
  pendingRestarts: z.array(z.string()),
  /** Inventory hosts the plan does not write, each with the reason (hot spare, GHE, bastion). */
  leftOut: z.array(z.object({ host: z.string(), role: z.enum(HOST_ROLES), reason: z.string() })),
  /** Why the files hold what they hold, beyond the guide's own lines (e.g. the lower-case variables). */
  notes: z.array(z.string()),
  defaultVerifyUrl: z.string().optional(),
  warnings: z.array(z.string()),
  /** Pass back to apply: it refuses if the files changed since this plan. */
  fingerprint: z.string(),
});

export const VerifyResultSchema = z.object({
  host: z.string(),
  ok: z.boolean(),
  /** HTTP status seen through the proxy; 0 when none came back. */
  httpCode: z.number().int(),
  message: z.string(),
});

export const ProxyApplyResultSchema = z.object({
  runId: z.string(),
  /** An interrupted apply with the same settings was resumed instead of starting over. */
  resumed: z.boolean(),
  changed: z.array(z.object({ host: z.string(), path: z.string() })),
  restarted: z.object({ replicated: z.boolean(), docker: z.array(z.string()) }),
  /** Restarts the files need but the admin declined: do them later. */
  pendingRestarts: z.array(z.string()),
  verifyUrl: z.string().optional(),
  verification: z.array(VerifyResultSchema),
  summary: z.string(),
  /** Said first: e.g. an interrupted run with another password was not resumed but replaced. */
  notice: z.string().optional(),
});

const BackupSetName = z.string().regex(/^[0-9]{8}T[0-9]+Z-[0-9a-f]{6}-[A-Za-z0-9-]+$/, 'a backup-set name as the rollback plan lists it');

export const ProxyRollbackRequestSchema = z
  .object({
    ...restartConsent,
    to: BackupSetName.optional(),
    /** `host/set` keys of unrecorded sets the admin reviewed and accepts (RollbackPlan.unrecorded). */
    accept: z.array(z.string().max(300)).max(100).optional(),
  })
  .strict();

export const RollbackPlanSchema = z.object({
  hosts: z.array(
    z.object({
      host: z.string(),
      role: z.enum(HOST_ROLES),
      /** Backup set to restore; absent when the host has none. */
      set: z.string().optional(),
      createdAt: z.string().optional(),
      files: z.array(z.object({ path: z.string(), action: z.enum(['restore', 'remove']), changedSinceApply: z.boolean() })),
      /**
       * Every set restored on this host, newest first (rolled back in that
       * order). `recorded` false: this laptop did not make it (another
       * admin's laptop): its manifest's paths and hashes, to be confirmed.
       */
      sets: z
        .array(
          z.object({
            set: z.string(),
            createdAt: z.string(),
            recorded: z.boolean(),
            files: z.array(z.object({ path: z.string(), existed: z.boolean(), sha256Before: z.string().nullable(), sha256After: z.string().nullable() })),
          }),
        )
        .optional(),
    }),
  ),
  /** Restarts the rollback would offer: for the files it restores, and any still owed on those hosts. */
  restarts: z.object({ replicated: z.boolean(), docker: z.array(z.string()) }),
  warnings: z.array(z.string()),
  /** The points one can roll back to, newest first: the state before each apply (the last one is the original). */
  choices: z.array(z.object({ set: z.string(), createdAt: z.string(), hosts: z.array(z.string()) })).optional(),
  /** The chosen point (absent: the original, before the first apply Drydock has a backup of). */
  to: z.string().optional(),
  /** `host/set` keys of sets this laptop has no record of: the rollback restores them only if they are confirmed. */
  unrecorded: z.array(z.string()).optional(),
});

export const PendingRestartsSchema = z.object({
  replicated: z.array(z.string()),
  docker: z.array(z.string()),
  /** As the admin reads them: "Replicated on services", "Docker on nomad-1". */
  described: z.array(z.string()),
});

export const RestartResultSchema = z.object({
  runId: z.string(),
  restarted: z.object({ replicated: z.boolean(), docker: z.array(z.string()) }),
  pendingRestarts: z.array(z.string()),
  summary: z.string(),
});

export const RollbackResultSchema = z.object({
  runId: z.string(),
  restored: z.array(z.object({ host: z.string(), set: z.string(), files: z.array(z.string()) })),
  restarted: z.object({ replicated: z.boolean(), docker: z.array(z.string()) }),
  pendingRestarts: z.array(z.string()),
  summary: z.string(),
});

export const CustomizePlanSchema = z.object({
  host: z.string(),
  path: z.string(),
  action: FileChangeSchema.shape.action,
  diff: z.string(),
  /** Current values of the variables Drydock knows in that file. */
  current: z.record(z.string(), z.string()),
  fingerprint: z.string(),
});

export const proxyChannels = {
  /** Read every host's files and show what apply would change. Writes nothing. */
  'proxy:plan': { request: ProxyRequestSchema, response: ProxyPlanSchema },
  /** Back up, write, restart (if agreed), verify. Resumes an interrupted apply with the same settings. */
  'proxy:apply': { request: ProxyApplyRequestSchema, response: ProxyApplyResultSchema },
  /** Fetch a URL through the proxy the hosts' files name, from every host. */
  'proxy:verify': {
    request: z.object({ url: VerifyUrlSchema.optional() }).strict(),
    /** pendingRestarts: the files may be right while the services still run the old settings. */
    response: z.object({ url: z.string(), results: z.array(VerifyResultSchema), pendingRestarts: z.array(z.string()) }),
  },
  /** Restarts still owed after an apply or rollback whose restart was declined or interrupted. */
  'proxy:pending-restarts': { request: z.object({}).strict(), response: PendingRestartsSchema },
  /** Do the owed restarts the admin ticked, and only those. */
  'proxy:restart': { request: RestartConsentSchema, response: RestartResultSchema },
  /** `to`: roll back to the state before that set's apply (default: before the first one, the original). */
  'proxy:rollback-plan': { request: z.object({ to: BackupSetName.optional() }).strict(), response: RollbackPlanSchema },
  /** Restore proxy backups on every host, newest first, byte for byte, then the restarts agreed to. */
  'proxy:rollback': {
    request: ProxyRollbackRequestSchema,
    response: RollbackResultSchema,
  },
  'customize:plan': { request: CustomizeRequestSchema, response: CustomizePlanSchema },
  'customize:apply': {
    request: z.object({ change: CustomizeRequestSchema, planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict(),
    response: z.object({ runId: z.string(), host: z.string(), path: z.string(), changed: z.boolean(), summary: z.string() }),
  },
} as const;

export type ProxyPlan = z.infer<typeof ProxyPlanSchema>;
export type HostPlan = z.infer<typeof HostPlanSchema>;
export type FileChange = z.infer<typeof FileChangeSchema>;
export type VerifyResult = z.infer<typeof VerifyResultSchema>;
export type ProxyApplyResult = z.infer<typeof ProxyApplyResultSchema>;
export type RollbackPlan = z.infer<typeof RollbackPlanSchema>;
export type RollbackResult = z.infer<typeof RollbackResultSchema>;
export type CustomizePlan = z.infer<typeof CustomizePlanSchema>;
export type PendingRestartsView = z.infer<typeof PendingRestartsSchema>;
export type RestartResult = z.infer<typeof RestartResultSchema>;
export type RestartConsent = z.infer<typeof RestartConsentSchema>;
