/**
 * ssh2 (without its optional native crypto, which this project does not
 * build) hands every SSH packet to the socket in four writes (length, body,
 * final block, MAC), and a packet carries at most 32 KiB (OpenSSH's session
 * channel maximum): about 130 000 socket writes per GiB, each a system call.
 * While a bundle streams, writes issued in the same tick are corked and go
 * out as one writev when the tick ends. Measured on the lab: this is what
 * brought the push from ~1.5x to ~1x sftp's time (see
 * bench/bundle-push-bench.ts). It reaches into ssh2's socket field, so it is
 * a no-op when that field is not there.
 */
import type { Client } from 'ssh2';

interface Corkable {
  write: (...args: unknown[]) => boolean;
  cork(): void;
  uncork(): void;
}

const users = new WeakMap<object, { count: number; restore: () => void }>();

/** Batch the connection's socket writes until the returned function is called (nested calls are counted). */
export function batchWrites(client: Client): () => void {
  const sock = (client as unknown as { _sock?: Partial<Corkable> })._sock;
  if (!sock || typeof sock.cork !== 'function' || typeof sock.uncork !== 'function' || typeof sock.write !== 'function') return () => undefined;
  const target = sock as Corkable;
  const existing = users.get(target);
  if (existing) existing.count++;
  else {
    const original = target.write;
    let corked = false;
    target.write = function (this: Corkable, ...args: unknown[]) {
      if (!corked) {
        corked = true;
        target.cork();
        process.nextTick(() => {
          corked = false;
          target.uncork();
        });
      }
      return original.apply(target, args);
    };
    users.set(target, {
      count: 1,
      restore: () => {
        target.write = original;
      },
    });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const entry = users.get(target);
    if (!entry || --entry.count > 0) return;
    users.delete(target);
    entry.restore();
  };
}
