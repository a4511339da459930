/**
 * Browser mode: the same IPC contract over HTTP, for machines without the
 * Electron binary and for end-to-end tests in Chromium.
 *
 * - bound to 127.0.0.1 only; a random token, given in the URL, is required on
 *   every request (header `x-drydock-token` for RPC, `?token=` for the event
 *   stream, since EventSource cannot set headers);
 * - `POST /rpc/<channel>` with a JSON body answers the RpcResult envelope;
 * - `GET /events` is a server-sent event stream of progress events;
 * - Origin and Host are checked, so another web page (or a DNS-rebinding
 *   name) in the admin's browser cannot drive the engine;
 * - the renderer's files are compressed and, when content-hashed, cached
 *   for good (serve-static.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch } from './engine/api/dispatch';
import { staticFiles } from './serve-static';
import { DEFAULT_LIMITS, guardConnections, serverTimeouts, type ConnectionLimits } from './serve-limits';
import type { Handlers } from './engine/api/types';
import type { DrydockEvent } from '../shared/events';

export interface ServeOptions {
  handlers: Handlers;
  /** Built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
  /** Lets the caller wire engine events to the stream. */
  onReady?: (broadcast: (event: DrydockEvent) => void) => void;
  /** Connection limits and timeouts (serve-limits.ts); tests shorten them. */
  limits?: Partial<ConnectionLimits>;
  /**
   * The engine's event stream: every run and audit entry goes to every tab,
   * whoever started it (a reloaded tab sees the run its predecessor started).
   * Without it, a call's own progress goes to every tab.
   */
  events?: { subscribe(listener: (event: DrydockEvent) => void): () => void };
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  broadcast(event: DrydockEvent): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** Same policy as the Electron window, plus connect-src for the RPC calls. */
export const BROWSER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const streams = new Set<http.ServerResponse>();
  let origin = '';
  let host = '';
  const assets = staticFiles(options.staticDir, fail);

  const broadcast = (event: DrydockEvent) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  };

  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const server = http.createServer(serverTimeouts(limits), (req, res) => {
    // Any page in the admin's browser can send us requests; none may crash
    // the process that is running their operations.
    try {
      route(req, res);
    } catch {
      if (!res.headersSent) fail(res, 400, 'bad request');
      else res.end();
    }
  });

  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.headers.host !== host) return fail(res, 421, 'wrong host');

    if (url.pathname.startsWith('/rpc/')) {
      if (req.method !== 'POST') return fail(res, 405, 'POST only');
      if (req.headers.origin !== origin) return fail(res, 403, 'origin not allowed');
      if (!sameToken(req.headers['x-drydock-token'] as string | undefined, token)) return fail(res, 401, 'bad token');
      const channel = decodeURIComponent(url.pathname.slice(5));
      return readJson(req, res, async (body) => {
        // With the engine's stream wired, progress arrives through it already.
        const ctx = { emit: options.events ? () => undefined : broadcast };
        const result = await dispatch(options.handlers, channel, body, ctx);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify(result));
      });
    }

    if (url.pathname === '/events') {
      if (!sameToken(url.searchParams.get('token'), token)) return fail(res, 401, 'bad token');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }

    if (req.method !== 'GET') return fail(res, 405, 'GET only');
    return assets.serve(url.pathname, req, res, { 'Content-Security-Policy': BROWSER_CSP });
  };

  guardConnections(server, limits, (req) => {
    const given = req.headers['x-drydock-token'] ?? new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    return sameToken(typeof given === 'string' ? given : undefined, token);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  host = `127.0.0.1:${port}`;
  const unsubscribe = options.events?.subscribe(broadcast);
  options.onReady?.(broadcast);

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    broadcast,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe?.();
        for (const res of streams) res.end();
        streams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fail(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function readJson(req: http.IncomingMessage, res: http.ServerResponse, then: (body: unknown) => Promise<void>) {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      fail(res, 413, 'request too large');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    let body: unknown;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return fail(res, 400, 'body is not JSON');
    }
    then(body).catch((err) => fail(res, 500, String(err)));
  });
}
