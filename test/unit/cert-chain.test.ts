/** Key/certificate and chain checks that refuse an install before anything is written. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCa } from '../../electron/engine/operations/certs/ca-store';
import { issue } from '../../electron/engine/operations/certs/generate';
import { checkBundle, parseChain, readPrivateKey, splitPem } from '../../electron/engine/operations/certs/pem';

const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-chain-unit-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
createCa(home, { name: 'one', passphrase: 'passphrase-1', days: 100, key: 'p256' });
createCa(home, { name: 'two', passphrase: 'passphrase-2', days: 100, key: 'p256' });

describe('checkBundle', () => {
  const a = issue(home, { hostname: 'ci.example.com', sans: [], days: 10, key: 'p256', ca: 'one', caPassphrase: 'passphrase-1' });
  const b = issue(home, { hostname: 'ci.example.com', sans: [], days: 10, key: 'p256', ca: 'two', caPassphrase: 'passphrase-2' });

  it('accepts a matching key and a chain leaf first', () => {
    expect(() => checkBundle(parseChain(a.certPem), readPrivateKey(a.keyPem))).not.toThrow();
  });

  it('refuses a key that belongs to another certificate', () => {
    expect(() => checkBundle(parseChain(a.certPem), readPrivateKey(b.keyPem))).toThrow(/does not belong to the certificate/);
  });

  it('refuses a chain out of order, with a foreign issuer, or a lone non-self-signed leaf', () => {
    const [leafA, caA] = splitPem(a.certPem);
    const [, caB] = splitPem(b.certPem);
    expect(() => checkBundle(parseChain(caA + leafA), readPrivateKey(a.keyPem))).toThrow(/does not belong|not in order/);
    expect(() => checkBundle(parseChain(leafA + caB), readPrivateKey(a.keyPem))).toThrow(/not signed by certificate 2/);
    expect(() => checkBundle(parseChain(leafA), readPrivateKey(a.keyPem))).toThrow(/issuer .* is missing/);
  });

  it('refuses an encrypted key (Replicated needs it unencrypted)', () => {
    expect(() => readPrivateKey('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n')).toThrow(/encrypted/);
  });
});
