/**
 * The one IPC contract: every channel the renderer may call, with the schema
 * of its request and response. Electron's ipcMain, the preload bridge, the
 * browser-mode HTTP server and the renderer's client are all typed from this
 * map and validate against it at run time, so a channel cannot drift.
 */
import { z } from 'zod';
import { AuditEntrySchema, AuditFilterSchema } from './audit';
import { HostSchema, HostName, HostEditSchema } from './hosts';
import { HostFactsSchema } from './facts';
import { RunSummarySchema } from './runs';
import { proxyChannels } from './channels/proxy';
import { certChannels } from './channels/certs';
import { backupChannels } from './channels/backup';
import { healthChannels } from './channels/health';
import { consoleChannels } from './channels/console';
import { installChannels } from './channels/install';
import { installServicesChannels } from './channels/install-services';
import { bundleChannels } from './channels/bundle';
import { restoreChannels } from './channels/restore';

export const HostViewSchema = HostSchema.extend({
  /** A key for this host's address is in Drydock's known_hosts. */
  trusted: z.boolean(),
  fingerprint: z.string().optional(),
  /** Which session secrets the admin gave for this host (never the secrets themselves). */
  credentials: z.object({ password: z.boolean(), passphrase: z.boolean(), sudoPassword: z.boolean() }),
});

/** A host as saved, plus what the admin should look at (the same address under two names, say). */
export const HostSavedSchema = HostViewSchema.extend({ warnings: z.array(z.string()) });

/** One part of "Test connection": each is shown on its own line, never merged into one verdict. */
export const ConnectionCheckSchema = z.object({
  status: z.enum(['ok', 'failed', 'skipped']),
  message: z.string(),
  code: z.string().optional(),
});

export const ConnectionTestSchema = z.object({
  name: z.string(),
  knownAs: z.string(),
  /** The presented key is the one Drydock trusts. */
  keyTrusted: ConnectionCheckSchema.extend({ fingerprint: z.string().optional(), storedFingerprint: z.string().optional() }),
  /** Logged in as the inventory's user with the key, agent or password. */
  login: ConnectionCheckSchema,
  /** Root works (directly, or through sudo). */
  sudo: ConnectionCheckSchema,
});

export const HostKeyScanSchema = z.object({
  name: z.string(),
  knownAs: z.string(),
  keyType: z.string(),
  fingerprint: z.string(),
  status: z.enum(['unknown', 'trusted', 'changed']),
  storedFingerprint: z.string().optional(),
});

export { RunStepSchema, RunSummarySchema } from './runs';
export { AuditEntrySchema } from './audit';

/** The chain's head as last written beside the log: its entry count and last hash. */
export const AuditHeadSchema = z.object({ count: z.number(), hash: z.string() });

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  brokenAt: z.number().optional(),
  reason: z.string().optional(),
  /** The head the log was compared with; absent for a log written before heads were kept. */
  head: AuditHeadSchema.optional(),
});

const empty = z.object({}).strict();
const byName = z.object({ name: HostName }).strict();

export const channels = {
  'app:info': {
    request: empty,
    response: z.object({ version: z.string(), home: z.string(), transport: z.enum(['electron', 'http']) }),
  },
  'hosts:list': { request: empty, response: z.array(HostViewSchema) },
  /** Refused when it would make a second Services machine; warns about an address:port another host has. */
  'hosts:add': { request: HostSchema.strict(), response: HostSavedSchema },
  /**
   * Change a host in place. When the address or port changes, the key trusted
   * for the old one is forgotten, but only with `forgetKey: true`: without it
   * the engine answers CONFLICT with `details.forgetKey` saying which key.
   */
  'hosts:edit': {
    request: z.object({ name: HostName, changes: HostEditSchema, forgetKey: z.boolean().optional() }).strict(),
    response: HostSavedSchema.extend({ forgotKeys: z.number() }),
  },
  'hosts:remove': { request: byName, response: z.object({ removed: z.boolean() }) },
  /** Key trusted? Login works? Root works? Each answered apart; trusts nothing, changes nothing. */
  'hosts:test': { request: byName, response: ConnectionTestSchema },
  /** Connect far enough to see the host key; trusts nothing, runs nothing. */
  'hosts:scan-key': { request: byName, response: HostKeyScanSchema },
  /** Store the key only if the host still presents the fingerprint the admin confirmed. */
  'hosts:trust': {
    request: z.object({ name: HostName, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'SHA256:… as ssh-keygen -lf prints it') }).strict(),
    response: HostKeyScanSchema,
  },
  /** Forget the stored key of a rebuilt host, after the admin checked the new one on its console. */
  'hosts:forget-key': { request: byName, response: z.object({ removed: z.number() }) },
  /** Secrets for this session only: kept in memory, never written to disk. */
  'hosts:credentials': {
    request: z
      .object({ name: HostName, password: z.string().optional(), passphrase: z.string().optional(), sudoPassword: z.string().optional() })
      .strict(),
    response: z.object({ stored: z.boolean() }),
  },
  /** Forget this session's secrets for the host. */
  'hosts:clear-credentials': { request: byName, response: z.object({ cleared: z.boolean() }) },
  'hosts:facts': { request: byName, response: z.object({ runId: z.string(), facts: HostFactsSchema }) },
  'runs:list': { request: empty, response: z.array(RunSummarySchema) },
  /** One run, with the answer its call gave when it finished (so a reloaded window can show the result). */
  'runs:get': {
    request: z.object({ id: z.string().regex(/^[A-Za-z0-9-]+$/) }).strict(),
    response: RunSummarySchema.extend({ outcome: z.object({ channel: z.string(), value: z.unknown() }).optional() }),
  },
  /** Resume a stopped run; `secrets` (by key, from RunSummary.missingSecrets) replace the ones runbooks never keep. */
  'runs:resume': {
    request: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9-]+$/),
        secrets: z.record(z.string().regex(/^[A-Za-z0-9.]+$/), z.string().min(1)).optional(),
        /** The admin saw the run's restartsOnResume and agrees; without it such a resume is refused (CONFIRMATION_REQUIRED). */
        confirmRestarts: z.boolean().optional(),
      })
      .strict(),
    response: RunSummarySchema,
  },
  /** Stop a run of this Drydock at its current step (it stays resumable). */
  'runs:cancel': { request: z.object({ id: z.string().regex(/^[A-Za-z0-9-]+$/) }).strict(), response: z.object({ cancelled: z.boolean() }) },
  /** The newest `limit` entries that match the filter, oldest first. */
  'audit:tail': { request: AuditFilterSchema.extend({ limit: z.number().int().min(1).max(1000) }).strict(), response: z.array(AuditEntrySchema) },
  'audit:verify': { request: empty, response: AuditVerifySchema },
  ...proxyChannels,
  ...certChannels,
  ...backupChannels,
  ...healthChannels,
  ...consoleChannels,
  ...installChannels,
  ...installServicesChannels,
  ...bundleChannels,
  ...restoreChannels,
} as const;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type RequestOf<C extends Channel> = z.input<Channels[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Channels[C]['response']>;
export const CHANNEL_NAMES = Object.keys(channels) as Channel[];

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

/** The envelope every transport carries, so errors keep their code. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: import('./errors').ErrorPayload };

export type HostView = z.infer<typeof HostViewSchema>;
export type HostSaved = z.infer<typeof HostSavedSchema>;
export type HostKeyScan = z.infer<typeof HostKeyScanSchema>;
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;
export type { RunSummary } from './runs';
export type { AuditEntry } from './audit';
