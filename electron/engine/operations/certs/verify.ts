/**
 * After an install: does HOST:443 (the app) and HOST:8800 (the admin
 * console) present the certificate Replicated holds, for the right name,
 * and for how long? Asked from the laptop (Node's TLS) or from the Services
 * machine (openssl s_client), because an ELB or split DNS can make the two
 * views differ.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { CertificateInfo } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { explainTlsError } from '../../../../shared/certs/tls-errors';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';
import type { EngineServices } from '../operation';
import { describe, splitPem } from './pem';
import { configuredHostname, exportAppConfig, servicesHostName } from './services-host';
import { hostPort } from './tls-probe';

export interface Endpoint {
  port: number;
  reachable: boolean;
  presented: CertificateInfo | null;
  matchesInstalled: boolean | null;
  hostnameMatches: boolean | null;
  daysLeft: number | null;
  error?: string;
}

/** The leaf a server presents, seen from this machine. Trusts nothing: it is compared, not relied on. */
export function handshakeFromLaptop(address: string, port: number, servername: string, timeoutMs = 10_000): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, servername, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!peer?.raw) return reject(new Error('the server presented no certificate'));
      resolve(new X509Certificate(peer.raw));
    });
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer within ${timeoutMs / 1000} s`)));
    socket.on('error', (err) => reject(err));
  });
}

export async function handshakeFromHost(session: HostSession, address: string, port: number, servername: string, signal?: AbortSignal): Promise<X509Certificate> {
  const result = await session.run(sh`openssl s_client -connect ${hostPort(address, port)} -servername ${servername} </dev/null 2>&1`, { signal, timeoutMs: 30_000 });
  const [leaf] = splitPem(result.stdout);
  if (!leaf) throw new Error(result.stdout.trim().split('\n').filter((l) => /error|refused|errno|unable/i.test(l))[0] ?? `no certificate from ${hostPort(address, port)}`);
  return new X509Certificate(leaf);
}

export function endpointReport(port: number, cert: X509Certificate, hostname: string, installed: CertificateInfo | null): Endpoint {
  const presented = describe(cert);
  return {
    port,
    reachable: true,
    presented,
    matchesInstalled: installed ? installed.sha256 === presented.sha256 : null,
    hostnameMatches: cert.checkHost(hostname) !== undefined || (presented.commonName ?? '').toLowerCase() === hostname.toLowerCase(),
    daysLeft: presented.daysLeft,
  };
}

export function unreachable(port: number, err: unknown, address?: string): Endpoint {
  const raw = (err as Error).message.split('\n')[0];
  return { port, reachable: false, presented: null, matchesInstalled: null, hostnameMatches: null, daysLeft: null, error: address ? explainTlsError(raw, address, port) : raw };
}

export interface VerifyRequest {
  services?: string;
  hostname?: string;
  address?: string;
  from: 'laptop' | 'services';
  ports: number[];
}

/** What Replicated holds (ssl_cert), which is also what Drydock sets for the console. */
async function installedLeaf(session: HostSession): Promise<{ installed: CertificateInfo | null; configured: string | null }> {
  const config = await exportAppConfig(session);
  const data = config.ssl_cert?.data;
  const [leaf] = data ? splitPem(Buffer.from(data, 'base64').toString('utf8')) : [];
  return { installed: leaf ? describe(new X509Certificate(leaf)) : null, configured: configuredHostname(config) };
}

export async function verifyEndpoints(services: EngineServices, request: VerifyRequest) {
  let session: HostSession | null = null;
  let installed: CertificateInfo | null = null;
  let configured: string | null = null;
  try {
    session = await services.pool.session(servicesHostName(services, request.services), AbortSignal.timeout(15_000));
    ({ installed, configured } = await installedLeaf(session));
  } catch (err) {
    // From the laptop, a verify still means something without the Services machine (an ELB, say).
    if (request.from === 'services' || !request.hostname) throw err;
  }
  const hostname = request.hostname ?? configured ?? installed?.commonName;
  if (!hostname) throw new DrydockError('INVALID_INPUT', 'No hostname configured in CircleCI and none given: pass --hostname');
  const address = request.address ?? hostname;
  const endpoints: Endpoint[] = [];
  for (const port of request.ports) {
    try {
      const cert = request.from === 'laptop' ? await handshakeFromLaptop(address, port, hostname) : await handshakeFromHost(session!, address, port, hostname);
      endpoints.push(endpointReport(port, cert, hostname, installed));
    } catch (err) {
      endpoints.push(unreachable(port, err, address));
    }
  }
  return { hostname, from: request.from, installed, endpoints };
}
