/**
 * The internal CA: made once on the laptop, kept under DRYDOCK_HOME/ca/NAME/
 * (ca.crt, and ca.key encrypted with the admin's passphrase, PKCS#8 +
 * AES-256 with a 600,000-iteration PBKDF2-SHA256 key, ca-key-crypto.ts), so Nomad clients and browsers trust one root however often the
 * server certificate is re-issued. The key never leaves the laptop.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CaSummary, KeyType } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { CA_PASSPHRASE_MIN, caKeyIsWeak, encryptCaKey } from './ca-key-crypto';
import { describe, parseCertificate, readPrivateKey } from './pem';
import { buildCertificate, generateKey, subjectAttributes, subjectKeyId } from './x509-build';
import type forge from 'node-forge';

export interface LoadedCa {
  name: string;
  certPem: string;
  key: KeyObject;
  subject: forge.pki.CertificateField[];
  subjectKeyId: string;
}

export function caDir(home: string, name: string): string {
  return path.join(home, 'ca', name);
}

function summary(home: string, name: string): CaSummary {
  const dir = caDir(home, name);
  const certPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  const info = describe(parseCertificate(certPem));
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { createdAt: string };
  return { name, subject: info.subject, createdAt: meta.createdAt, notAfter: info.notAfter, sha256: info.sha256, certPath: path.join(dir, 'ca.crt') };
}

export function createCa(home: string, options: { name: string; passphrase: string; days: number; key: KeyType }): CaSummary {
  const dir = caDir(home, options.name);
  if (options.passphrase.length < CA_PASSPHRASE_MIN) {
    throw new DrydockError('INVALID_INPUT', `passphrase: at least ${CA_PASSPHRASE_MIN} characters for a new CA (its key can sign certificates every client trusts)`);
  }
  if (existsSync(path.join(dir, 'ca.crt'))) {
    throw new DrydockError('CONFLICT', `A CA named ${options.name} already exists (${dir}); its certificate may already be trusted by clients, so it is not replaced.`);
  }
  const key = generateKey(options.key);
  const certPem = buildCertificate({
    subject: { commonName: `Drydock internal CA ${options.name}`, organization: 'Drydock' },
    days: options.days,
    isCA: true,
    publicKey: createPublicKey(key),
    signingKey: key,
  });
  const keyPem = encryptCaKey(key, options.passphrase);
  // Key first: a CA certificate without its key would be useless, the reverse is just retried.
  writeFileAtomic(path.join(dir, 'ca.key'), keyPem, 0o600);
  writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify({ createdAt: new Date().toISOString(), keyType: options.key }, null, 2) + '\n', 0o600);
  writeFileAtomic(path.join(dir, 'ca.crt'), certPem, 0o644);
  return summary(home, options.name);
}

export function listCas(home: string): CaSummary[] {
  let names: string[] = [];
  try {
    names = readdirSync(path.join(home, 'ca'));
  } catch {
    return [];
  }
  return names.filter((n) => existsSync(path.join(caDir(home, n), 'ca.crt'))).sort().map((n) => summary(home, n));
}

export function loadCa(home: string, name: string, passphrase: string | undefined): LoadedCa {
  const dir = caDir(home, name);
  if (!existsSync(path.join(dir, 'ca.crt'))) throw new DrydockError('NOT_FOUND', `No internal CA named ${name}: create it with drydock cert ca create ${name}`);
  if (!passphrase) throw new DrydockError('INVALID_INPUT', `The key of CA ${name} is encrypted: give its passphrase (DRYDOCK_CA_PASSPHRASE for the CLI)`);
  const certPem = readFileSync(path.join(dir, 'ca.crt'), 'utf8');
  const keyPem = readFileSync(path.join(dir, 'ca.key'), 'utf8');
  const key = readPrivateKey(keyPem, passphrase);
  const cert = parseCertificate(certPem);
  if (!cert.checkPrivateKey(key)) throw new DrydockError('CONFLICT', `${dir}/ca.key does not belong to ca.crt`);
  // A key written with the old 2048-iteration KDF opens as before, and is
  // re-encrypted with the strong one now that its passphrase is known (same
  // passphrase, same key: only the protection on disk changes).
  if (caKeyIsWeak(keyPem)) {
    try {
      writeFileAtomic(path.join(dir, 'ca.key'), encryptCaKey(key, passphrase), 0o600);
    } catch {
      /* best effort: the old file still works, and the next use tries again */
    }
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? name;
  const org = /(?:^|\n)O=([^\n]*)/.exec(cert.subject)?.[1];
  return { name, certPem, key, subject: subjectAttributes({ commonName: cn, ...(org ? { organization: org } : {}) }), subjectKeyId: subjectKeyId(cert.publicKey) };
}
