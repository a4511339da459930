/**
 * X.509 certificates built with node-forge's ASN.1 and signed with Node's
 * crypto. forge lays out the TBSCertificate (names, validity, extensions);
 * its own signer and key encoder know RSA only, so the SubjectPublicKeyInfo
 * and the signature algorithm are spliced in from Node, which handles RSA
 * and ECDSA P-256 alike. Keys come from crypto.generateKeyPairSync (native,
 * an order of magnitude faster than forge's JavaScript RSA).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import type { KeyType } from '../../../../shared/channels/certs';

const { asn1, pki } = forge;

// @types/node-forge lags the library: fromDer's options object and getTBSCertificate are real in 1.3.1.
const fromDer = (der: Buffer): forge.asn1.Asn1 =>
  (asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: { decodeBitStrings: boolean }) => forge.asn1.Asn1)(forge.util.createBuffer(der.toString('binary')), {
    decodeBitStrings: false,
  });
const getTBSCertificate = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

export function generateKey(type: KeyType): KeyObject {
  if (type === 'p256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const bits = { rsa2048: 2048, rsa3072: 3072, rsa4096: 4096 }[type];
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 }).privateKey;
}

/** PKCS#8 PEM, unencrypted: what Replicated's console upload accepts. */
export function keyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface Subject {
  commonName: string;
  organization?: string;
}

export interface CertificateSpec {
  subject: Subject;
  /** DNS names and IP addresses (the CN is always added as a DNS name for leaves). */
  sans?: string[];
  days: number;
  isCA: boolean;
  /** The new certificate's public key. */
  publicKey: KeyObject;
  /** Who signs: omit for self-signed (then signingKey is the subject's own private key). */
  issuer?: { subject: forge.pki.CertificateField[]; subjectKeyId: string };
  signingKey: KeyObject;
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits, what openssl puts in its SKI. */
export function subjectKeyId(key: KeyObject): string {
  const spki = fromDer(spkiDer(key));
  const bits = (spki.value as forge.asn1.Asn1[])[1].value as string;
  return createHash('sha1').update(Buffer.from(bits.slice(1), 'binary')).digest('hex');
}

function algorithmIdentifier(key: KeyObject): forge.asn1.Asn1 {
  const ecdsaWithSHA256 = '1.2.840.10045.4.3.2';
  const oid = key.asymmetricKeyType === 'ec' ? ecdsaWithSHA256 : pki.oids.sha256WithRSAEncryption;
  const parts = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())];
  // RSA's AlgorithmIdentifier carries an explicit NULL; ECDSA's must have no parameters (RFC 5758).
  if (key.asymmetricKeyType !== 'ec') parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

function octets(hex: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, forge.util.hexToBytes(hex));
}

/** A positive 128-bit serial (high bit cleared so DER needs no sign byte ambiguity). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x10;
  return bytes.toString('hex');
}

function altNames(names: string[]): { type: number; value?: string; ip?: string }[] {
  return names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
}

function extensions(spec: CertificateSpec, ski: string): object[] {
  const authorityKeyId = spec.issuer?.subjectKeyId ?? ski;
  const aki = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, forge.util.hexToBytes(authorityKeyId)),
  ]);
  const common = [
    { name: 'subjectKeyIdentifier', value: octets(ski) },
    { name: 'authorityKeyIdentifier', value: aki },
  ];
  if (spec.isCA) {
    return [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ...common,
    ];
  }
  const names = [...new Set([spec.subject.commonName, ...(spec.sans ?? [])])];
  return [
    { name: 'basicConstraints', cA: false, critical: true },
    // keyEncipherment only means something for RSA key transport; ECDSA keys sign.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: spec.publicKey.asymmetricKeyType === 'rsa', critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(names) },
    ...common,
  ];
}

export function subjectAttributes(subject: Subject): forge.pki.CertificateField[] {
  return [
    { name: 'commonName', value: subject.commonName },
    ...(subject.organization ? [{ name: 'organizationName', value: subject.organization }] : []),
  ];
}

/** Build and sign; returns the certificate as PEM. */
export function buildCertificate(spec: CertificateSpec): string {
  const cert = pki.createCertificate();
  cert.serialNumber = randomSerial();
  // Backdate a little: laptops and servers disagree on the time by minutes.
  const notBefore = new Date(Date.now() - 5 * 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + spec.days * 86_400_000);
  const subject = subjectAttributes(spec.subject);
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer?.subject ?? subject);
  const ski = subjectKeyId(spec.publicKey);
  cert.setExtensions(extensions(spec, ski));
  // forge insists on an RSA key object to lay out the TBS; its SPKI is replaced below.
  cert.publicKey = pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption;

  const tbs = getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[2] = algorithmIdentifier(spec.signingKey);
  fields[6] = fromDer(spkiDer(spec.publicKey));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, spec.signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithmIdentifier(spec.signingKey),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  const der = asn1.toDer(certificate).getBytes();
  return forge.pem.encode({ type: 'CERTIFICATE', body: der }, { maxline: 64 }).replace(/\r\n/g, '\n');
}
