/**
 * Issue 7 item 16: the internal CA's key is encrypted with PBKDF2-SHA256 at
 * 600,000 iterations (read back by the real openssl), a new CA needs a
 * 12-character passphrase, and a key written the old way (Node's export:
 * 2048 iterations) still opens, and is then re-encrypted the strong way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caKeyKdf } from '../../electron/engine/operations/certs/ca-key-crypto';
import { caDir, createCa, loadCa } from '../../electron/engine/operations/certs/ca-store';
import { issue } from '../../electron/engine/operations/certs/generate';
import { certChannels } from '../../shared/channels/certs';

const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-ca-kdf-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const passphrase = 'twelve chars!';

/** The PBKDF2 parameters as openssl itself reads them from the file. */
function opensslKdf(file: string): string {
  return execFileSync('openssl', ['asn1parse', '-in', file], { encoding: 'utf8' });
}

describe('internal CA key at rest', () => {
  it('encrypts a new CA key with PBKDF2-HMAC-SHA256, 600,000 iterations, AES-256-CBC; openssl opens it', () => {
    createCa(home, { name: 'strong', passphrase, days: 100, key: 'p256' });
    const keyFile = path.join(caDir(home, 'strong'), 'ca.key');
    expect(caKeyKdf(readFileSync(keyFile, 'utf8'))).toEqual({ iterations: 600_000, prf: 'sha256' });
    const parsed = opensslKdf(keyFile);
    expect(parsed).toMatch(/:PBES2/);
    expect(parsed).toMatch(/:PBKDF2/);
    expect(parsed).toMatch(/INTEGER\s+:0927C0/); // 600000
    expect(parsed).toMatch(/:hmacWithSHA256/);
    expect(parsed).toMatch(/:aes-256-cbc/);
    expect(execFileSync('openssl', ['pkey', '-in', keyFile, '-passin', `pass:${passphrase}`, '-noout'], { encoding: 'utf8' })).toBe('');
    expect(() => loadCa(home, 'strong', 'wrong passphrase!')).toThrow(/Wrong passphrase/);
    expect(loadCa(home, 'strong', passphrase).key.asymmetricKeyType).toBe('ec');
  });

  it('refuses a new CA with a passphrase under 12 characters, in the engine and in the contract', () => {
    expect(() => createCa(home, { name: 'short', passphrase: 'elevenchars', days: 100, key: 'p256' })).toThrow(/at least 12 characters/);
    expect(certChannels['certs:ca-create'].request.safeParse({ name: 'short', passphrase: 'elevenchars' }).success).toBe(false);
    expect(certChannels['certs:ca-create'].request.safeParse({ name: 'short', passphrase: 'twelve chars' }).success).toBe(true);
  });

  it('opens a CA key written the old way (short passphrase too), then re-encrypts it with the strong KDF', () => {
    createCa(home, { name: 'old', passphrase, days: 100, key: 'p256' });
    const keyFile = path.join(caDir(home, 'old'), 'ca.key');
    // What Drydock wrote before: Node's export, OpenSSL's default PBKDF2 (2048 iterations).
    const oldPassphrase = 'old-8chr';
    const caKey = loadCa(home, 'old', passphrase).key;
    writeFileSync(keyFile, caKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: oldPassphrase }), { mode: 0o600 });
    expect(caKeyKdf(readFileSync(keyFile, 'utf8'))?.iterations).toBe(2048);

    const { certPem } = issue(home, { hostname: 'ci.example.com', sans: [], days: 10, key: 'p256', ca: 'old', caPassphrase: oldPassphrase });
    expect(certPem).toMatch(/BEGIN CERTIFICATE/);
    expect(caKeyKdf(readFileSync(keyFile, 'utf8'))).toEqual({ iterations: 600_000, prf: 'sha256' });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(loadCa(home, 'old', oldPassphrase).key.export({ type: 'pkcs8', format: 'der' })).toEqual(caKey.export({ type: 'pkcs8', format: 'der' }));
  });
});
