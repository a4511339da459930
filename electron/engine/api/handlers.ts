/**
 * The handler behind every channel of the contract. Thin on purpose: the
 * work lives in the engine's operations, which the CLI drives too.
 */
import type { HostView } from '../../../shared/contract';
import type { HostFacts } from '../../../shared/facts';
import { knownHostsName, type Host } from '../../../shared/hosts';
import type { Engine } from '../engine';
import { hostFacts } from '../operations/health/host-facts';
import { summarize } from '../runbook/run-store';
import type { Handlers } from './types';
import { proxyHandlers } from '../operations/proxy/handlers';
import { certHandlers } from '../operations/certs/handlers';
import { consoleHandlers } from '../operations/console/handlers';

export function hostView(engine: Engine, host: Host): HostView {
  const keys = engine.knownHosts.lookup(knownHostsName(host.address, host.port));
  return { ...host, trusted: keys.length > 0, ...(keys[0] ? { fingerprint: keys[0].fingerprint } : {}) };
}

export function createHandlers(engine: Engine, transport: 'electron' | 'http' = 'electron'): Handlers {
  return {
    'app:info': async () => ({ version: engine.version, home: engine.home, transport }),
    'hosts:list': async () => engine.inventory.list().map((h) => hostView(engine, h)),
    'hosts:add': async (host) => hostView(engine, engine.inventory.add(host)),
    'hosts:remove': async ({ name }) => {
      engine.pool.drop(name);
      return { removed: engine.inventory.remove(name) };
    },
    'hosts:scan-key': async ({ name }, ctx) => engine.pool.scan(name, ctx.signal),
    'hosts:trust': async ({ name, fingerprint }, ctx) => engine.pool.trust(name, fingerprint, ctx.signal),
    'hosts:forget-key': async ({ name }) => {
      const host = engine.inventory.get(name);
      engine.pool.drop(name);
      const knownAs = knownHostsName(host.address, host.port);
      const removed = engine.knownHosts.remove(knownAs);
      engine.audit.append({ host: name, fingerprint: '', kind: 'trust', command: `forget keys for ${knownAs}`, exitCode: 0, durationMs: 0 });
      return { removed };
    },
    'hosts:credentials': async ({ name, ...secrets }) => {
      engine.inventory.get(name);
      engine.credentials.set(name, secrets);
      engine.pool.drop(name);
      return { stored: true };
    },
    'hosts:facts': async ({ name }, ctx) => {
      engine.inventory.get(name);
      const { runId, result } = await engine.runner.start<HostFacts>(hostFacts, { host: name }, { emit: ctx.emit, signal: ctx.signal });
      return { runId, facts: result };
    },
    'runs:list': async () => engine.runner.store.list().map(summarize),
    'runs:resume': async ({ id }, ctx) => {
      const { runId } = await engine.runner.resume(id, { emit: ctx.emit, signal: ctx.signal });
      return summarize(engine.runner.store.load(runId)!);
    },
    'runs:cancel': async ({ id }) => ({ cancelled: engine.runner.cancel(id) }),
    'audit:tail': async ({ limit }) => engine.audit.tail(limit),
    'audit:verify': async () => engine.audit.verify(),
    ...proxyHandlers(engine),
    ...certHandlers(engine),
    ...consoleHandlers(engine),
  };
}
