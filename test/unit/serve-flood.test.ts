/**
 * Issue 7 item 18: a local flood of idle connections must not take browser
 * mode down. The real `drydock serve` runs in a child process limited to 1024
 * descriptors (`ulimit -n`), as a laptop's default soft limit often is; 1500
 * idle loopback connections are opened against it, and the admin's
 * authenticated calls and event stream must keep working throughout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../electron/serve-limits';
import { startServer, type RunningServer } from '../../electron/serve';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine } from '../../electron/engine/engine';

const ROOT = path.resolve(__dirname, '../..');
const FLOOD = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Opens n idle sockets (connect, send nothing); counts those the server closes. */
async function flood(port: number, n: number): Promise<{ sockets: net.Socket[]; closed: () => number }> {
  let closed = 0;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => closed++);
    sockets.push(s);
    if (i % 100 === 99) await sleep(20);
  }
  await sleep(300);
  return { sockets, closed: () => closed };
}

describe('browser mode under a connection flood (real drydock serve, 1024 descriptors)', () => {
  let child: ChildProcess;
  let url: URL;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'drydock-flood-'));
    // The CLI straight from source, bundled: no dependency on a prior build.
    const bundle = path.join(home, 'cli.cjs');
    (await import('esbuild')).buildSync({ entryPoints: [path.join(ROOT, 'electron/cli.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'warning' });
    child = spawn('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" "${bundle}" serve`], {
      env: { ...process.env, DRYDOCK_HOME: home, NODE_PATH: path.join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /serving on (\S+)/.test(out), 'drydock serve to start');
    url = new URL(/serving on (\S+)/.exec(out)![1]);
  }, 60_000);

  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  const rpc = async (channel: string) => {
    const res = await fetch(`${url.origin}/rpc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url.origin, 'x-drydock-token': url.searchParams.get('token')! },
      body: '{}',
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean } };
  };

  it('keeps answering authenticated calls and keeps the event stream while 1500 idle connections pile up', async () => {
    const events = await fetch(`${url.origin}/events?token=${url.searchParams.get('token')}`);
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
    let streamClosed = false;
    void reader.closed.then(() => (streamClosed = true), () => (streamClosed = true));

    const { sockets, closed } = await flood(Number(url.port), FLOOD);
    try {
      for (let i = 0; i < 5; i++) expect(await rpc('app:info')).toMatchObject({ status: 200, body: { ok: true } });
      // The server keeps at most maxConnections open: the rest of the flood was closed.
      await until(() => closed() >= FLOOD - DEFAULT_LIMITS.maxConnections, `the server to shed the flood (closed ${closed()})`);
      expect(await rpc('hosts:list')).toMatchObject({ status: 200, body: { ok: true } });
      expect(streamClosed).toBe(false);
    } finally {
      sockets.forEach((s) => s.destroy());
      await reader.cancel();
    }
  }, 60_000);
});

describe('timeouts for connections that say nothing or say it slowly', () => {
  let server: RunningServer;
  let home: string;
  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'drydock-flood2-'));
    server = await startServer({
      handlers: createHandlers(createEngine({ home, defaultSecrets: {} }), 'http'),
      staticDir: home,
      limits: { idleMs: 500, headersTimeoutMs: 500, requestTimeoutMs: 1_000 },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps the event stream open past the idle time (the idle timer is for sockets that never ask)', async () => {
    const events = await fetch(`${server.origin}/events?token=${server.token}`);
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toContain(': connected');
    await sleep(1_500); // three idle times, two header timeouts
    server.broadcast({ type: 'step', runId: 'r1', operation: 'health', step: 'uptime', title: 'Uptime', status: 'running' });
    expect(decoder.decode((await reader.read()).value)).toContain('"runId":"r1"');
    await reader.cancel();
  });

  it('closes a silent connection and one that trickles its headers', async () => {
    const port = Number(new URL(server.origin).port);
    let silentClosed = false;
    let slowClosed = false;
    const silent = net.connect(port, '127.0.0.1').on('close', () => (silentClosed = true)).on('error', () => undefined);
    const slow = net.connect(port, '127.0.0.1', () => slow.write('GET / HTTP/1.1\r\nHost: x\r\n')).on('close', () => (slowClosed = true)).on('error', () => undefined);
    const trickle = setInterval(() => !slow.destroyed && slow.write('X-Slow: 1\r\n'), 100);
    try {
      await until(() => silentClosed && slowClosed, 'both connections to be closed', 10_000);
    } finally {
      clearInterval(trickle);
      silent.destroy();
      slow.destroy();
    }
  });
});
