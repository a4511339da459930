/**
 * The one IPC contract: every channel the renderer may call, with the schema
 * of its request and response. Electron's ipcMain, the preload bridge, the
 * browser-mode HTTP server and the renderer's client are all typed from this
 * map and validate against it at run time, so a channel cannot drift.
 */
import { z } from 'zod';
import { HostSchema, HostName } from './hosts';
import { HostFactsSchema } from './facts';
import { STEP_STATUSES } from './events';
import { proxyChannels } from './channels/proxy';
import { certChannels } from './channels/certs';
import { consoleChannels } from './channels/console';

export const HostViewSchema = HostSchema.extend({
  /** A key for this host's address is in Drydock's known_hosts. */
  trusted: z.boolean(),
  fingerprint: z.string().optional(),
});

export const HostKeyScanSchema = z.object({
  name: z.string(),
  knownAs: z.string(),
  keyType: z.string(),
  fingerprint: z.string(),
  status: z.enum(['unknown', 'trusted', 'changed']),
  storedFingerprint: z.string().optional(),
});

export const RunStepSchema = z.object({
  name: z.string(),
  title: z.string(),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  message: z.string().optional(),
});

export const RunSummarySchema = z.object({
  id: z.string(),
  operation: z.string(),
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  startedAt: z.string(),
  updatedAt: z.string(),
  steps: z.array(RunStepSchema),
  error: z.string().optional(),
});

export const AuditEntrySchema = z.object({
  seq: z.number(),
  time: z.string(),
  host: z.string(),
  fingerprint: z.string(),
  kind: z.enum(['command', 'file', 'trust', 'local']),
  command: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  prev: z.string(),
  hash: z.string(),
});

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  brokenAt: z.number().optional(),
  reason: z.string().optional(),
});

const empty = z.object({}).strict();
const byName = z.object({ name: HostName }).strict();

export const channels = {
  'app:info': {
    request: empty,
    response: z.object({ version: z.string(), home: z.string(), transport: z.enum(['electron', 'http']) }),
  },
  'hosts:list': { request: empty, response: z.array(HostViewSchema) },
  'hosts:add': { request: HostSchema.strict(), response: HostViewSchema },
  'hosts:remove': { request: byName, response: z.object({ removed: z.boolean() }) },
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
  'hosts:facts': { request: byName, response: z.object({ runId: z.string(), facts: HostFactsSchema }) },
  'runs:list': { request: empty, response: z.array(RunSummarySchema) },
  'runs:resume': { request: z.object({ id: z.string().regex(/^[A-Za-z0-9-]+$/) }).strict(), response: RunSummarySchema },
  /** Stop a run of this Drydock at its current step (it stays resumable). */
  'runs:cancel': { request: z.object({ id: z.string().regex(/^[A-Za-z0-9-]+$/) }).strict(), response: z.object({ cancelled: z.boolean() }) },
  'audit:tail': { request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(), response: z.array(AuditEntrySchema) },
  'audit:verify': { request: empty, response: AuditVerifySchema },
  ...proxyChannels,
  ...certChannels,
  ...consoleChannels,
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
export type HostKeyScan = z.infer<typeof HostKeyScanSchema>;
export type RunSummary = z.infer<typeof RunSummarySchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
