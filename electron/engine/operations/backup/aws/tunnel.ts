/**
 * The SDK's HTTPS through an SSH tunnel: each connection the SDK opens is an
 * ssh2 `forwardOut` channel from an inventory host to the endpoint, and TLS
 * runs inside it end to end with the endpoint (the host relays bytes only).
 * Also the custom CA bundle, added to Node's public roots.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import { DrydockError } from '../../../../../shared/errors';

/** Opens a TCP stream to host:port from somewhere else (an SSH host). */
export type Forwarder = (host: string, port: number) => Promise<Duplex>;

export function caList(caBundle?: string): string[] | undefined {
  if (!caBundle) return undefined;
  let pem: string;
  try {
    pem = readFileSync(caBundle, 'utf8');
  } catch (err) {
    throw new DrydockError('INVALID_INPUT', `CA bundle ${caBundle}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new DrydockError('INVALID_INPUT', `CA bundle ${caBundle} holds no PEM certificate`);
  return [...rootCertificates, pem];
}

interface ConnectOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
}

type Callback = (err: Error | null, socket?: Duplex) => void;

function target(options: ConnectOptions, defaultPort: number): { host: string; port: number } {
  const host = String(options.hostname ?? options.host ?? '').replace(/^\[|\]$/g, '');
  return { host, port: Number(options.port ?? defaultPort) };
}

/**
 * An SSH channel is a Duplex, not a net.Socket: Node's agent calls the
 * socket's keep-alive, no-delay and timeout knobs, which mean nothing for a
 * channel (the SSH connection has its own keep-alive). The SDK keeps its own
 * request timeout.
 */
function asSocket(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const m of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => s;
  }
  return s;
}

function open(forward: Forwarder, options: ConnectOptions, defaultPort: number, wrap: (s: Duplex, host: string) => Duplex, cb: Callback): void {
  const { host, port } = target(options, defaultPort);
  forward(host, port).then(
    (stream) => cb(null, wrap(asSocket(stream), host)),
    (err: Error) => cb(new DrydockError('CONNECT_FAILED', `SSH tunnel to ${host}:${port}: ${err.message}`)),
  );
}

/** Node agents whose every connection goes through `forward`. */
export function tunnelAgents(forward: Forwarder, ca?: string[]): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const base: AgentOptions = { keepAlive: true, maxSockets: 4 };
  const httpAgent = new HttpAgent(base);
  const httpsAgent = new HttpsAgent({ ...base, ...(ca ? { ca } : {}) });
  Object.assign(httpAgent, {
    createConnection: (options: ConnectOptions, cb: Callback) => open(forward, options, 80, (s) => s, cb),
  });
  Object.assign(httpsAgent, {
    createConnection: (options: ConnectOptions, cb: Callback) =>
      open(forward, options, 443, (s, host) => tlsConnect({ socket: s, ...(isIP(host) ? {} : { servername: options.servername || host }), ...(ca ? { ca } : {}), ALPNProtocols: ['http/1.1'] }), cb),
  });
  return { httpAgent, httpsAgent };
}
