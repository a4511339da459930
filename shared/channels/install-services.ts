/**
 * Install channels (engine side: electron/engine/operations/install/services
 * and …/nomad): plan then run the Services machine's headless Replicated
 * install, provision Nomad clients, drain one. Plans are read-only; runs
 * need `confirm: true` after the admin saw what installs and starts
 * (without it: CONFIRMATION_REQUIRED). File contents never cross this
 * boundary: diffs only, the console password masked.
 */
import { z } from 'zod';
import { HostAddress, HostName, isIpAddress } from '../hosts';
import { FileChangeSchema } from './proxy';

/** A file on this computer (the admin picks it). */
const LocalPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'a file path');
/** A file on the Services machine (TLS certificate and key). */
const RemotePath = z.string().regex(/^\/[A-Za-z0-9._/+-]+$/, 'an absolute path on the Services machine, e.g. /etc/ssl/ci.crt').refine((p) => !p.split('/').includes('..'), 'no ".." in the path');
const IpAddress = z.string().refine(isIpAddress, 'an IP address, e.g. 10.0.1.238');

export const ServicesInstallRequestSchema = z
  .object({
    /** The Services machine (default: the inventory's one host with the role services). */
    host: HostName.optional(),
    /** The airgap-enabled .rli license, on this computer. */
    license: LocalPath.refine((p) => p.endsWith('.rli'), 'License: an .rli file'),
    /** The .airgap bundle (Replicated requires the name to end in .airgap). */
    bundle: LocalPath.refine((p) => p.endsWith('.airgap'), 'Bundle: the file name must end in .airgap'),
    /** replicated.tar.gz; absent: the one already in the host's bundle folder. */
    installer: LocalPath.optional(),
    /** Docker .deb files, installed only if Docker is missing; absent: the .debs in the host's bundle folder. */
    dockerDebs: z.array(LocalPath).max(20).optional(),
    /** The CircleCI hostname (default: the Services machine's address in the inventory). */
    hostname: HostAddress.optional(),
    /** Given to install.sh (default: the inventory address when it is an IP, else asked for). */
    privateAddress: IpAddress.optional(),
    /** Asked at install time: it cannot be turned on later. */
    ldap: z.boolean(),
    /** headless: replicated.conf bootstraps the license; console: install Replicated, then the admin uploads in the console. */
    mode: z.enum(['headless', 'console']).default('headless'),
    /** The admin console's password (headless); never kept in runbooks. */
    consolePassword: z.string().min(8, 'Console password: at least 8 characters').max(256).optional(),
    /** A certificate and key already on the Services machine for the console (TLS bootstrap); absent: self-signed. */
    tls: z.object({ cert: RemotePath, key: RemotePath }).strict().optional(),
    /** How long to wait for the app to start (default 10 minutes, as CircleCI's own script). */
    waitMinutes: z.number().min(0.05).max(120).default(10),
    pollSeconds: z.number().min(0.2).max(60).default(10),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.mode === 'headless' && !r.consolePassword) ctx.addIssue({ code: 'custom', path: ['consolePassword'], message: 'Console password: required for a headless install' });
  });

export const ServicesInstallRunSchema = z
  .object({
    request: ServicesInstallRequestSchema,
    /** The admin saw the plan's `installs` and agrees. */
    confirm: z.boolean(),
    /** The plan the admin reviewed; refused (CONFLICT) if the host changed since. */
    planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

export const BundleFileSchema = z.object({
  role: z.enum(['license', 'bundle', 'installer', 'docker-deb', 'nomad']),
  host: z.string(),
  /** On this computer (absent: taken from the host's bundle folder as it is). */
  local: z.string().optional(),
  remote: z.string(),
  sha256: z.string().nullable(),
  /** Already on the host with this hash; false: the run pushes it first. */
  onHost: z.boolean(),
});

export const ServicesInstallPlanSchema = z.object({
  host: z.string(),
  hostname: z.string(),
  privateAddress: z.string(),
  mode: z.enum(['headless', 'console']),
  files: z.array(BundleFileSchema),
  fileChanges: z.array(FileChangeSchema),
  docker: z.object({ installed: z.boolean(), version: z.string().optional(), fromBundle: z.boolean() }),
  /** `install.sh airgap …` as it will run (null: the installer could not be read). */
  installerArgs: z.array(z.string()).nullable(),
  proxy: z.object({ url: z.string(), noProxy: z.array(z.string()) }).nullable(),
  ldap: z.boolean(),
  ldapWarning: z.string(),
  /** Replicated already runs there: the installer would run over an installation. */
  alreadyInstalled: z.boolean(),
  /** What the run installs and starts, for the confirmation. */
  installs: z.array(z.string()),
  /** Why it cannot run as it is. */
  blockers: z.array(z.string()),
  warnings: z.array(z.string()),
  fingerprint: z.string(),
});

export const ServicesInstallResultSchema = z.object({
  runId: z.string(),
  host: z.string(),
  mode: z.enum(['headless', 'console']),
  installerRan: z.boolean(),
  dockerFromBundle: z.boolean(),
  /** The last `replicatedctl app status inspect` seen. */
  appStatus: z.string().optional(),
  consoleUrl: z.string(),
  /** Console mode: what the admin uploads there. */
  upload: z.array(z.string()).optional(),
  summary: z.string(),
});

export const NomadInstallRequestSchema = z
  .object({
    /** Nomad clients to provision (default: every host with the role nomad). */
    hosts: z.array(HostName).max(500).optional(),
    /** The nomad binary on this computer; absent: `nomad` in each client's bundle folder. */
    nomadBinary: LocalPath.optional(),
    dockerDebs: z.array(LocalPath).max(20).optional(),
    waitMinutes: z.number().min(0.05).max(60).default(5),
    pollSeconds: z.number().min(0.2).max(60).default(5),
  })
  .strict();

export const NomadInstallRunSchema = z.object({ request: NomadInstallRequestSchema, confirm: z.boolean(), planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict();

export const NomadClientPlanSchema = z.object({
  host: z.string(),
  advertise: z.string(),
  docker: z.object({ installed: z.boolean(), version: z.string().optional() }),
  files: z.array(BundleFileSchema),
  fileChanges: z.array(FileChangeSchema),
  binaryInstalled: z.boolean(),
  networkExists: z.boolean(),
  nomadRunning: z.boolean(),
  /** As the Services machine's Nomad server lists it now (absent: not registered). */
  node: z.object({ id: z.string(), status: z.string(), drain: z.boolean() }).optional(),
  blockers: z.array(z.string()),
});

export const NomadInstallPlanSchema = z.object({
  servicesHost: z.string(),
  servicesAddress: z.string(),
  clients: z.array(NomadClientPlanSchema),
  installs: z.array(z.string()),
  blockers: z.array(z.string()),
  warnings: z.array(z.string()),
  fingerprint: z.string(),
});

export const NomadClientResultSchema = z.object({ host: z.string(), nodeId: z.string().optional(), status: z.string(), dockerFromBundle: z.boolean(), dockerRestarted: z.boolean() });
export const NomadInstallResultSchema = z.object({ runId: z.string(), clients: z.array(NomadClientResultSchema), summary: z.string() });

export const NomadDrainRequestSchema = z.object({ host: HostName, confirm: z.boolean(), waitMinutes: z.number().min(0.05).max(240).default(30), pollSeconds: z.number().min(0.2).max(60).default(5) }).strict();
export const NomadDrainPlanSchema = z.object({ host: z.string(), servicesHost: z.string(), nodeId: z.string(), name: z.string(), status: z.string(), drain: z.boolean(), runningAllocs: z.number(), summary: z.string() });
export const NomadDrainResultSchema = z.object({ runId: z.string(), host: z.string(), nodeId: z.string(), allocsAtStart: z.number(), stopped: z.boolean(), summary: z.string() });

export const installServicesChannels = {
  /** Read-only: hashes the laptop files, looks at the host, renders replicated.conf and the settings, reads the installer's usage. */
  'install:services-plan': { request: ServicesInstallRequestSchema, response: ServicesInstallPlanSchema },
  /** Pushes what is missing, writes the files (backed up), installs Docker if missing, runs install.sh, waits for started. */
  'install:services-run': { request: ServicesInstallRunSchema, response: ServicesInstallResultSchema },
  'install:nomad-plan': { request: NomadInstallRequestSchema, response: NomadInstallPlanSchema },
  /** Docker, daemon.json, the nomad binary, config.hcl, the unit, ci-privileged, start; done when each node is ready. */
  'install:nomad-run': { request: NomadInstallRunSchema, response: NomadInstallResultSchema },
  'nomad:drain-plan': { request: z.object({ host: HostName }).strict(), response: NomadDrainPlanSchema },
  /** Drain (builds move to other clients), wait for 0 running allocations, stop nomad there. */
  'nomad:drain': { request: NomadDrainRequestSchema, response: NomadDrainResultSchema },
} as const;

export type ServicesInstallRequest = z.output<typeof ServicesInstallRequestSchema>;
export type ServicesInstallPlan = z.output<typeof ServicesInstallPlanSchema>;
export type ServicesInstallResult = z.output<typeof ServicesInstallResultSchema>;
export type NomadInstallRequest = z.output<typeof NomadInstallRequestSchema>;
export type NomadInstallPlan = z.output<typeof NomadInstallPlanSchema>;
export type NomadClientPlan = z.output<typeof NomadClientPlanSchema>;
export type NomadInstallResult = z.output<typeof NomadInstallResultSchema>;
export type NomadDrainPlan = z.output<typeof NomadDrainPlanSchema>;
export type NomadDrainResult = z.output<typeof NomadDrainResultSchema>;
export type BundleFile = z.output<typeof BundleFileSchema>;
