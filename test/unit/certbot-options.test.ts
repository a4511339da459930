/** Issue 7 item 20: the wizard's certbot requests are refused by the contract before certbot starts. */
import { describe, expect, it } from 'vitest';
import { certChannels } from '../../shared/channels/certs';
import { caBundleProblem, isDnsResolver } from '../../shared/certs/certbot-options';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----\n';

describe('certbot options', () => {
  it('accepts IP and IP#PORT resolvers only', () => {
    for (const ok of ['10.0.0.2', '10.0.0.2#5353', 'fd00::53', 'fd00::53#53']) expect(isDnsResolver(ok), ok).toBe(true);
    for (const bad of ['10.0.0.300', '10.0.0.2#0', '10.0.0.2#70000', 'ns1.example.com', '10.0.0.2;id', '', '::::::::::', '10.0.0.2#']) expect(isDnsResolver(bad), bad).toBe(false);
    expect(certChannels['certs:certbot-check-dns'].request.safeParse({ runId: 'r-1', resolver: '999.1.1.1' }).success).toBe(false);
  });

  it('takes a CA bundle of certificates only', () => {
    expect(caBundleProblem(CERT + CERT)).toBeNull();
    expect(caBundleProblem(CERT + '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n')).toMatch(/private key/);
    expect(caBundleProblem('hello')).toMatch(/no PEM certificate/);
    expect(caBundleProblem(CERT + 'rm -rf /\n')).toMatch(/outside/);
    const start = certChannels['certs:certbot-start'].request;
    expect(start.safeParse({ hostname: 'ci.example.com', server: 'https://acme.internal/dir', caBundle: 'junk' }).success).toBe(false);
    expect(start.safeParse({ hostname: 'ci.example.com', server: 'https://acme.internal/dir', caBundle: CERT }).success).toBe(true);
  });
});
