/**
 * The handler behind every channel of the contract. Thin on purpose: the
 * work lives in the engine's operations, which the CLI drives too.
 */
import type { HostView } from '../../../shared/contract';
import { DrydockError } from '../../../shared/errors';
import type { HostFacts } from '../../../shared/facts';
import { knownHostsName, type Host } from '../../../shared/hosts';
import type { Engine } from '../engine';
import { addHost, editHost, removeHost } from '../inventory/host-changes';
import { hostFacts } from '../operations/health/host-facts';
import { secretsByKey } from '../runbook/secret-input';
import { testConnection } from '../ssh/connection-test';
import type { Handler, Handlers } from './types';
import { proxyHandlers } from '../operations/proxy/handlers';
import { restartsNeedConfirmation } from '../../../shared/resume-policy';
import { describesDisruption, disruptionNeedsConfirmation, disruptiveOnResume } from '../runbook/disruptive';
import { certHandlers } from '../operations/certs/handlers';
import { backupHandlers } from '../operations/backup/handlers';
import { healthHandlers } from '../operations/health/handlers';
import { consoleHandlers } from '../operations/console/handlers';
import { preflightHandlers } from '../operations/install/preflight/handlers';
import { installHandlers } from '../operations/install/handlers';
import { bundleHandlers } from '../operations/bundle/handlers';
import { restoreHandlers } from '../operations/restore/handlers';
import { keepRestoreOutcome } from '../operations/restore/run';

export function hostView(engine: Engine, host: Host): HostView {
  const keys = engine.knownHosts.lookup(knownHostsName(host.address, host.port));
  return { ...host, trusted: keys.length > 0, ...(keys[0] ? { fingerprint: keys[0].fingerprint } : {}), credentials: engine.credentials.which(host.name) };
}

/**
 * Channels whose answer is kept in the run's runbook, so a window that
 * reloaded mid-run can still show the result. Only answers that hold no
 * secrets (summaries, file names, verification results).
 */
const KEEP_OUTCOME = new Set<string>([
  'proxy:apply',
  'proxy:rollback',
  'customize:apply',
  'certs:install',
  'certs:trust-ghe',
  'install:services-run',
  'install:nomad-run',
  'nomad:drain',
  'bundle:push',
  'restore:run',
]);

function keepingOutcome(engine: Engine, handlers: Handlers): Handlers {
  const wrapped = { ...handlers } as Record<string, Handler<never>>;
  for (const channel of KEEP_OUTCOME) {
    const inner = (handlers as Record<string, Handler<never>>)[channel];
    if (!inner) continue;
    wrapped[channel] = async (req, ctx) => {
      const value = await inner(req, ctx);
      const runId = (value as { runId?: unknown } | undefined)?.runId;
      if (typeof runId === 'string') engine.runner.keepOutcome(runId, channel, value);
      return value;
    };
  }
  return wrapped as unknown as Handlers;
}

export function createHandlers(engine: Engine, transport: 'electron' | 'http' = 'electron'): Handlers {
  return keepingOutcome(engine, {
    'app:info': async () => ({ version: engine.version, home: engine.home, transport }),
    'hosts:list': async () => engine.inventory.list().map((h) => hostView(engine, h)),
    'hosts:add': async (input) => {
      const { host, warnings } = addHost(engine, input);
      return { ...hostView(engine, host), warnings };
    },
    'hosts:edit': async ({ name, changes, forgetKey }) => {
      const { host, warnings, forgotKeys } = editHost(engine, name, changes, forgetKey);
      return { ...hostView(engine, host), warnings, forgotKeys };
    },
    'hosts:remove': async ({ name }) => ({ removed: removeHost(engine, name) }),
    'hosts:test': async ({ name }, ctx) => testConnection(engine.inventory, engine.pool, name, ctx.signal),
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
    'hosts:clear-credentials': async ({ name }) => {
      engine.inventory.get(name);
      const cleared = engine.credentials.clear(name);
      // The open connection logged in with them: the next one must not.
      engine.pool.drop(name);
      return { cleared };
    },
    'hosts:facts': async ({ name }, ctx) => {
      engine.inventory.get(name);
      const { runId, result } = await engine.runner.start<HostFacts>(hostFacts, { host: name }, { emit: ctx.emit, signal: ctx.signal });
      return { runId, facts: result };
    },
    'runs:list': async () => {
      const all = engine.runner.store.list();
      return all.map((r) => engine.runner.describe(r, all));
    },
    'runs:get': async ({ id }) => {
      const run = engine.runner.store.load(id);
      if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
      return { ...engine.runner.describe(run), ...(run.outcome ? { outcome: run.outcome } : {}) };
    },
    'runs:resume': async ({ id, secrets, confirmRestarts }, ctx) => {
      const stored = engine.runner.store.load(id);
      const operation = stored ? engine.operations.get(stored.operation) : undefined;
      const restarts = stored ? disruptiveOnResume(operation, stored) : null;
      if (restarts?.length && !confirmRestarts) {
        throw new DrydockError('CONFIRMATION_REQUIRED', describesDisruption(operation) ? disruptionNeedsConfirmation(id, restarts) : restartsNeedConfirmation(id, restarts), { restarts });
      }
      const fields = (stored && engine.operations.get(stored.operation)?.secretInput) || [];
      const { runId, result, notice } = await engine.runner.resume(id, { emit: ctx.emit, signal: ctx.signal, secrets: secretsByKey(fields, secrets ?? {}) });
      keepRestoreOutcome(engine, runId);
      const run = engine.runner.store.load(runId)!;
      const verdict = engine.runner.outcomeOf(run, result);
      return { ...engine.runner.describe(run), ...(notice ? { notice } : {}), ...(verdict ? { verdict } : {}) };
    },
    'runs:cancel': async ({ id }) => ({ cancelled: engine.runner.cancel(id) }),
    'audit:tail': async ({ limit, ...filter }) => engine.audit.tail(limit, filter),
    'audit:verify': async () => engine.audit.verify(),
    ...proxyHandlers(engine),
    ...certHandlers(engine),
    ...backupHandlers(engine),
    ...healthHandlers(engine),
    ...consoleHandlers(engine),
    ...preflightHandlers(engine),
    ...installHandlers(engine),
    ...bundleHandlers(engine),
    ...restoreHandlers(engine),
  });
}
