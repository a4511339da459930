/**
 * Certificates Drydock made or collected, one folder each under
 * DRYDOCK_HOME/certs/<id>/: cert.pem (full chain, leaf first), key.pem
 * (0600, unencrypted as Replicated needs) and meta.json. Operations refer to
 * a bundle by id, so no private key is ever written into a runbook or sent
 * to the renderer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Bundle } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { writeFileAtomic } from '../../store/atomic-file';
import { checkBundle, describe, parseChain, readPrivateKey } from './pem';

export interface BundleMeta {
  id: string;
  hostname: string;
  source: Bundle['source'];
  ca?: string;
  createdAt: string;
}

const RENEW_AHEAD_DAYS = 30;

export function bundlesDir(home: string): string {
  return path.join(home, 'certs');
}

/** Same chain and same key, whatever the PEM's line endings or surrounding text. */
function identity(certPem: string, keyPem: string): string {
  const chain = parseChain(certPem).map((c) => describe(c).sha256).join(',');
  const key = readPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return `${chain}|${createHash('sha256').update(key).digest('hex')}`;
}

function identityOf(home: string, id: string): string | null {
  try {
    const dir = path.join(bundlesDir(home), id);
    return identity(readFileSync(path.join(dir, 'cert.pem'), 'utf8'), readFileSync(path.join(dir, 'key.pem'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Check (key matches, chain in order) and store; returns the bundle. The
 * same certificate and key brought in twice (pasted again, or what an
 * install replaced being one Drydock already holds) is the bundle already held.
 */
export function saveBundle(home: string, meta: Omit<BundleMeta, 'id' | 'createdAt'>, certPem: string, keyPem: string): Bundle {
  checkBundle(parseChain(certPem), readPrivateKey(keyPem));
  const same = identity(certPem, keyPem);
  const held = listBundles(home).find((b) => identityOf(home, b.id) === same);
  if (held) return held;
  const createdAt = new Date().toISOString();
  const id = `${createdAt.slice(0, 10)}-${meta.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(bundlesDir(home), id);
  writeFileAtomic(path.join(dir, 'key.pem'), keyPem, 0o600);
  writeFileAtomic(path.join(dir, 'cert.pem'), certPem, 0o644);
  writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, id, createdAt }, null, 2) + '\n', 0o600);
  return loadBundle(home, id);
}

export function loadBundle(home: string, id: string): Bundle {
  const dir = path.join(bundlesDir(home), id);
  if (!/^[A-Za-z0-9._-]+$/.test(id) || !existsSync(path.join(dir, 'meta.json'))) throw new DrydockError('NOT_FOUND', `No certificate ${id} in ${bundlesDir(home)}`);
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as BundleMeta;
  const chain = parseChain(readFileSync(path.join(dir, 'cert.pem'), 'utf8')).map((c) => describe(c));
  const renewBy = new Date(new Date(chain[0].notAfter).getTime() - RENEW_AHEAD_DAYS * 86_400_000).toISOString();
  return { id, hostname: meta.hostname, source: meta.source, ...(meta.ca ? { ca: meta.ca } : {}), createdAt: meta.createdAt, dir, renewBy, chain };
}

/** The private key, for the engine's own use (install); never returned over IPC. */
export function bundleFiles(home: string, id: string): { certPem: string; keyPem: string; dir: string } {
  const dir = loadBundle(home, id).dir;
  return { certPem: readFileSync(path.join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'), dir };
}

export function listBundles(home: string): Bundle[] {
  let names: string[] = [];
  try {
    names = readdirSync(bundlesDir(home));
  } catch {
    return [];
  }
  const bundles = names
    .filter((n) => /^[A-Za-z0-9._-]+$/.test(n) && existsSync(path.join(bundlesDir(home), n, 'meta.json')))
    .map((n) => loadBundle(home, n))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  // Copies made before saveBundle knew better: list the first one only.
  const seen = new Set<string>();
  const unique = bundles.filter((b) => {
    const key = identityOf(home, b.id) ?? b.id;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.reverse();
}

/** Remove a bundle's folder (certificate, private key, meta) from the laptop. */
export function deleteBundle(home: string, id: string): void {
  const bundle = loadBundle(home, id);
  rmSync(bundle.dir, { recursive: true, force: true });
}
