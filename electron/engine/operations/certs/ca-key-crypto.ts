/**
 * The internal CA's key at rest: PKCS#8 EncryptedPrivateKeyInfo with PBES2,
 * PBKDF2-HMAC-SHA256 at 600,000 iterations (OWASP's figure for that hash)
 * and AES-256-CBC. Node's own export offers only OpenSSL's default of 2048
 * iterations, cheap to guess on a lost laptop, so the structure is built here
 * from Node's PBKDF2 and cipher; it is the standard format, so
 * `openssl pkey -in ca.key` and Node's createPrivateKey read it as before,
 * and keys written the old way still open the same way.
 */
import { createCipheriv, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export const CA_KEY_ITERATIONS = 600_000;
export const CA_PASSPHRASE_MIN = 12;

const OID = { pbes2: '1.2.840.113549.1.5.13', pbkdf2: '1.2.840.113549.1.5.12', hmacWithSha256: '1.2.840.113549.2.9', aes256Cbc: '2.16.840.1.101.3.4.1.42' };
const { asn1 } = forge;
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (b: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b.toString('binary'));
const integer = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const nul = () => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');

export function encryptCaKey(key: KeyObject, passphrase: string, iterations = CA_KEY_ITERATIONS): string {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const derived = pbkdf2Sync(passphrase, salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', derived, iv);
  const encrypted = Buffer.concat([cipher.update(der), cipher.final()]);
  const info = seq([
    seq([oid(OID.pbes2), seq([seq([oid(OID.pbkdf2), seq([octets(salt), integer(iterations), seq([oid(OID.hmacWithSha256), nul()])])]), seq([oid(OID.aes256Cbc), octets(iv)])])]),
    octets(encrypted),
  ]);
  const body = Buffer.from(asn1.toDer(info).getBytes(), 'binary').toString('base64');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END ENCRYPTED PRIVATE KEY-----\n`;
}

/** PBKDF2 iterations and PRF of an encrypted PKCS#8 key, or null when it is not PBES2/PBKDF2 (or not encrypted). */
export function caKeyKdf(pem: string): { iterations: number; prf: string } | null {
  const m = /-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]+?)-----END ENCRYPTED PRIVATE KEY-----/.exec(pem);
  if (!m) return null;
  try {
    const info = asn1.fromDer(Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('binary'));
    const alg = (info.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
    if (asn1.derToOid(alg[0].value as string) !== OID.pbes2) return null;
    const kdf = ((alg[1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[]);
    if (asn1.derToOid(kdf[0].value as string) !== OID.pbkdf2) return null;
    const params = kdf[1].value as forge.asn1.Asn1[];
    const iterations = asn1.derToInteger(params[1].value as string);
    // The PRF is optional and then HMAC-SHA1; it follows salt, count and an optional key length.
    const prfSeq = params.find((p, i) => i >= 2 && p.type === asn1.Type.SEQUENCE);
    const prf = prfSeq ? asn1.derToOid((prfSeq.value as forge.asn1.Asn1[])[0].value as string) : '1.2.840.113549.2.7';
    return { iterations, prf: prf === OID.hmacWithSha256 ? 'sha256' : prf === '1.2.840.113549.2.7' ? 'sha1' : prf };
  } catch {
    return null;
  }
}

/** True for a key written before the stronger KDF: re-encrypt it once its passphrase is known. */
export function caKeyIsWeak(pem: string): boolean {
  const kdf = caKeyKdf(pem);
  return !kdf || kdf.prf !== 'sha256' || kdf.iterations < CA_KEY_ITERATIONS;
}
