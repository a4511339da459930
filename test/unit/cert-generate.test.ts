/**
 * Certificates Drydock makes, read back by the real openssl: CN, SANs, key
 * usage, validity, CA extensions, and `openssl verify` against the CA (or
 * the self-signed certificate itself). No timing asserts: see bench/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine';
import { createCa, listCas, loadCa } from '../../electron/engine/operations/certs/ca-store';
import { generateCertificate, issue } from '../../electron/engine/operations/certs/generate';
import { GenerateRequestSchema } from '../../shared/channels/certs';

const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-cert-unit-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function text(pem: string): string {
  const file = path.join(home, `c-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(file, pem);
  return openssl(['x509', '-in', file, '-noout', '-text']);
}

function firstCert(pem: string): string {
  return pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + 25) + '\n';
}

describe('self-signed certificates', () => {
  it.each(['rsa2048', 'rsa3072', 'p256'] as const)('%s: CN, SANs, usages, validity as openssl reads them', (key) => {
    const { certPem, keyPem } = issue(home, { hostname: 'ci.example.com', sans: ['ci-alt.example.com', '10.0.0.5'], days: 90, key });
    const out = text(certPem);
    expect(out).toMatch(/Subject: CN ?= ?ci\.example\.com/);
    expect(out).toMatch(/Issuer: CN ?= ?ci\.example\.com/);
    expect(out).toContain('DNS:ci.example.com, DNS:ci-alt.example.com, IP Address:10.0.0.5');
    expect(out).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(out).toMatch(/Key Usage: critical\s+Digital Signature/);
    expect(out).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(out).toContain('Subject Key Identifier');
    expect(out).toContain('Authority Key Identifier');
    expect(out).toMatch(key === 'p256' ? /id-ecPublicKey[\s\S]*P-256[\s\S]*ecdsa-with-SHA256/ : new RegExp(`Public-Key: \\(${key.slice(3)} bit\\)`));
    // -checkend: valid now and 89 days from now, expired at 91.
    const file = path.join(home, `v-${key}.pem`);
    writeFileSync(file, certPem);
    expect(() => openssl(['x509', '-in', file, '-noout', '-checkend', String(89 * 86400)])).not.toThrow();
    expect(() => openssl(['x509', '-in', file, '-noout', '-checkend', String(91 * 86400)])).toThrow();
    expect(openssl(['verify', '-CAfile', file, file])).toContain(': OK');
    // Unencrypted key that matches the certificate (Replicated's requirement).
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const keyFile = path.join(home, `k-${key}.pem`);
    writeFileSync(keyFile, keyPem);
    expect(openssl(['pkey', '-in', keyFile, '-pubout'])).toBe(openssl(['x509', '-in', file, '-noout', '-pubkey']));
  });

  it('uses a fresh random serial each time', () => {
    const a = text(issue(home, { hostname: 'ci.example.com', sans: [], days: 1, key: 'p256' }).certPem);
    const b = text(issue(home, { hostname: 'ci.example.com', sans: [], days: 1, key: 'p256' }).certPem);
    const serial = (t: string) => /Serial Number:\s+([0-9a-f:]+)/.exec(t)?.[1];
    expect(serial(a)).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(serial(a)).not.toBe(serial(b));
  });
});

describe('internal CA', () => {
  const passphrase = 'correct horse battery';

  it('creates a CA once, with an encrypted key and CA extensions', () => {
    const ca = createCa(home, { name: 'lab', passphrase, days: 3650, key: 'rsa2048' });
    const dir = path.join(home, 'ca', 'lab');
    expect(readFileSync(path.join(dir, 'ca.key'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    const out = openssl(['x509', '-in', ca.certPath, '-noout', '-text']);
    expect(out).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(out).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(listCas(home).map((c) => c.name)).toEqual(['lab']);
    expect(() => createCa(home, { name: 'lab', passphrase, days: 10, key: 'p256' })).toThrow(/already exists/);
    expect(() => loadCa(home, 'lab', 'wrong passphrase')).toThrow(/Wrong passphrase/);
  });

  it('issues a leaf that openssl verify accepts against the CA, chain leaf first', () => {
    const { certPem } = issue(home, { hostname: 'ci.example.com', sans: ['10.1.2.3'], days: 30, key: 'p256', ca: 'lab', caPassphrase: passphrase });
    const chainFile = path.join(home, 'chain.pem');
    const leafFile = path.join(home, 'leaf.pem');
    writeFileSync(chainFile, certPem);
    writeFileSync(leafFile, firstCert(certPem));
    expect(openssl(['verify', '-CAfile', path.join(home, 'ca', 'lab', 'ca.crt'), leafFile])).toContain(': OK');
    const out = text(certPem);
    expect(out).toMatch(/Issuer: O ?= ?Drydock, CN ?= ?Drydock internal CA lab|Issuer: CN ?= ?Drydock internal CA lab, O ?= ?Drydock/);
    expect(out).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    // The leaf's AKI is the CA's SKI.
    const caText = openssl(['x509', '-in', path.join(home, 'ca', 'lab', 'ca.crt'), '-noout', '-text']);
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)![1];
    expect(/Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(out)![1]).toBe(ski);
  });
});

describe('generateCertificate', () => {
  const engine = createEngine({ home, defaultSecrets: {} });
  afterAll(() => engine.close());

  it('writes cert.pem (chain) and key.pem 0600 to --out, and records the bundle', async () => {
    const out = path.join(home, 'out');
    const request = GenerateRequestSchema.parse({ hostname: 'ci.example.com', sans: ['ci2.example.com'], days: 10, out, offline: true });
    const result = await generateCertificate(engine, request);
    expect(result.files).toEqual({ cert: path.join(out, 'cert.pem'), key: path.join(out, 'key.pem') });
    expect(statSync(result.files.key).mode & 0o777).toBe(0o600);
    expect(result.bundle.chain[0].commonName).toBe('ci.example.com');
    expect(result.bundle.chain[0].sans).toEqual(['ci.example.com', 'ci2.example.com']);
    expect(result.bundle.source).toBe('self-signed');
    expect(engine.audit.entries().at(-1)?.command).toMatch(/issued self-signed certificate/);
  });

  it('refuses a CN that is not a DNS name before making anything', () => {
    expect(GenerateRequestSchema.safeParse({ hostname: '10.0.0.1' }).success).toBe(false);
    expect(GenerateRequestSchema.safeParse({ hostname: 'ci.example.com', key: 'dsa1024' }).success).toBe(false);
  });
});
