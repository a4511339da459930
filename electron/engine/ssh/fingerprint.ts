/**
 * Host key fingerprints exactly as OpenSSH prints them (`ssh-keygen -lf`):
 * 'SHA256:' + unpadded base64 of the SHA-256 of the raw public key blob.
 */
import { createHash } from 'node:crypto';

export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside the blob (its first SSH string), e.g. 'ssh-ed25519'. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}
