/**
 * The push as the operation and the install use it: plan (folder trusted,
 * free space, what is there), then send what is missing. `ensureOnHost` is
 * the install's door: one file on one host, sent only when the host lacks a
 * copy with the same SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DrydockError } from '../../../../shared/errors';
import type { EngineServices } from '../operation';
import type { HostSession } from '../../ssh/session';
import { assertBundleDir, DEFAULT_BUNDLE_DIR } from './remote-dir';
import { assertUnchanged, bytesNeeded, localFile, probeHost, type HostProbe, type LocalFile } from './probe';
import { sendToHosts, type SendOptions, type SentFile } from './send';

export { DEFAULT_BUNDLE_DIR } from './remote-dir';
export type { SentFile, TransferUpdate } from './send';

/** SHA-256 of a whole laptop file (only when a host may already have it: deciding to skip needs it). */
export async function hashLocal(localPath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(localPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
    hash.update(chunk);
  }
  return hash.digest('hex');
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export interface PushPlan {
  probes: HostProbe[];
  /** Laptop hashes computed for files some host may already hold. */
  localSha: Record<string, string>;
}

/**
 * Check every host (in parallel) and refuse, before one byte is sent, a host
 * whose folder cannot take what it lacks.
 */
export async function planPush(sessions: HostSession[], files: LocalFile[], dir: string, signal?: AbortSignal): Promise<PushPlan> {
  assertBundleDir(dir);
  const probes = await Promise.all(sessions.map((s) => probeHost(s, dir, files, signal)));
  const localSha: Record<string, string> = {};
  for (const f of files) {
    if (probes.some((p) => p.files[f.name].size === f.size)) localSha[f.name] = await hashLocal(f.localPath, signal);
  }
  const short = probes
    .map((p) => ({ p, needed: bytesNeeded(p, files, localSha) }))
    .filter(({ p, needed }) => needed > p.available);
  if (short.length) {
    throw new DrydockError(
      'CONFLICT',
      `${short.map(({ p, needed }) => `${p.host}: ${dir} has ${mib(p.available)} free, the files need ${mib(needed)} more`).join('; ')}. Free some space there or choose another folder (--dir); nothing was sent.`,
      { reason: 'disk-full', hosts: short.map(({ p, needed }) => ({ host: p.host, available: p.available, needed })) },
    );
  }
  return { probes, localSha };
}

/** Files a host already holds with the laptop's hash: reported, not sent. */
export function skippedOnPlan(plan: PushPlan, files: LocalFile[], dir: string): SentFile[] {
  const out: SentFile[] = [];
  for (const p of plan.probes) {
    for (const f of files) {
      const there = p.files[f.name];
      if (there.sha256 && there.sha256 === plan.localSha[f.name]) {
        out.push({ host: p.host, file: f.name, path: `${dir}/${f.name}`, bytes: f.size, sha256: there.sha256, resumedFrom: f.size, sent: 0, seconds: 0, skipped: true });
      }
    }
  }
  return out;
}

export interface EnsureResult {
  remotePath: string;
  sha256: string;
  /** Already there with this hash: nothing was sent. */
  skipped: boolean;
  resumedFrom: number;
  sent: number;
  seconds: number;
}

/**
 * For the install: make `localFile` be at `remoteDir/<its name>` on `host`,
 * verified by SHA-256 on both ends. Skips sending when the host has a copy
 * whose hash is the laptop file's; resumes an interrupted copy from the bytes
 * already there (their hash checked). Throws on any mismatch.
 */
export async function ensureOnHost(
  services: EngineServices,
  host: string,
  localPath: string,
  remoteDir: string = DEFAULT_BUNDLE_DIR,
  options: SendOptions = {},
): Promise<EnsureResult> {
  const file = localFile(localPath);
  const session = await services.pool.session(host, options.signal);
  const plan = await planPush([session], [file], remoteDir, options.signal);
  const [skipped] = skippedOnPlan(plan, [file], remoteDir);
  if (skipped) {
    options.onUpdate?.({ host, file: file.name, path: skipped.path, bytes: file.size, total: file.size, resumedFrom: file.size, rate: 0, etaSeconds: 0, status: 'skipped', sha256: skipped.sha256 });
    return { remotePath: skipped.path, sha256: skipped.sha256, skipped: true, resumedFrom: file.size, sent: 0, seconds: 0 };
  }
  assertUnchanged(file);
  const outcome = await sendToHosts([session], file, remoteDir, options);
  if (outcome.failed.length) throw outcome.failed[0].error;
  const sent = outcome.sent[0];
  return { remotePath: sent.path, sha256: sent.sha256, skipped: false, resumedFrom: sent.resumedFrom, sent: sent.sent, seconds: sent.seconds };
}
