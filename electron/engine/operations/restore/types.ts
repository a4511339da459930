/**
 * The restore runbook's input (everything the reviewed plan resolved, so a
 * resume acts on exactly what the admin saw) and its state.
 */
import { z } from 'zod';
import { BackupProfileSchema } from '../../../../shared/backup/profile';
import { RESTORE_MODES } from '../../../../shared/channels/restore';
import type { ReportableState } from '../../report/run-record';
import type { StepContext } from '../operation';
import type { DrillFirewallState } from './drill-firewall/steps';
import type { NetworkIsolation } from '../backup/provider';
import type { DnsAnswer } from './dns-answers';

export const RestoreInput = z
  .object({
    mode: z.enum(RESTORE_MODES),
    profileData: BackupProfileSchema,
    spare: z.object({
      host: z.string(),
      address: z.string(),
      machineId: z.string(),
      zone: z.string(),
      region: z.string().optional(),
      rootDevice: z.string(),
      /** The spare's own root volume: detached and kept, put back by an abort. */
      originalRoot: z.string(),
      wasRunning: z.boolean(),
      /** The spare's known_hosts keys when the plan was made: an abort trusts them again (its own disk, its own key). */
      keys: z.array(z.object({ keyType: z.string(), key: z.string() })),
      /** The spare's root already holds this backup (refresh-spare): the volume steps have nothing to do. */
      holds: z.string().optional(),
    }),
    backup: z.object({
      id: z.string(),
      snapshotId: z.string(),
      startedAt: z.string(),
      region: z.string().optional(),
      privateAddress: z.string().optional(),
      publicAddress: z.string().optional(),
    }),
    primary: z.object({ host: z.string().optional(), address: z.string().optional(), fingerprints: z.array(z.string()) }),
    nomadClients: z.array(z.string()),
    /** Where the frontend's health endpoint is asked from the spare (default its private address). */
    endpointHost: z.string().optional(),
    /** The name users reach CircleCI by, for the DNS check. */
    hostname: z.string().optional(),
    /** The admin's word that they cut the spare's outbound network themselves (the provider cannot): drill, refresh-spare. */
    spareIsolated: z.boolean().optional(),
    planFingerprint: z.string(),
    createdBy: z.string(),
    /** Tests shorten the waits; the admin's runs use the defaults. */
    pollMs: z.number().int().min(10).max(60_000).optional(),
    waitTimeoutMs: z.number().int().min(100).max(24 * 3_600_000).optional(),
  })
  .strict();
export type RestoreInputT = z.output<typeof RestoreInput>;

export interface HostKeySeen {
  fingerprint: string;
  keyType?: string;
  proof: 'primary' | 'console' | 'admin' | 'refused';
  at: string;
}

export interface RestoreState extends ReportableState {
  /** The snapshot the volume is made from (the backup's, or its copy in the spare's region). */
  snapshotId?: string;
  volumeId?: string;
  hostKeys: HostKeySeen[];
  /** The fingerprint the admin confirmed on the spare's console (restore:trust-key). */
  confirmedKey?: string;
  /** The old addresses found in the spare's files after boot, when the backup recorded none. */
  oldAddresses?: { private?: string; public?: string };
  sparePublicAddress?: string;
  leftToAdmin: string[];
  /** The start-app step started the app (its undo stops it; only what this run started). */
  appStartedByRun?: boolean;
  /** ms since epoch: when the app answered healthy on the spare. */
  appVerifiedAt?: number;
  trafficVerified?: boolean;
  /** Where the hostname led when last asked: this computer first, then each Nomad client. */
  dnsAnswers?: DnsAnswer[];
  timings: Record<string, number>;
  /** The drill's outbound block (drill-firewall/): its backup set and what load created. */
  drillFirewall?: DrillFirewallState;
  /** What isolate-spare changed at the provider (release-spare-network and an abort put it back). */
  isolation?: NetworkIsolation;
  /** Set (and saved) before isolate-spare asks the provider: a crash before its record is saved leaves the undo this trace. */
  isolating?: boolean;
  /** The provider could not isolate: the admin said they cut the spare's network themselves. */
  isolatedByAdmin?: boolean;
  /** ms since epoch: when the isolation was released. */
  networkReleasedAt?: number;
  /** ms since epoch: when a drill put the spare back on its own root. */
  drillPutBack?: number;
}

export type Ctx = StepContext<RestoreInputT, RestoreState>;

export const KEPT_ROOT_TAG = 'drydock:kept-root-of';
export const RESTORE_RUN_TAG = 'drydock:restore-run';
