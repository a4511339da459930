/**
 * TLS handshakes run on a host with openssl, so Drydock sees what that host
 * sees: the GHE chain as the Services machine receives it (a proxy or split
 * DNS can make it differ from the laptop's view), and whether the host's own
 * trust store now accepts it.
 */
import { DrydockError } from '../../../../shared/errors';
import { explainTlsError } from '../../../../shared/certs/tls-errors';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';
import { splitPem } from './pem';

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `openssl s_client -showcerts`: every certificate the server presented, leaf first. */
export async function presentedChain(session: HostSession, host: string, port: number, signal?: AbortSignal): Promise<string[]> {
  const result = await session.run(sh`openssl s_client -showcerts -connect ${hostPort(host, port)} -servername ${host} </dev/null 2>&1`, { signal, timeoutMs: 60_000 });
  const chain = splitPem(result.stdout);
  if (!chain.length) {
    const said = result.stdout.trim().split('\n').filter((l) => !/^(CONNECTED|---|no peer certificate|No client certificate)/.test(l)).slice(0, 4).join('\n');
    const why = said ? `: ${explainTlsError(said, host, port)}` : '';
    throw new DrydockError('COMMAND_FAILED', `${session.host.name} could not get a certificate from ${hostPort(host, port)}${why}`, { host: session.host.name });
  }
  return chain;
}

export interface TrustCheck {
  ok: boolean;
  detail: string;
}

/**
 * Does the host's trust store accept the server? -verify_return_error makes
 * s_client fail the handshake on a bad chain; -partial_chain lets an
 * installed intermediate or leaf anchor the chain, as Java's truststore does,
 * for servers that do not send their root.
 */
export async function verifyFromHost(session: HostSession, host: string, port: number, options: { partialChain?: boolean; signal?: AbortSignal } = {}): Promise<TrustCheck> {
  const partial = options.partialChain ? ' -partial_chain' : '';
  const result = await session.run(sh`openssl s_client -connect ${hostPort(host, port)} -servername ${host} -verify_return_error` + partial + ' </dev/null 2>&1', {
    signal: options.signal,
    timeoutMs: 60_000,
  });
  const line = /Verify return code: (\d+) \(([^)]*)\)/.exec(result.stdout);
  const error = /verify error:[^\n]*/.exec(result.stdout)?.[0];
  const ok = result.code === 0 && (!line || line[1] === '0');
  return { ok, detail: ok ? 'Verify return code: 0 (ok)' : (error ?? (line ? `Verify return code: ${line[1]} (${line[2]})` : result.stdout.trim().split('\n').slice(-3).join(' '))) };
}
