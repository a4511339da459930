/**
 * Handlers for shared/channels/certs.ts. Thin: the work is in the
 * operations (runbooks) and the local stores; the only logic here is the
 * certbot hand-off, where one call starts certbot and answers with the TXT
 * records while the run keeps going, and a later call lets it finish.
 */
import { readFileSync } from 'node:fs';
import type { Bundle } from '../../../../shared/channels/certs';
import type { Channel } from '../../../../shared/contract';
import { DrydockError } from '../../../../shared/errors';
import type { Engine } from '../../engine';
import type { Handler } from '../../api/types';
import { deleteBundle, listBundles, loadBundle, saveBundle } from './bundle-store';
import { createCa, listCas } from './ca-store';
import { certbotCertificate } from './certbot';
import { certbotGate } from './certbot-gate';
import { checkTxtRecords } from './dns-check';
import { rollbackCaFiles } from './ca-files';
import { generateCertificate } from './generate';
import { installCertificate } from './install';
import { describe, parseChain, parseCertificate } from './pem';
import { readInstallation, servicesHostName } from './services-host';
import { presentedChain } from './tls-probe';
import { TRUST_CA_LABEL, trustInternalCa } from './trust-ca';
import { trustGhe } from './trust-ghe';
import { verifyEndpoints } from './verify';

type CertChannel = Extract<Channel, `certs:${string}`>;

function readLocal(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DrydockError('NOT_FOUND', `Cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function certHandlers(engine: Engine): { [C in CertChannel]: Handler<C> } {
  const home = engine.home;

  const startCertbot: Handler<'certs:certbot-start'> = async (req, ctx) => {
    const services = servicesHostName(engine, req.services);
    const controller = new AbortController();
    ctx.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    let runId: string | undefined;
    // The runner names the run; its first event tells us which id it got.
    const emit: typeof ctx.emit = (event) => {
      runId ??= event.runId;
      ctx.emit(event);
    };
    const input = { services, domains: [req.hostname, ...req.sans.filter((s) => s !== req.hostname)], ...(req.server ? { server: req.server } : {}), ...(req.caBundle ? { caBundle: req.caBundle } : {}), ...(req.email ? { email: req.email } : {}) };
    const done = engine.runner.start<{ bundleId: string }>(certbotCertificate, input, { emit, signal: controller.signal });
    done.catch(() => undefined);
    const records = await certbotGate.whenParked(() => runId, done);
    certbotGate.track(runId!, { done, cancel: () => controller.abort() });
    return { runId: runId!, records };
  };

  return {
    'certs:generate': async (req) => generateCertificate(engine, req),
    'certs:ca-create': async (req) => {
      const ca = createCa(home, req);
      engine.audit.append({ host: 'laptop', fingerprint: '', kind: 'local', command: `created internal CA ${req.name} ${ca.sha256}`, exitCode: 0, durationMs: 0 });
      return ca;
    },
    'certs:ca-list': async () => listCas(home),
    'certs:bundles': async () => listBundles(home),
    'certs:bundle-delete': async ({ id }) => {
      const bundle = loadBundle(home, id);
      deleteBundle(home, id);
      engine.audit.append({ host: 'laptop', fingerprint: '', kind: 'local', command: `deleted certificate ${id} (${bundle.hostname}, ${bundle.chain[0].sha256})`, exitCode: 0, durationMs: 0 });
      return { deleted: id };
    },
    'certs:installation': async (req, ctx) => {
      const session = await engine.pool.session(servicesHostName(engine, req.services), ctx.signal);
      return readInstallation(session, ctx.signal);
    },
    'certs:trust-ca': async (req, ctx) => {
      const { runId, result } = await engine.runner.start<{ file: string; clients: { host: string; ok: boolean; changed?: boolean; error?: string }[] }>(trustInternalCa, req, {
        emit: ctx.emit,
        signal: ctx.signal,
      });
      return { runId, ...result };
    },
    'certs:untrust-ca': async (req, ctx) => {
      const names = req.hosts ?? engine.inventory.withRole('nomad').map((h) => h.name);
      const hosts = [];
      for (const name of names) {
        const undone = await rollbackCaFiles(await engine.pool.session(name, ctx.signal), ctx.signal, TRUST_CA_LABEL);
        hosts.push({ host: name, set: undone?.set ?? null, files: undone?.files ?? [] });
      }
      return { hosts };
    },
    'certs:import': async (req) => {
      const certPem = 'certPem' in req ? req.certPem : readLocal(req.certFile, 'certificate');
      const keyPem = 'keyPem' in req ? req.keyPem : readLocal(req.keyFile, 'private key');
      const leaf = describe(parseChain(certPem)[0]);
      return saveBundle(home, { hostname: leaf.commonName ?? leaf.sans[0] ?? 'unnamed', source: 'imported' }, certPem, keyPem);
    },
    'certs:ghe-fetch': async (req, ctx) => {
      const services = servicesHostName(engine, req.services);
      const session = await engine.pool.session(services, ctx.signal);
      const chain = await presentedChain(session, req.gheHost, req.port, ctx.signal);
      return { services, chain: chain.map((pem) => describe(parseCertificate(pem))) };
    },
    'certs:trust-ghe-rollback': async (req, ctx) => {
      const names = [servicesHostName(engine, req.services), ...engine.inventory.withRole('nomad').map((h) => h.name)];
      const hosts = [];
      for (const name of names) {
        const undone = await rollbackCaFiles(await engine.pool.session(name, ctx.signal), ctx.signal);
        hosts.push({ host: name, set: undone?.set ?? null, files: undone?.files ?? [] });
      }
      return { hosts };
    },
    'certs:trust-ghe': async (req, ctx) => {
      const input = { ...req, services: servicesHostName(engine, req.services) };
      const { runId, result } = await engine.runner.start<{ files: string[]; verified: boolean; nomadClients: { host: string; ok: boolean; error?: string }[] }>(trustGhe, input, {
        emit: ctx.emit,
        signal: ctx.signal,
      });
      return { runId, ...result };
    },
    'certs:certbot-start': startCertbot,
    'certs:certbot-check-dns': async ({ runId, resolver }, ctx) => {
      const parked = certbotGate.waiting(runId);
      if (!parked) throw new DrydockError('NOT_FOUND', `No certbot run ${runId} is waiting for DNS records`);
      const session = await engine.pool.session(parked.services, ctx.signal);
      return checkTxtRecords(session, parked.records, resolver, ctx.signal);
    },
    'certs:certbot-continue': async ({ runId }) => {
      const outcome = (await certbotGate.release(runId)) as { runId: string; result: { bundleId: string } };
      const bundle: Bundle = loadBundle(home, outcome.result.bundleId);
      return { runId, bundle };
    },
    'certs:certbot-cancel': async ({ runId }) => ({ cancelled: certbotGate.cancel(runId) }),
    'certs:install': async (req, ctx) => {
      const input = { services: servicesHostName(engine, req.services), bundle: req.bundle, ...(req.hostname ? { hostname: req.hostname } : {}) };
      const { runId, result } = await engine.runner.start<{ hostname: string; replaced?: string }>(installCertificate, input, { emit: ctx.emit, signal: ctx.signal });
      return { runId, hostname: result.hostname, installed: loadBundle(home, req.bundle).chain[0], ...(result.replaced ? { replaced: result.replaced } : {}) };
    },
    'certs:verify': async (req) => verifyEndpoints(engine, req),
  };
}
