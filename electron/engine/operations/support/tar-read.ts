/**
 * One member of a .tar.gz on this computer, read as the archive streams past
 * (nothing extracted, nothing written): the install plan reads install.sh's
 * own usage text from the laptop's replicated.tar.gz before that file is on
 * the host. Stops reading as soon as the member has been seen.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** The first member whose path (without a leading ./) is one of `names`, or null when there is none. */
export async function readTarMember(file: string, names: string[], maxBytes = 4 * 1024 * 1024): Promise<Buffer | null> {
  const wanted = new Set(names.map((n) => n.replace(/^\.\//, '')));
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.pipe(gunzip);
  let pending: Buffer = Buffer.alloc(0);
  // What is being read: a header next, or `skip` bytes of a member's data (padded to the block), maybe kept.
  let skip = 0;
  let keep: { size: number } | null = null;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (keep) {
          if (pending.length < keep.size) break;
          return Buffer.from(pending.subarray(0, keep.size));
        }
        if (skip > 0) {
          const n = Math.min(skip, pending.length);
          pending = pending.subarray(n);
          skip -= n;
          if (skip > 0) break;
        }
        if (pending.length < BLOCK) break;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((b) => b === 0)) return null;
        const name = field(header, 0, 100);
        const prefix = field(header, 345, 155);
        const path = (prefix ? `${prefix}/${name}` : name).replace(/^\.\//, '');
        const size = parseInt(field(header, 124, 12).trim() || '0', 8);
        const type = String.fromCharCode(header[156] || 48);
        if ((type === '0' || type === '\0') && wanted.has(path)) {
          if (size > maxBytes) return null;
          keep = { size };
          continue;
        }
        skip = Math.ceil(size / BLOCK) * BLOCK;
      }
    }
    return null;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}
