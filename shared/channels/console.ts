/**
 * Management console channels (engine side: electron/engine/operations/console):
 * the pinned tunnel to 8800, and the console settings set headless. Secret
 * setting values go in (apply), never come back out: plans mask them.
 */
import { z } from 'zod';
import { HostName } from '../hosts';
import { SettingsChangesSchema, SettingsPlanSchema } from '../console/settings';

/** What `replicated auth reset` means, said before it runs (CLI and GUI). */
export const RESET_CONSEQUENCE =
  'The management console’s password is removed: the next visit to port 8800 asks for a new one, and whoever reaches the port first sets it. Set it at once through Drydock’s tunnel. The CircleCI app keeps running.';

const services = z.object({ services: HostName.optional() });

export const TunnelStateSchema = z.object({
  services: z.string(),
  remote: z.string(),
  url: z.string(),
  localPort: z.number(),
  /** SHA-256 of the pinned certificate, colon hex. */
  fingerprint: z.string(),
  subject: z.string(),
  open: z.boolean(),
  connections: z.number(),
  active: z.number(),
  refused: z.number(),
  lastRefusal: z.string().optional(),
});
export type TunnelStateView = z.infer<typeof TunnelStateSchema>;

export const SettingViewSchema = z.object({
  key: z.string(),
  label: z.string(),
  value: z.string().optional(),
  where: z.string().optional(),
  item: z.string().optional(),
  missing: z.string().optional(),
});

const changes = services.extend({ changes: SettingsChangesSchema }).strict();

export const consoleChannels = {
  /** Open (or return the open) tunnel to the Services machine's 8800, certificate pinned. */
  'console:open': {
    request: services.extend({ port: z.number().int().min(0).max(65535).optional(), address: z.string().max(255).optional() }).strict(),
    response: TunnelStateSchema,
  },
  'console:state': { request: z.object({}).strict(), response: z.object({ tunnel: TunnelStateSchema.nullable() }) },
  'console:close': { request: z.object({}).strict(), response: z.object({ closed: z.boolean() }) },
  /** `replicated auth reset`; `confirmed` says the admin read the consequence (RESET_CONSEQUENCE). */
  'console:reset-password': {
    request: services.extend({ confirmed: z.literal(true) }).strict(),
    response: z.object({ services: z.string(), said: z.string() }),
  },
  'settings:show': { request: services.strict(), response: z.object({ services: z.string(), settings: z.array(SettingViewSchema) }) },
  'settings:plan': { request: changes, response: SettingsPlanSchema },
  'settings:apply': {
    request: changes.extend({
      /** The admin agreed to restart the app now (as the console's "Restart Now"). */
      restart: z.boolean(),
      /** The plan the admin reviewed; refused (CONFLICT) if the items changed since. */
      planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    }),
    response: z.object({ plan: SettingsPlanSchema, runId: z.string(), backupFile: z.string().optional(), changed: z.array(z.string()), restarted: z.boolean() }),
  },
  /** Which items rollback would put back, from which saved export. */
  'settings:rollback-plan': {
    request: services.strict(),
    response: z.object({ services: z.string(), backupFile: z.string(), items: z.array(z.string()) }),
  },
  'settings:rollback': {
    request: services.extend({ restart: z.boolean() }).strict(),
    response: z.object({ services: z.string(), backupFile: z.string(), restored: z.array(z.string()), restarted: z.boolean() }),
  },
  'settings:usage-export': {
    request: services.extend({ out: z.string().min(1).max(4096) }).strict(),
    response: z.object({ services: z.string(), file: z.string(), bytes: z.number() }),
  },
} as const;
