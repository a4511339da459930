/**
 * A .tar.gz written in Node (POSIX ustar + zlib): the support bundle needs
 * nothing more, and a dependency for it would be heavier than these lines.
 * Regular files only; `tar` creates their folders when extracting.
 */
import { gzipSync } from 'node:zlib';

export interface TarFile {
  path: string;
  data: Buffer;
  mode?: number;
  mtime?: Date;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** ustar keeps 100 bytes of name plus a 155-byte prefix, split at a slash. */
function splitName(p: string): { name: string; prefix: string } {
  if (Buffer.byteLength(p) <= 100) return { name: p, prefix: '' };
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(name) <= 100 && Buffer.byteLength(prefix) <= 155) return { name, prefix };
  }
  throw new Error(`path too long for a tar archive: ${p}`);
}

function header(file: TarFile): Buffer {
  const h = Buffer.alloc(512);
  const { name, prefix } = splitName(file.path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(file.mode ?? 0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(file.data.length, 12), 124, 12, 'ascii');
  h.write(octal(Math.floor((file.mtime ?? new Date()).getTime() / 1000), 12), 136, 12, 'ascii');
  h.fill(' ', 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export function tarGz(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`unsafe path in archive: ${f.path}`);
    parts.push(header(f), f.data);
    const pad = (512 - (f.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024)); // two empty blocks end the archive
  return gzipSync(Buffer.concat(parts));
}
