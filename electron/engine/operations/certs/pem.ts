/**
 * PEM certificates read with Node's native X509Certificate: the same parser
 * for RSA and EC (node-forge reads RSA only), giving the admin-facing view
 * (subject, issuer, validity, SHA-256 fingerprint) and the checks Drydock
 * refuses on: key/certificate mismatch and an incomplete or unordered chain.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { CertificateInfo } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const DAY = 86_400_000;

/** Every certificate block in a text, in order (s_client output, fullchain.pem, a pasted chain). */
export function splitPem(text: string): string[] {
  return [...text.matchAll(CERT_BLOCK)].map((m) => m[0].replace(/\r/g, '') + '\n');
}

export function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new DrydockError('INVALID_INPUT', `Not a readable PEM certificate: ${(err as Error).message}`);
  }
}

export function parseChain(text: string): X509Certificate[] {
  const blocks = splitPem(text);
  if (!blocks.length) throw new DrydockError('INVALID_INPUT', 'No PEM certificate found (expected -----BEGIN CERTIFICATE-----)');
  return blocks.map(parseCertificate);
}

export function readPrivateKey(pem: string, passphrase?: string): KeyObject {
  if (/ENCRYPTED/.test(pem) && passphrase === undefined) {
    throw new DrydockError('INVALID_INPUT', 'The private key is encrypted; Replicated needs an unencrypted PEM key (openssl pkey -in key.pem -out plain.pem)');
  }
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, format: 'pem', passphrase });
  } catch (err) {
    const msg = (err as Error).message;
    if (passphrase !== undefined && /bad decrypt|decrypt|passphrase/i.test(msg)) throw new DrydockError('INVALID_INPUT', 'Wrong passphrase for the CA key');
    throw new DrydockError('INVALID_INPUT', `Not a readable PEM private key: ${msg}`);
  }
}

function field(dn: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\n)${name}=([^\\n]*)`).exec(dn);
  return m ? m[1] : null;
}

function keyTypeOf(cert: X509Certificate): string {
  const key = cert.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `ECDSA ${d.namedCurve === 'prime256v1' ? 'P-256' : (d.namedCurve ?? '')}`.trim();
  return key.asymmetricKeyType ?? 'unknown';
}

export function sansOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''));
}

/**
 * Signed by its own key. Not `checkIssued(self)`: OpenSSL's issuer check also
 * wants keyCertSign, which a self-signed server certificate rightly lacks.
 */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.verify(cert.publicKey);
}

export function describe(cert: X509Certificate, now = Date.now()): CertificateInfo {
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.split('\n').join(', '),
    commonName: field(cert.subject, 'CN'),
    issuer: cert.issuer.split('\n').join(', '),
    serial: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY),
    sha256: cert.fingerprint256,
    sans: sansOf(cert),
    isCA: cert.ca,
    selfSigned: isSelfSigned(cert),
    keyType: keyTypeOf(cert),
    pem: cert.toString(),
  };
}

/**
 * Refuse what Replicated would reject or serve broken: a key that is not the
 * leaf's, a chain that is out of order or has a gap (each certificate must
 * be signed by the next), an expired leaf. Nothing is written before this passes.
 */
export function checkBundle(chain: X509Certificate[], key: KeyObject): void {
  const [leaf] = chain;
  if (!leaf.checkPrivateKey(key)) {
    throw new DrydockError('INVALID_INPUT', `The private key does not belong to the certificate for ${field(leaf.subject, 'CN') ?? leaf.subject}: nothing was written.`);
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i];
    const parent = chain[i + 1];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new DrydockError(
        'INVALID_INPUT',
        `The chain is not in order or incomplete: certificate ${i + 1} (${child.subject.replace(/\n/g, ', ')}) is not signed by certificate ${i + 2} (${parent.subject.replace(/\n/g, ', ')}). Put the leaf first, then each issuer.`,
      );
    }
  }
  if (chain.length === 1 && !isSelfSigned(leaf)) {
    throw new DrydockError(
      'INVALID_INPUT',
      `The certificate file holds only the server certificate; its issuer (${leaf.issuer.replace(/\n/g, ', ')}) is missing. Append the intermediate certificate(s) after it (a full chain, leaf first).`,
    );
  }
  if (new Date(leaf.validTo).getTime() < Date.now()) {
    throw new DrydockError('INVALID_INPUT', `The certificate expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}.`);
  }
}

