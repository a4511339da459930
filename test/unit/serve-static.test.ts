import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine } from '../../electron/engine/engine';
import { startServer, type RunningServer } from '../../electron/serve';
import { chooseEncoding, IMMUTABLE, isHashedAsset } from '../../electron/serve-static';

/** A raw GET: fetch would undo the compression we want to see. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('browser mode assets', () => {
  let server: RunningServer;
  const script = `export const rows = [${Array.from({ length: 400 }, (_, i) => `{ id: ${i}, label: "row ${i}" }`).join(', ')}];\n`;
  const html = `<!doctype html><title>Drydock</title>${'<!-- padding -->'.repeat(100)}<script type="module" src="./assets/index-Ab3dE_9x.js"></script>`;

  beforeAll(async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-serve-'));
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-static-'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), html);
    writeFileSync(path.join(staticDir, 'assets', 'index-Ab3dE_9x.js'), script);
    writeFileSync(path.join(staticDir, 'assets', 'tiny-Zz9yXx8w.css'), 'body{}');
    writeFileSync(path.join(staticDir, 'extra.js'), script);
    server = await startServer({ handlers: createHandlers(createEngine({ home, defaultSecrets: {} }), 'http'), staticDir });
  });
  afterAll(() => server.close());

  it('sends hashed assets brotli- or gzip-compressed, as the browser accepts, and cacheable for good', async () => {
    const br = await get(`${server.origin}/assets/index-Ab3dE_9x.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe(IMMUTABLE);
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(script);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length * 5).toBeLessThan(Buffer.byteLength(script));

    const gz = await get(`${server.origin}/assets/index-Ab3dE_9x.js`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(script);

    const plain = await get(`${server.origin}/assets/index-Ab3dE_9x.js`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('compresses index.html but never caches it, nor files without a content hash', async () => {
    const page = await get(`${server.origin}/`, { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(zlib.brotliDecompressSync(page.body).toString()).toBe(html);
    const unhashed = await get(`${server.origin}/extra.js`, { 'accept-encoding': 'br' });
    expect(unhashed.headers['cache-control']).toBe('no-store');
    // Too small to gain: sent as is.
    const tiny = await get(`${server.origin}/assets/tiny-Zz9yXx8w.css`, { 'accept-encoding': 'br' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('body{}');
  });

  it('picks the encoding by the q-values of Accept-Encoding', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0, gzip')).toBe('gzip');
  });

  it("knows Vite's hashed names from other files", () => {
    expect(isHashedAsset('assets/index-Ab3dE_9x.js')).toBe(true);
    expect(isHashedAsset('assets/index-DwXb7K1q.css')).toBe(true);
    expect(isHashedAsset('index.html')).toBe(false);
    expect(isHashedAsset('assets/logo.png')).toBe(false);
    expect(isHashedAsset('extra.js')).toBe(false);
  });
});
