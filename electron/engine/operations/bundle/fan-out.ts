/**
 * One read of the local file feeds every host that starts from the same
 * offset: each chunk is hashed once on the laptop and handed to every
 * host's channel; the read waits for the slowest channel (its SSH window),
 * so memory stays bounded and the file is read once, however many Nomad
 * clients take it. Hosts resuming from different offsets get a read each.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DrydockError } from '../../../../shared/errors';
import type { Receiver } from './receiver';

const CHUNK = 1 << 20;

export interface FanOutHooks {
  /** After every chunk a host took (its bytes so far, prefix included). */
  onProgress(receiver: Receiver, bytes: number): void;
  signal?: AbortSignal;
}

/**
 * Hash the local file's first `start` bytes, then send bytes start..total to
 * every receiver (each already told GO) and return the whole file's hash.
 * A receiver that fails drops out; the others go on.
 */
export async function fanOut(localPath: string, start: number, total: number, receivers: Receiver[], hooks: FanOutHooks, prefix?: Hash): Promise<string> {
  const hash = prefix ?? createHash('sha256');
  let offset = prefix ? start : 0;
  if (offset >= total) return hash.digest('hex');
  const stream = createReadStream(localPath, { start: offset, end: total - 1, highWaterMark: CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (hooks.signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
      hash.update(chunk);
      const from = offset;
      offset += chunk.length;
      if (offset <= start) continue;
      const piece = from >= start ? chunk : chunk.subarray(start - from);
      const live = receivers.filter((r) => !r.failed);
      if (!live.length) break;
      const full = live.filter((r) => !r.write(piece));
      for (const r of live) hooks.onProgress(r, offset);
      if (full.length) await Promise.all(full.map((r) => r.drain()));
    }
  } finally {
    stream.destroy();
  }
  if (offset !== total) {
    if (receivers.every((r) => r.failed)) return hash.digest('hex');
    throw new DrydockError('CONFLICT', `${localPath} is shorter on the laptop (${offset} bytes) than when the push was planned (${total} bytes): it changed; start the push again`);
  }
  return hash.digest('hex');
}

/** SHA-256 of the local file's first `length` bytes, as a Hash that can go on. */
export async function hashPrefix(localPath: string, length: number, signal?: AbortSignal): Promise<Hash> {
  const hash = createHash('sha256');
  if (length === 0) return hash;
  for await (const chunk of createReadStream(localPath, { start: 0, end: length - 1, highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
    hash.update(chunk);
  }
  return hash;
}
