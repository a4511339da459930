/**
 * The two views of the management console's certificate that the tunnel
 * compares: what the Services machine presents to itself on 8800 (fetched
 * over SSH with openssl on the host), and what actually arrives through an
 * SSH `forwardOut` channel (Drydock's own TLS handshake, trusting nothing,
 * only reading the certificate).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { DrydockError } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';

export interface SeenCertificate {
  /** Lowercase hex SHA-256 of the DER certificate. */
  sha256: string;
  subject: string;
  issuer: string;
  validTo: string;
}

export function describe(der: Buffer): SeenCertificate {
  const x = new X509Certificate(der);
  return { sha256: createHash('sha256').update(der).digest('hex'), subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), validTo: x.validTo };
}

const hostPort = (address: string, port: number) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** `openssl s_client` on the Services machine itself: the certificate it serves on address:port. */
export async function certificateOnHost(session: HostSession, address: string, port: number, signal?: AbortSignal): Promise<SeenCertificate> {
  const result = await session.run(sh`openssl s_client -connect ${hostPort(address, port)} </dev/null`, { signal, timeoutMs: 20_000 });
  if (result.code === 127) throw new DrydockError('NOT_FOUND', `openssl is not installed on ${session.host.name}: Drydock needs it there to read the console's certificate`);
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
  if (!pem) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
    throw new DrydockError('CONNECT_FAILED', `${session.host.name} presents no certificate on ${hostPort(address, port)} (is the management console running?): ${said}`);
  }
  return describe(new X509Certificate(pem).raw);
}

/** A raw TCP channel from the Services machine to address:port (its sshd makes the connection). */
export function forwardOut(session: HostSession, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) =>
    session.client.forwardOut('127.0.0.1', 0, address, port, (err, stream) =>
      err ? reject(new DrydockError('CONNECT_FAILED', `${session.host.name} could not open a channel to ${hostPort(address, port)}: ${err.message}`)) : resolve(stream),
    ),
  );
}

/**
 * Our own TLS handshake through a fresh channel: the certificate that arrives
 * through the tunnel. Nothing is sent after the handshake; the channel is closed.
 */
export async function certificateThroughTunnel(session: HostSession, address: string, port: number, timeoutMs = 15_000): Promise<SeenCertificate> {
  const channel = await forwardOut(session, address, port);
  return new Promise((resolve, reject) => {
    // rejectUnauthorized: false because the console's certificate is usually
    // self-signed; it is trusted only by comparison with the pin, by the caller.
    const socket = tls.connect({ socket: channel, rejectUnauthorized: false });
    const timer = setTimeout(() => done(new DrydockError('TIMEOUT', `No TLS handshake from ${hostPort(address, port)} through ${session.host.name} within ${timeoutMs / 1000} s`)), timeoutMs);
    const done = (err: Error | null, seen?: SeenCertificate) => {
      clearTimeout(timer);
      socket.destroy();
      channel.destroy();
      if (err) reject(err);
      else resolve(seen!);
    };
    socket.once('secureConnect', () => {
      const raw = socket.getPeerX509Certificate()?.raw;
      if (raw) done(null, describe(raw));
      else done(new DrydockError('CONNECT_FAILED', `${hostPort(address, port)} completed TLS without a certificate`));
    });
    socket.once('error', (err) => done(new DrydockError('CONNECT_FAILED', `TLS handshake with ${hostPort(address, port)} through ${session.host.name} failed: ${err.message}`)));
  });
}
