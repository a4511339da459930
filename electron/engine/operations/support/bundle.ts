/**
 * The support bundle: collected from every host at once, redacted, packed as
 * one .tar.gz holding a manifest (hosts, what each gave, what failed, what was
 * redacted where) and SHA256SUMS (check with `sha256sum -c SHA256SUMS` inside
 * the bundle's folder). A host that cannot be reached is listed, not fatal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BundleHost, BundleResult } from '../../../../shared/channels/health';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import type { ProgressEvent } from '../../../../shared/events';
import type { Host } from '../../../../shared/hosts';
import type { EngineServices } from '../operation';
import { collectHost } from './collect';
import { isLicenseFile, redactForBundle } from './redact-bundle';
import { tarGz, type TarFile } from './tar';

export interface BundleOptions {
  out: string;
  hosts?: string[];
  tailLines?: number;
  /** Literal secrets Drydock holds (session passwords): never in the bundle either. */
  secrets?: string[];
  emit?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  version: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function supportBundle(services: EngineServices, o: BundleOptions): Promise<BundleResult> {
  const all = services.inventory.list();
  const hosts: Host[] = o.hosts?.length ? o.hosts.map((n) => services.inventory.get(n)) : all.filter((h) => h.role !== 'ghe');
  if (!hosts.length) throw new DrydockError('NOT_FOUND', 'No hosts to collect from: add the Services machine and Nomad clients first');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const top = `drydock-support-${stamp}`;
  const runId = `support-bundle-${stamp}-${randomBytes(3).toString('hex')}`;
  const emit = o.emit ?? (() => undefined);
  const report = (host: string, status: 'running' | 'done' | 'failed', message?: string) =>
    emit({ type: 'step', runId, operation: 'support-bundle', step: host, title: `Collect from ${host}`, status, ...(message ? { message } : {}) });

  const files: TarFile[] = [];
  const results: BundleHost[] = await Promise.all(
    hosts.map(async (h): Promise<BundleHost> => {
      report(h.name, 'running');
      try {
        const session = await services.pool.session(h.name, o.signal);
        const got = await collectHost(session, h.role, o.tailLines ?? 1000, o.signal, (note) => report(h.name, 'running', note));
        const entry: BundleHost = { host: h.name, role: h.role, ok: true, files: [], missing: got.missing, redactions: [] };
        for (const f of got.files) {
          const rel = `${h.name}/${f.path}`;
          let text: string;
          if (isLicenseFile(f.path)) {
            text = '[license file: contents redacted]\n';
            entry.redactions.push({ file: rel, what: 'license contents', count: 1 });
          } else {
            const r = redactForBundle(f.text, o.secrets);
            text = r.text;
            for (const x of r.redactions) entry.redactions.push({ file: rel, what: x.what, count: x.count });
          }
          files.push({ path: `${top}/${rel}`, data: Buffer.from(text, 'utf8'), mode: 0o600 });
          entry.files.push(rel);
        }
        report(h.name, 'done', `${entry.files.length} files${entry.missing.length ? `, ${entry.missing.length} items unavailable` : ''}`);
        return entry;
      } catch (err) {
        const message = toErrorPayload(err).message;
        report(h.name, 'failed', message);
        return { host: h.name, role: h.role, ok: false, error: message, files: [], missing: [], redactions: [] };
      }
    }),
  );

  const manifest = {
    bundle: top,
    createdAt: new Date().toISOString(),
    generator: `Drydock ${o.version}`,
    note: 'Secrets were redacted before packing; "redactions" says what was replaced in which file. Check integrity with `sha256sum -c SHA256SUMS` in this folder.',
    hosts: results,
  };
  files.sort((a, b) => a.path.localeCompare(b.path));
  files.unshift({ path: `${top}/manifest.json`, data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), mode: 0o600 });
  const sums = files.map((f) => `${sha256(f.data)}  ${f.path.slice(top.length + 1)}`).join('\n') + '\n';
  files.push({ path: `${top}/SHA256SUMS`, data: Buffer.from(sums), mode: 0o600 });

  const archive = tarGz(files);
  const out = path.resolve(o.out);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, archive, { mode: 0o600 });
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new DrydockError('INTERNAL', `Could not write ${out}: ${(err as Error).message}`);
  }
  return { out, bytes: archive.length, sha256: sha256(archive), hosts: results };
}
