/**
 * Self-signed and internal-CA certificates, made on the laptop with no
 * network needed. The one online part is optional: when the Services machine
 * answers, its configured hostname is read and a different CN is refused.
 */
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import type { Bundle, GenerateRequestSchema } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { cnMismatchMessage, sameHostname } from '../../../../shared/certs/hostname';
import { writeFileAtomic } from '../../store/atomic-file';
import type { EngineServices } from '../operation';
import { saveBundle } from './bundle-store';
import { loadCa } from './ca-store';
import { buildCertificate, generateKey, keyToPem } from './x509-build';
import { configuredHostname, exportAppConfig, isReplicatedMissing, servicesHostName } from './services-host';

export type GenerateRequest = z.output<typeof GenerateRequestSchema>;

export interface GenerateResult {
  bundle: Bundle;
  files: { cert: string; key: string };
  configuredHostname: string | null;
  notes: string[];
}

/** Pure part: key + certificate (+ CA in the chain); throws on a bad CA passphrase. */
export function issue(home: string, request: Pick<GenerateRequest, 'hostname' | 'sans' | 'days' | 'key' | 'ca' | 'caPassphrase'>): { certPem: string; keyPem: string } {
  const ca = request.ca ? loadCa(home, request.ca, request.caPassphrase) : null;
  const key = generateKey(request.key);
  const leaf = buildCertificate({
    subject: { commonName: request.hostname },
    sans: request.sans,
    days: request.days,
    isCA: false,
    publicKey: createPublicKey(key),
    signingKey: ca?.key ?? key,
    ...(ca ? { issuer: { subject: ca.subject, subjectKeyId: ca.subjectKeyId } } : {}),
  });
  return { certPem: ca ? leaf + ca.certPem : leaf, keyPem: keyToPem(key) };
}

/** Ask the Services machine for its hostname, but never let an unreachable machine block offline work. */
async function hostnameFromServices(services: EngineServices, request: GenerateRequest, notes: string[]): Promise<string | null> {
  if (request.offline) return null;
  let name: string;
  try {
    name = servicesHostName(services, request.services);
  } catch (err) {
    if (request.services) throw err;
    notes.push('No Services machine in the inventory: the hostname was not compared with CircleCI\'s setting.');
    return null;
  }
  try {
    const session = await services.pool.session(name, AbortSignal.timeout(15_000));
    const configured = configuredHostname(await exportAppConfig(session));
    if (!configured) notes.push(`${name} has no hostname configured yet; the certificate uses ${request.hostname}.`);
    return configured;
  } catch (err) {
    if (err instanceof DrydockError && /HOST_KEY/.test(err.code)) throw err;
    if (isReplicatedMissing(err)) {
      notes.push(`replicatedctl is not installed on ${name}: the hostname was not compared with CircleCI's setting.`);
      return null;
    }
    notes.push(`${name} did not answer (${(err as Error).message.split('\n')[0]}): the hostname was not compared with CircleCI's setting.`);
    return null;
  }
}

export async function generateCertificate(services: EngineServices, request: GenerateRequest): Promise<GenerateResult> {
  const notes: string[] = [];
  const configured = await hostnameFromServices(services, request, notes);
  if (configured && !sameHostname(configured, request.hostname)) {
    throw new DrydockError('INVALID_INPUT', cnMismatchMessage(request.hostname, configured, 'replicatedctl app-config on the Services machine'));
  }
  const { certPem, keyPem } = issue(services.home, request);
  const bundle = saveBundle(
    services.home,
    { hostname: request.hostname, source: request.ca ? 'internal-ca' : 'self-signed', ...(request.ca ? { ca: request.ca } : {}) },
    certPem,
    keyPem,
  );
  let files = { cert: path.join(bundle.dir, 'cert.pem'), key: path.join(bundle.dir, 'key.pem') };
  if (request.out) {
    const out = path.resolve(request.out);
    files = { cert: path.join(out, 'cert.pem'), key: path.join(out, 'key.pem') };
    writeFileAtomic(files.key, keyPem, 0o600);
    writeFileAtomic(files.cert, certPem, 0o644);
  }
  services.audit.append({ host: 'laptop', fingerprint: '', kind: 'local', command: `issued ${bundle.source} certificate ${bundle.chain[0].sha256} for ${request.hostname} (${bundle.id})`, exitCode: 0, durationMs: 0 });
  if (request.ca) notes.push(`Trust the CA certificate on browsers and Nomad clients: ${path.join(services.home, 'ca', request.ca, 'ca.crt')}`);
  return { bundle, files, configuredHostname: configured, notes };
}
