/**
 * The built renderer over HTTP for browser mode: compressed (brotli, else
 * gzip) when the browser accepts it, and Vite's content-hashed assets
 * (`assets/index-3f9a1c2b.js`) cached for good, since a new build gives them
 * new names. index.html itself is never cached, so a new build is picked up
 * on the next load. Compressed bodies are kept in memory, keyed by file,
 * size and mtime, so each is compressed once.
 */
import { existsSync, readFile, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CONTENT_TYPES } from './content-types';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const read = promisify(readFile);

/** Text compresses; png and woff2 are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
/** Smaller bodies gain less than the header costs. */
const MIN_COMPRESS = 1024;
/**
 * Brotli quality 5: on the 359 kB app bundle it gave 102 kB in ~50 ms, where
 * quality 11 gave 93 kB but took ~2.5 s on a busy 2-core machine, a wait the
 * first page load would feel (measured once with node:zlib; not a test).
 */
const BROTLI_QUALITY = 5;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Vite's output names: `assets/<name>-<hash>.<ext>`. */
export function isHashedAsset(rel: string): boolean {
  return /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(rel.split(path.sep).join('/'));
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the request accepts (q=0 refuses one). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

interface Cached {
  size: number;
  mtimeMs: number;
  body: Buffer;
}

export interface StaticFiles {
  serve(pathname: string, req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>): void;
}

export function staticFiles(root: string, fail: (res: http.ServerResponse, status: number, message: string) => void): StaticFiles {
  const base = path.resolve(root);
  const cache = new Map<string, Cached>();

  const body = async (file: string, encoding: Encoding, size: number, mtimeMs: number): Promise<Buffer> => {
    const key = `${encoding}:${file}`;
    const hit = cache.get(key);
    if (hit && hit.size === size && hit.mtimeMs === mtimeMs) return hit.body;
    const raw = await read(file);
    const out =
      encoding === 'br' ? await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : encoding === 'gzip' ? await gzip(raw, { level: 6 })
      : raw;
    if (encoding !== 'identity') cache.set(key, { size, mtimeMs, body: out });
    return out;
  };

  return {
    serve(pathname, req, res, headers) {
      const rel = path.normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
      let file = path.join(base, rel);
      if (file !== base && !file.startsWith(base + path.sep)) return fail(res, 403, 'outside the app');
      if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(base, 'index.html');
      if (!existsSync(file)) return fail(res, 404, 'renderer not built: run npm run build');
      const { size, mtimeMs } = statSync(file);
      const ext = path.extname(file);
      const encoding = COMPRESSIBLE.has(ext) && size >= MIN_COMPRESS ? chooseEncoding(req.headers['accept-encoding'] as string | undefined) : 'identity';
      const hashed = isHashedAsset(path.relative(base, file));
      body(file, encoding, size, mtimeMs).then(
        (data) => {
          res.writeHead(200, {
            ...headers,
            'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
            'Content-Length': String(data.length),
            'Cache-Control': hashed ? IMMUTABLE : 'no-store',
            ...(COMPRESSIBLE.has(ext) ? { Vary: 'Accept-Encoding' } : {}),
            ...(encoding !== 'identity' ? { 'Content-Encoding': encoding } : {}),
          });
          res.end(data);
        },
        () => fail(res, 500, 'could not read the app'),
      );
    },
  };
}
