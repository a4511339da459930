/**
 * One laptop file to many hosts at once: each host says what it already has
 * (.part), hosts starting from the same offset share one read of the file,
 * a kept prefix is proven by hash before a byte more is sent, and each host
 * ends with its own SHA-256 compared with the laptop's. A host that fails
 * does not stop the others; the caller gets every outcome.
 */
import type { Hash } from 'node:crypto';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';
import { batchWrites } from './batch-writes';
import { fanOut, hashPrefix } from './fan-out';
import type { LocalFile } from './probe';
import { RateMeter } from './rate';
import { Receiver } from './receiver';

export interface SentFile {
  host: string;
  /** The file's name (its laptop name). */
  file: string;
  /** Where it is on the host. */
  path: string;
  bytes: number;
  sha256: string;
  /** Bytes kept from an interrupted push (their hash matched); 0 = sent whole. */
  resumedFrom: number;
  /** Bytes that crossed the network in this push. */
  sent: number;
  seconds: number;
  /** Already there with the same SHA-256: nothing was sent. */
  skipped: boolean;
  /** Bytes of a .part found on the host whose hash did not match: emptied and sent from zero. */
  discardedPart?: number;
}

export interface TransferUpdate {
  host: string;
  file: string;
  path: string;
  bytes: number;
  total: number;
  resumedFrom: number;
  rate: number;
  etaSeconds: number | null;
  status: 'waiting' | 'sending' | 'done' | 'skipped' | 'failed';
  sha256?: string;
  message?: string;
}

export interface SendOptions {
  signal?: AbortSignal;
  onUpdate?(update: TransferUpdate): void;
}

export interface SendOutcome {
  sent: SentFile[];
  failed: { host: string; error: Error }[];
}

const PROGRESS_EVERY_MS = 250;

export async function sendToHosts(sessions: HostSession[], file: LocalFile, dir: string, options: SendOptions = {}): Promise<SendOutcome> {
  const started = Date.now();
  const remotePath = `${dir}/${file.name}`;
  const outcome: SendOutcome = { sent: [], failed: [] };
  const update = (host: string, u: Partial<TransferUpdate> & Pick<TransferUpdate, 'bytes' | 'status'>) =>
    options.onUpdate?.({ host, file: file.name, path: remotePath, total: file.size, resumedFrom: 0, rate: 0, etaSeconds: null, ...u });
  const fail = (host: string, err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    outcome.failed.push({ host, error });
    update(host, { bytes: 0, status: 'failed', message: toErrorPayload(error).message });
  };

  const round = async (group: HostSession[], discarded: Map<string, number>) => {
    const receivers = group.map((s) => new Receiver(s, file.name, dir, file.size, options.signal));
    const byOffset = new Map<number, Receiver[]>();
    await Promise.all(
      receivers.map(async (r) => {
        try {
          const n = await r.partSize;
          byOffset.set(n, [...(byOffset.get(n) ?? []), r]);
        } catch (err) {
          fail(r.host, err);
        }
      }),
    );
    const restart: HostSession[] = [];
    await Promise.all(
      [...byOffset].map(async ([offset, members]) => {
        let prefix: Hash | undefined;
        const kept: Receiver[] = [];
        if (offset > 0) prefix = await hashPrefix(file.localPath, offset, options.signal);
        const local = prefix?.copy().digest('hex');
        for (const r of members) {
          try {
            const remote = await r.prefixHash;
            const keep = offset === 0 || remote === local;
            r.verdict(keep);
            if (keep) kept.push(r);
            else {
              discarded.set(r.host, offset);
              await r.finished;
              restart.push(r.session);
            }
          } catch (err) {
            fail(r.host, err);
          }
        }
        if (!kept.length) return;
        const meters = new Map(kept.map((r) => [r, new RateMeter(offset)]));
        const lastSent = new Map<Receiver, number>();
        for (const r of kept) update(r.host, { bytes: offset, resumedFrom: offset, status: 'sending' });
        let sha: string;
        try {
          sha = await fanOut(file.localPath, offset, file.size, kept, {
            signal: options.signal,
            onProgress: (r, bytes) => {
              const meter = meters.get(r)!;
              meter.add(bytes);
              const now = Date.now();
              if (now - (lastSent.get(r) ?? 0) < PROGRESS_EVERY_MS) return;
              lastSent.set(r, now);
              update(r.host, { bytes, resumedFrom: offset, status: 'sending', rate: meter.rate(), etaSeconds: meter.eta(file.size) });
            },
          }, prefix);
        } catch (err) {
          for (const r of kept) r.abort();
          for (const r of kept) fail(r.host, err);
          return;
        }
        await Promise.all(
          kept.map(async (r) => {
            try {
              if (r.failed) throw r.failed;
              const verdict = await r.end(sha);
              if (verdict.kind !== 'done' || verdict.sha256 !== sha) throw new DrydockError('COMMAND_FAILED', `${r.host}: ${file.name} did not arrive whole (host SHA-256 ${verdict.kind === 'done' ? verdict.sha256 : 'none'}, laptop ${sha})`, { host: r.host, reason: 'checksum-mismatch' });
              const seconds = (Date.now() - started) / 1000;
              outcome.sent.push({ host: r.host, file: file.name, path: remotePath, bytes: file.size, sha256: sha, resumedFrom: offset, sent: r.sent, seconds, skipped: false, ...(discarded.has(r.host) ? { discardedPart: discarded.get(r.host) } : {}) });
              update(r.host, { bytes: file.size, resumedFrom: offset, status: 'done', sha256: sha, rate: meters.get(r)!.average(), etaSeconds: 0 });
            } catch (err) {
              fail(r.host, err);
            }
          }),
        );
      }),
    );
    // Hosts whose .part was not ours: emptied by their script; one more round from zero.
    if (restart.length) await round(restart, discarded);
  };
  for (const s of sessions) update(s.host.name, { bytes: 0, status: 'waiting' });
  const releases = sessions.map((s) => batchWrites(s.client));
  try {
    await round(sessions, new Map());
  } finally {
    for (const release of releases) release();
  }
  return outcome;
}
