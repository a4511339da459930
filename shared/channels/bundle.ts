/**
 * Offline bundle channels (engine side: electron/engine/operations/bundle).
 * The files are paths on the computer Drydock runs on: the engine reads them
 * (in browser mode the page cannot read local files, so the admin types the
 * paths). A push is a runbook operation: progress comes as `transfer` events
 * (shared/events.ts), and an interrupted push is resumed with runs:resume.
 */
import { z } from 'zod';
import { HostName } from '../hosts';

export const DEFAULT_BUNDLE_DIR = '/var/lib/drydock/bundle';

const LocalPath = z.string().min(1, 'give the file\'s full path').max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'give the file\'s full path on this computer');
const RemoteDir = z
  .string()
  .regex(/^(\/[A-Za-z0-9._+-]+){2,}$/, 'a plain absolute folder on the host, at least two levels deep (e.g. /var/lib/drydock/bundle)')
  .refine((d) => !d.split('/').some((p) => p === '.' || p === '..'), 'no . or .. in the folder');

/** Where to: named hosts, or every host of a role. */
const Targets = {
  files: z.array(LocalPath).min(1, 'choose at least one file').max(50),
  hosts: z.array(HostName).min(1).max(500).optional(),
  role: z.enum(['services', 'nomad']).optional(),
  dir: RemoteDir.optional(),
};
const oneTarget = (r: { hosts?: string[]; role?: string }) => (r.hosts ? 1 : 0) + (r.role ? 1 : 0) === 1;
const oneTargetMessage = { message: 'say where to: hosts or a role (services or nomad), not both', path: ['hosts'] };

export const BundlePushRequestSchema = z.object(Targets).strict().refine(oneTarget, oneTargetMessage);
export type BundlePushRequest = z.input<typeof BundlePushRequestSchema>;

/** One file on one host, as it ended. */
export const BundleFileResultSchema = z.object({
  host: z.string(),
  file: z.string(),
  path: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  /** Bytes kept from an interrupted push (hash-checked); the whole size when it was already there. */
  resumedFrom: z.number(),
  /** Bytes that crossed the network this time. */
  sent: z.number(),
  seconds: z.number(),
  skipped: z.boolean(),
  /** A .part of this many bytes was found whose hash did not match: it was emptied and the file sent whole. */
  discardedPart: z.number().optional(),
});
export type BundleFileResult = z.infer<typeof BundleFileResultSchema>;

export const BundleStatusSchema = z.object({
  /** The laptop files: size, or why they cannot be sent. */
  files: z.array(z.object({ path: z.string(), name: z.string(), size: z.number().optional(), error: z.string().optional() })),
  /** The hosts a push would go to. */
  hosts: z.array(z.string()),
  dir: z.string(),
});
export type BundleStatus = z.infer<typeof BundleStatusSchema>;

export const bundleChannels = {
  /** Send the files, every host at once, SHA-256 on both ends; refused before sending when a host lacks space. */
  'bundle:push': { request: BundlePushRequestSchema, response: z.object({ runId: z.string(), files: z.array(BundleFileResultSchema) }) },
  /** What a push would send where: the laptop files' sizes (or why not) and the hosts; touches no host. */
  'bundle:status': {
    request: z
      .object({ ...Targets, files: z.array(z.string().max(4096)).max(50) })
      .strict()
      .refine((r) => !r.hosts || !r.role, oneTargetMessage),
    response: BundleStatusSchema,
  },
} as const;
