/**
 * Restore onto the hot spare (issue 11; engine side:
 * electron/engine/operations/restore). `restore:plan` is the preview and
 * touches nothing; `restore:run` starts a recovery runbook whose progress
 * comes through the ordinary run events; a run that meets a host key it
 * cannot prove stops with CONFIRMATION_REQUIRED until the admin confirms the
 * fingerprint (`restore:trust-key`) and resumes it (`runs:resume`).
 */
import { z } from 'zod';
import { HostName } from '../hosts';
import { InstanceRef, ProfileName } from '../backup/profile';
import { RunSummarySchema } from '../runs';

const RunId = z.string().regex(/^[A-Za-z0-9-]+$/);
const Fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'SHA256:… as ssh-keygen -lf prints it');

/** restore: the full failover; drill: no re-pointing, outbound traffic blocked, spare put back; refresh-spare: image the spare and leave the app stopped. */
export const RESTORE_MODES = ['restore', 'drill', 'refresh-spare'] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];

export const RestorePlanRequestSchema = z
  .object({
    /** The inventory host with role `spare`. */
    spare: HostName,
    /** The backup profile; required only when there is more than one. */
    profile: ProfileName.optional(),
    /** A backup id (the run that took it) or a snapshot id; default: the newest completed backup. */
    backup: z.string().regex(/^[A-Za-z0-9:._-]{1,128}$/).optional(),
    /** Same as mode 'drill' (kept for the CLI's --drill). */
    drill: z.boolean().optional(),
    mode: z.enum(RESTORE_MODES).optional(),
    /** The spare's instance when the profile does not name one and its address does not find it. */
    spareInstance: InstanceRef.optional(),
    /**
     * Drill and refresh-spare, when the provider cannot cut the spare off
     * itself: the admin's explicit word "I have cut the spare's outbound
     * network at the hypervisor/cloud: only SSH reaches it". Without it such
     * a plan is blocked (the restored disk would boot production's app with
     * open egress).
     */
    spareIsolated: z.boolean().optional(),
  })
  .strict();
export type RestorePlanRequest = z.input<typeof RestorePlanRequestSchema>;

export const RestoreStepPreviewSchema = z.object({
  name: z.string(),
  title: z.string(),
  /** What it does, in one line, with the ids it will use. */
  detail: z.string(),
  /** Will not run in this mode or because it is already in place (the spare already holds the backup…). */
  skipped: z.boolean(),
  why: z.string().optional(),
  /** May be skipped if it fails, and what that costs. */
  skipConsequence: z.string().optional(),
  /** Can be undone by abort. */
  undoable: z.boolean(),
});

export const VolumeChangeSchema = z.object({
  action: z.enum(['copy-snapshot', 'create', 'detach-keep', 'attach-root']),
  /** Snapshot, volume or device it concerns ("new" when it does not exist yet). */
  subject: z.string(),
  detail: z.string(),
});

export const LineChangeSchema = z.object({
  host: z.string(),
  file: z.string(),
  key: z.string(),
  old: z.string().optional(),
  new: z.string().optional(),
  /** The backup recorded no value: the line is read on the spare after it boots. */
  readAfterBoot: z.boolean(),
});

export const NomadRepointSchema = z.object({
  host: z.string(),
  address: z.string(),
  file: z.string(),
  from: z.string().optional(),
  to: z.string(),
});

export const BlockingProblemSchema = z.object({
  code: z.enum(['backup-not-completed', 'no-backup', 'root-device-mismatch', 'spare-not-spare', 'spare-running-unknown', 'spare-not-found', 'zone-unknown', 'provider', 'lock-held', 'spare-not-isolated', 'spare-still-isolated']),
  message: z.string(),
});

export const RestorePlanSchema = z.object({
  mode: z.enum(RESTORE_MODES),
  profile: z.string(),
  provider: z.enum(['aws', 'libvirt', 'vsphere']),
  backup: z
    .object({
      id: z.string(),
      snapshotId: z.string(),
      state: z.enum(['pending', 'completed', 'error']),
      startedAt: z.string(),
      /** Age of the backup when planned: the recovery point. */
      ageMs: z.number(),
      recoveryPoint: z.string(),
      sourceMachine: z.string().optional(),
      privateAddress: z.string().optional(),
      publicAddress: z.string().optional(),
      sizeGiB: z.number(),
    })
    .nullable(),
  spare: z.object({
    host: z.string(),
    address: z.string(),
    machineId: z.string(),
    state: z.string(),
    zone: z.string().optional(),
    region: z.string().optional(),
    rootDevice: z.string(),
    rootDisk: z.string().optional(),
    /** The backup the spare already holds (refresh-spare), with its age. */
    holds: z.object({ backup: z.string(), ageMs: z.number() }).optional(),
  }),
  primary: z.object({ host: z.string().optional(), address: z.string().optional() }),
  steps: z.array(RestoreStepPreviewSchema),
  volumes: z.array(VolumeChangeSchema),
  lineChanges: z.array(LineChangeSchema),
  nomadClients: z.array(NomadRepointSchema),
  /** NO_PROXY entries naming the old address. */
  noProxy: z.array(z.object({ host: z.string(), file: z.string(), entry: z.string() })),
  traffic: z.object({ from: z.string().optional(), to: z.string(), hostname: z.string().optional(), instructions: z.array(z.string()) }),
  /**
   * Drill / refresh-spare: how the spare is kept from reaching out while it
   * boots production's disk. needed: false in a failover; available: the
   * provider isolates it (isolate-spare); acknowledged: the admin's
   * spareIsolated, which stands in when it is not available.
   */
  isolation: z.object({ needed: z.boolean(), available: z.boolean(), acknowledged: z.boolean(), how: z.string() }),
  blocking: z.array(BlockingProblemSchema),
  warnings: z.array(z.string()),
  /** What the admin reviewed: a run with another fingerprint is refused (CONFLICT). */
  fingerprint: z.string(),
});
export type RestorePlan = z.infer<typeof RestorePlanSchema>;

/** Said when a run is asked for without the fingerprint of a reviewed plan. */
export const RUN_NEEDS_PLAN = "Review the plan first (drydock restore plan, or the Restore page's preview): a restore runs only the plan the admin reviewed, named by its fingerprint";

export const RestoreRunRequestSchema = RestorePlanRequestSchema.extend({
  /** The plan the admin reviewed (required: nothing runs unreviewed); refused when what the run acts on changed since. */
  planFingerprint: z.string({ error: (issue) => (issue.input === undefined ? RUN_NEEDS_PLAN : undefined) }).regex(/^[0-9a-f]{64}$/),
  /** The admin confirmed the disruptive run (stop the spare, swap its root). Never trusts a host key. */
  confirmed: z.boolean(),
}).strict();
export type RestoreRunRequest = z.input<typeof RestoreRunRequestSchema>;

export const HostKeySeenSchema = z.object({
  fingerprint: z.string(),
  keyType: z.string().optional(),
  /** primary: the primary's known key; console: printed by cloud-init on the spare's console; admin: confirmed by the admin; refused: neither. */
  proof: z.enum(['primary', 'console', 'admin', 'refused']),
});

export const RestoreRunResultSchema = z.object({
  runId: z.string(),
  run: RunSummarySchema,
  mode: z.enum(RESTORE_MODES),
  backup: z.string().optional(),
  recoveryPointMs: z.number().optional(),
  /** From the run's start to the app verified (restore) or to the end. */
  recoveryTimeMs: z.number().optional(),
  hostKeys: z.array(HostKeySeenSchema),
  /** What the admin still has to do (DNS / load balancer…). */
  leftToAdmin: z.array(z.string()),
  summary: z.string(),
});
export type RestoreRunResult = z.infer<typeof RestoreRunResultSchema>;

/** Where the CircleCI hostname leads now, asked after the run (the admin made the DNS / load balancer change). */
export const TrafficCheckSchema = z.object({
  hostname: z.string().optional(),
  /** What the hostname resolves to from this computer. */
  resolved: z.array(z.string()),
  /** What each Nomad client's resolver says (`getent hosts`), with why there is no answer. */
  fromClients: z.array(z.object({ host: z.string(), resolved: z.array(z.string()), error: z.string().optional() })).optional(),
  /** This computer and the clients do not give the same answer (split DNS, a cached old record). */
  disagree: z.boolean().optional(),
  /** The spare's addresses it should resolve to. */
  targets: z.array(z.string()),
  /** It resolves to the spare from here. */
  ok: z.boolean(),
  /** The admin said the change is made (recorded in the run and the audit log; shown in the report). */
  confirmedByAdmin: z.boolean(),
  message: z.string(),
});
export type TrafficCheck = z.infer<typeof TrafficCheckSchema>;

export const RecoveryLockSchema = z.object({ holder: z.string(), pid: z.number(), runId: z.string(), since: z.string(), alive: z.boolean() });

export const restoreChannels = {
  /** The preview: what a restore would do and what blocks it; touches nothing. */
  'restore:plan': { request: RestorePlanRequestSchema, response: RestorePlanSchema },
  /** Start a recovery runbook (one at a time per installation). Ends done, or stopped (resumable) with its error. */
  'restore:run': { request: RestoreRunRequestSchema, response: RestoreRunResultSchema },
  /** Undo every step done so far, newest first (the spare's own root back; the restored volume kept). Resumable itself. */
  'restore:abort': { request: z.object({ runId: RunId, confirmed: z.boolean() }).strict(), response: RunSummarySchema },
  /** The admin checked the fingerprint on the spare's console: trust it for this run (then runs:resume). */
  'restore:trust-key': { request: z.object({ runId: RunId, fingerprint: Fingerprint, confirmed: z.boolean() }).strict(), response: HostKeySeenSchema },
  /** Markdown or HTML report of a recovery run (recovery point and time, steps, diffs, host keys, what was left to do). */
  'restore:report': { request: z.object({ runId: RunId, format: z.enum(['md', 'html']) }).strict(), response: z.object({ text: z.string() }) },
  /** After a finished restore: does the hostname lead to the spare now? `confirmed` records the admin's word that the DNS / LB change is made. */
  'restore:check-traffic': { request: z.object({ runId: RunId, confirmed: z.boolean().optional() }).strict(), response: TrafficCheckSchema },
  /** The recovery lock of this installation, if held. */
  'restore:lock': { request: z.object({}).strict(), response: RecoveryLockSchema.nullable() },
  /** Skip a failed step that says it may be skipped (its consequence was shown), then go on with the run. */
  'runs:skip': { request: z.object({ id: RunId, step: z.string().min(1), confirmed: z.boolean() }).strict(), response: RunSummarySchema },
} as const;
