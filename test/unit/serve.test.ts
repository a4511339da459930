import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine } from '../../electron/engine/engine';
import { startServer, type RunningServer } from '../../electron/serve';

describe('browser mode server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-serve-'));
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Drydock</title>');
    server = await startServer({ handlers: createHandlers(createEngine({ home, defaultSecrets: {} }), 'http'), staticDir });
  });
  afterAll(() => server.close());

  const rpc = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.origin, 'x-drydock-token': server.token, ...headers },
      body: JSON.stringify(body),
    });

  it('binds to loopback and puts a long random token in the URL', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    expect(server.url).toBe(`${server.origin}/?token=${server.token}`);
  });

  it('answers the contract with the token and the right Origin', async () => {
    const res = await rpc('app:info', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { transport: 'http' } });
  });

  it('refuses a wrong token, a foreign Origin and a rebinding Host', async () => {
    expect((await rpc('app:info', {}, { 'x-drydock-token': 'guess' })).status).toBe(401);
    expect((await rpc('app:info', {}, { origin: 'http://evil.example' })).status).toBe(403);
    // fetch will not forge Host; a raw request does, as a DNS-rebinding page would arrive.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.origin}/rpc/app:info`, { method: 'POST', headers: { host: 'evil.example', origin: server.origin, 'x-drydock-token': server.token } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(rebound).toBe(421);
    const events = await fetch(`${server.origin}/events?token=nope`);
    expect(events.status).toBe(401);
  });

  it('validates input at the boundary', async () => {
    const res = await rpc('hosts:add', { name: '$(id)', address: 'x', port: 22, user: 'root', role: 'services' });
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('serves the renderer with a strict CSP and no path escape', async () => {
    const page = await fetch(`${server.origin}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await page.text()).toContain('Drydock');
    const escape = await fetch(`${server.origin}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });
});

describe('browser mode server under hostile requests', () => {
  it('answers a malformed path with 400 and keeps serving', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-serve-'));
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Drydock</title>');
    const server = await startServer({ handlers: createHandlers(createEngine({ home, defaultSecrets: {} }), 'http'), staticDir });
    try {
      // Any web page can make the browser request this: it must not kill the engine.
      expect((await fetch(`${server.origin}/%E0`)).status).toBe(400);
      expect((await fetch(`${server.origin}/rpc/%E0`, { method: 'POST', headers: { origin: server.origin, 'x-drydock-token': server.token } })).status).toBe(400);
      expect((await fetch(`${server.origin}/`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
