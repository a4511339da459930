/**
 * Backup channels (engine side: electron/engine/operations/backup). Profiles
 * hold no secret; AWS keys typed in the GUI go through `backup:aws-keys` and
 * stay in the engine's memory for the session.
 */
import { z } from 'zod';
import { BackupViewSchema, PruneDecisionSchema } from '../backup/catalog';
import { AwsKeysSchema, AwsProfileSchema, BACKUP_MODES, BackupProfileSchema, InstallationId, LibvirtProfileSchema, ProfileName } from '../backup/profile';

/** A profile as `profile set` takes it: the installation id is generated when absent. */
export const ProfileInputSchema = z.discriminatedUnion('provider', [
  AwsProfileSchema.extend({ installationId: InstallationId.optional() }),
  LibvirtProfileSchema.extend({ installationId: InstallationId.optional() }),
]);

const Retention = {
  keepLast: z.number().int().min(1, 'keep at least 1').max(10_000).optional(),
  keepDays: z.number().min(0).max(36_500).optional(),
};

export const BackupRunRequestSchema = z
  .object({
    profile: ProfileName,
    mode: z.enum(BACKUP_MODES),
    /** all: every EBS volume of the instance at once (crash-consistent); root: the root volume alone. */
    volumes: z.enum(['root', 'all']).default('all'),
    /** Follow the snapshot to `completed` before the run ends. */
    wait: z.boolean().default(false),
    /** Consistent mode: wait until no build runs before stopping the app (else go on). */
    waitForBuilds: z.boolean().default(false),
    /** The plan the admin reviewed; refused (CONFLICT) if the disks changed since. */
    planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();
export type BackupRunRequest = z.input<typeof BackupRunRequestSchema>;

export const BackupDiskSchema = z.object({ id: z.string(), device: z.string(), root: z.boolean(), sizeGiB: z.number() });

export const BackupPlanSchema = z.object({
  profile: BackupProfileSchema,
  mode: z.enum(BACKUP_MODES),
  credentials: z.string(),
  machine: z.object({ id: z.string(), name: z.string().optional(), privateAddress: z.string().optional(), state: z.string(), zone: z.string().optional(), rootDevice: z.string() }),
  disks: z.array(BackupDiskSchema),
  /** Disks of the machine this backup leaves out (root-only). */
  skipped: z.array(BackupDiskSchema),
  servicesHost: z.string().optional(),
  addresses: z.object({ private: z.string().optional(), public: z.string().optional() }),
  runningBuilds: z.number().int().optional(),
  warnings: z.array(z.string()),
  /** What the mode means, in the guide's words. */
  explanation: z.array(z.string()),
  steps: z.array(z.string()),
  fingerprint: z.string(),
});
export type BackupPlan = z.infer<typeof BackupPlanSchema>;

export const BackupRunResultSchema = z.object({
  runId: z.string(),
  mode: z.enum(BACKUP_MODES),
  machine: z.string(),
  snapshots: z.array(z.object({ id: z.string(), disk: z.string(), root: z.boolean(), state: z.string(), progress: z.number() })),
  downtimeMs: z.number().optional(),
  warnings: z.array(z.string()),
  summary: z.string(),
});
export type BackupRunResult = z.infer<typeof BackupRunResultSchema>;

const byProfile = z.object({ profile: ProfileName }).strict();

export const backupChannels = {
  'backup:profiles': { request: z.object({}).strict(), response: z.array(BackupProfileSchema) },
  'backup:profile-set': { request: ProfileInputSchema, response: BackupProfileSchema },
  'backup:profile-remove': { request: byProfile, response: z.object({ removed: z.boolean() }) },
  /** Session-only AWS keys for a profile (never written to disk). */
  'backup:aws-keys': { request: z.object({ profile: ProfileName, keys: AwsKeysSchema }).strict(), response: z.object({ stored: z.boolean() }) },
  /** What a backup would snapshot and how; touches nothing. */
  'backup:plan': { request: z.object({ profile: ProfileName, mode: z.enum(BACKUP_MODES), volumes: z.enum(['root', 'all']).default('all') }).strict(), response: BackupPlanSchema },
  'backup:run': { request: BackupRunRequestSchema, response: BackupRunResultSchema },
  /** The catalog: this installation's backups and other snapshots of the same disks. */
  'backup:list': { request: byProfile, response: z.object({ backups: z.array(BackupViewSchema) }) },
  'backup:prune-plan': { request: z.object({ profile: ProfileName, ...Retention }).strict(), response: z.object({ decisions: z.array(PruneDecisionSchema) }) },
  /** Delete exactly the backups the admin confirmed, if a fresh plan still says so. */
  'backup:prune': {
    request: z.object({ profile: ProfileName, ...Retention, confirm: z.array(z.string().min(1)).min(1) }).strict(),
    response: z.object({ runId: z.string(), deleted: z.array(z.string()), kept: z.array(z.object({ id: z.string(), why: z.string() })), summary: z.string() }),
  },
} as const;
