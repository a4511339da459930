/**
 * Browser mode's defence against a local flood of connections (any process
 * or web page on the laptop can open sockets to 127.0.0.1): without limits,
 * idle sockets pile up until the process runs out of descriptors and the
 * admin's own page can no longer reach its operations.
 *
 * - `server.maxConnections`: a hard cap (Node refuses connections past it);
 * - below that cap, when the soft limit is reached, the oldest connection not
 *   serving a request and never authenticated is closed to make room (then
 *   the oldest idle authenticated one: a browser simply reconnects). A socket
 *   with a request in flight, or the token-bearing event stream, is never
 *   closed, so the admin's calls keep working during a flood;
 * - a connection that sends nothing is closed after `idleMs` (Node's header
 *   timeout starts only with the first byte), slow headers after
 *   `headersTimeoutMs`, a slow request body after `requestTimeoutMs`.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  maxConnections: number;
  /** Start evicting idle connections at this many. */
  softLimit: number;
  idleMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxConnections: 256,
  softLimit: 192,
  idleMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** Options for http.createServer: the timeouts Node enforces itself. */
export function serverTimeouts(limits: ConnectionLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often Node checks those timeouts (default 30 s would let them slip).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 4)),
  };
}

interface Tracked {
  busy: number;
  authenticated: boolean;
}

export function guardConnections(server: http.Server, limits: ConnectionLimits, isAuthenticated: (req: http.IncomingMessage) => boolean): void {
  server.maxConnections = limits.maxConnections;
  // Insertion order = age: the first idle entry is the oldest.
  const sockets = new Map<Socket, Tracked>();

  const evictOne = (): boolean => {
    for (const pass of [false, true]) {
      for (const [socket, t] of sockets) {
        if (t.busy === 0 && t.authenticated === pass) {
          sockets.delete(socket);
          socket.destroy();
          return true;
        }
      }
    }
    return false;
  };

  server.on('connection', (socket: Socket) => {
    const tracked: Tracked = { busy: 0, authenticated: false };
    sockets.set(socket, tracked);
    socket.once('close', () => sockets.delete(socket));
    while (sockets.size > limits.softLimit && evictOne()) {
      /* make room for the newcomer */
    }
    // After Node's own connection setup, which resets the socket's timer.
    setImmediate(() => {
      if (tracked.busy === 0 && !socket.destroyed) socket.setTimeout(limits.idleMs);
    });
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const tracked = sockets.get(req.socket);
    if (!tracked) return;
    tracked.busy++;
    // The idle timer is for sockets that say nothing; a request may then
    // take as long as its operation (or, for the event stream, forever).
    req.socket.setTimeout(0);
    if (isAuthenticated(req)) tracked.authenticated = true;
    // Node re-arms keep-alive timing after the response; nothing to undo here.
    res.once('close', () => tracked.busy--);
  });
}
