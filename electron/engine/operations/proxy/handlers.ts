/**
 * Handlers for shared/channels/proxy.ts: thin, as the contract wants. Plans
 * are read-only; apply, rollback and customize run as runbook operations.
 * Running `proxy:apply` again after an interruption resumes the interrupted
 * run when the settings are the same, so it finishes the job under the
 * backups it started with.
 */
import type { ProxyApplyResult, RestartResult, RollbackResult, proxyChannels } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import type { RunRecord } from '../../runbook/run-store';
import { withoutSecrets } from '../../runbook/secret-input';
import { proxyApply } from './apply-operation';
import { customize, customizePlanView, planCustomization } from './customize-operation';
import { PendingRestarts } from './pending-restarts';
import { defaultVerifyUrl, planProxy, proxyPlanView } from './plan';
import { proxyRestart } from './restart-operation';
import { proxyRollback, rollbackPlan } from './rollback-operation';
import { proxyTopology } from './topology';
import { verifyFromHosts } from './verify';

type ProxyChannel = keyof typeof proxyChannels;

/** Same settings, same consent, same check URL: the plan fingerprint may differ (the files moved: that is the interruption). */
function sameApply(a: unknown, b: unknown): boolean {
  const canon = (v: unknown) => {
    const x = v as { settings?: Record<string, unknown>; restartReplicated?: boolean; restartDocker?: string[]; verifyUrl?: string };
    const settings = Object.fromEntries(Object.entries(x.settings ?? {}).sort(([k1], [k2]) => k1.localeCompare(k2)));
    return JSON.stringify([settings, x.restartReplicated, [...(x.restartDocker ?? [])].sort(), x.verifyUrl ?? null]);
  };
  return canon(a) === canon(b);
}

/**
 * The newest proxy run, if an apply with these settings stopped after it
 * started writing. A run that stopped in its plan step wrote nothing and is
 * simply started afresh; a run still going refuses a second one.
 */
function interruptedApply(engine: Engine, request: unknown): RunRecord | null {
  assertNoProxyRun(engine);
  const newest = engine.runner.store.list().find((r) => PROXY_RUNS.has(r.operation));
  if (!newest || newest.operation !== proxyApply.name || (newest.status !== 'failed' && newest.status !== 'interrupted')) return null;
  const stoppedAt = newest.steps.find((s) => s.status === 'failed' || s.status === 'running' || s.status === 'pending');
  if (!stoppedAt || stoppedAt.name === 'plan') return null;
  // The runbook holds no secrets: compare without them (the request's are used on resume).
  return sameApply(newest.input, withoutSecrets(request, proxyApply.secretInput ?? [])) ? newest : null;
}

/** The proxy operations: one at a time, since they write the same files and restart the same services. */
const PROXY_RUNS = new Set([proxyApply.name, proxyRollback.name, proxyRestart.name]);

function assertNoProxyRun(engine: Engine): void {
  const running = engine.runner.store.list().find((r) => PROXY_RUNS.has(r.operation) && r.status === 'running');
  if (running) throw new DrydockError('CONFLICT', `A proxy run is still going (${running.operation}, run ${running.id}, process ${running.pid}); wait for it to finish`);
}

function owedRestarts(engine: Engine): string[] {
  return new PendingRestarts(engine.home).describe();
}

export function proxyHandlers(engine: Engine): Pick<Handlers, ProxyChannel> {
  return {
    'proxy:plan': async (req, ctx) => proxyPlanView(await planProxy(engine, req, ctx.signal), req, new PendingRestarts(engine.home)),

    'proxy:apply': async (req, ctx) => {
      const previous = interruptedApply(engine, req);
      const options = { emit: ctx.emit, signal: ctx.signal };
      type Partial = Omit<ProxyApplyResult, 'runId' | 'resumed' | 'pendingRestarts'>;
      // Another password than the interrupted run's: that run is not finished with it (two
      // passwords on two hosts); this request, with the plan the admin just reviewed, starts afresh.
      const changed = previous ? engine.runner.changedSecrets(previous, req) : [];
      const { runId, result, notice } = !previous
        ? await engine.runner.start<Partial>(proxyApply, req, options)
        : changed.length
          ? await engine.runner.startAfresh<Partial>(previous, proxyApply, req, changed, options)
          : await engine.runner.resume<Partial>(previous.id, { ...options, input: req });
      const owed = owedRestarts(engine);
      // Files that verify while a service still runs the old settings are not a finished job.
      const verified = result.verification.length > 0 && result.verification.every((r) => r.ok);
      const summary = owed.length ? `${result.summary.replace(/\.$/, '')}; ${verified ? 'files verified, but ' : ''}services still run the old settings: ${owed.join(', ')}.` : result.summary;
      return { ...result, summary, runId, resumed: !!previous && !changed.length, ...(notice ? { notice } : {}), pendingRestarts: owed };
    },

    'proxy:verify': async ({ url }, ctx) => {
      const topology = proxyTopology(engine.inventory);
      const target = url ?? defaultVerifyUrl(topology);
      if (!target) throw new DrydockError('INVALID_INPUT', 'Give a URL to check through the proxy (the inventory has no GitHub Enterprise host to default to)', { fields: [{ path: ['url'], message: 'Check URL: required' }] });
      const results = await verifyFromHosts(engine.pool, [topology.services, ...topology.nomadClients], target, defaultVerifyUrl(topology) ?? null, ctx.signal);
      return { url: target, results, pendingRestarts: owedRestarts(engine) };
    },

    'proxy:rollback-plan': async (req, ctx) => rollbackPlan(engine, req.to, ctx.signal),

    'proxy:rollback': async (req, ctx) => {
      assertNoProxyRun(engine);
      type Partial = Omit<RollbackResult, 'runId' | 'pendingRestarts'>;
      const { runId, result } = await engine.runner.start<Partial>(proxyRollback, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId, pendingRestarts: owedRestarts(engine) };
    },

    'proxy:pending-restarts': async () => {
      const pending = new PendingRestarts(engine.home);
      return { ...pending.read(), described: pending.describe() };
    },

    'proxy:restart': async (req, ctx) => {
      assertNoProxyRun(engine);
      type Partial = Omit<RestartResult, 'runId' | 'pendingRestarts'>;
      const { runId, result } = await engine.runner.start<Partial>(proxyRestart, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId, pendingRestarts: owedRestarts(engine) };
    },

    'customize:plan': async (req, ctx) => customizePlanView(await planCustomization(engine, req, ctx.signal)),

    'customize:apply': async (req, ctx) => {
      const { runId, result } = await engine.runner.start<{ host: string; path: string; changed: boolean; summary: string }>(customize, req, { emit: ctx.emit, signal: ctx.signal });
      return { runId, ...result };
    },
  };
}
