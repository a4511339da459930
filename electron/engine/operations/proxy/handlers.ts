/**
 * Handlers for shared/channels/proxy.ts: thin, as the contract wants. Plans
 * are read-only; apply, rollback and customize run as runbook operations.
 * Running `proxy:apply` again after an interruption resumes the interrupted
 * run when the settings are the same, so it finishes the job under the
 * backups it started with.
 */
import type { ProxyApplyResult, RollbackResult, proxyChannels } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import type { RunRecord } from '../../runbook/run-store';
import { withoutSecrets } from '../../runbook/secret-input';
import { proxyApply } from './apply-operation';
import { customize, customizePlanView, planCustomization } from './customize-operation';
import { PendingRestarts } from './pending-restarts';
import { defaultVerifyUrl, planProxy, proxyPlanView } from './plan';
import { proxyRollback, rollbackPlan } from './rollback-operation';
import { proxyTopology } from './topology';
import { verifyFromHosts } from './verify';

type ProxyChannel = keyof typeof proxyChannels;

/** Same settings, same consent, same check URL: the plan fingerprint may differ (the files moved: that is the interruption). */
function sameApply(a: unknown, b: unknown): boolean {
  const canon = (v: unknown) => {
    const x = v as { settings?: Record<string, unknown>; restartReplicated?: boolean; restartDocker?: boolean; verifyUrl?: string };
    const settings = Object.fromEntries(Object.entries(x.settings ?? {}).sort(([k1], [k2]) => k1.localeCompare(k2)));
    return JSON.stringify([settings, x.restartReplicated, x.restartDocker, x.verifyUrl ?? null]);
  };
  return canon(a) === canon(b);
}

/**
 * The newest proxy run, if an apply with these settings stopped after it
 * started writing. A run that stopped in its plan step wrote nothing and is
 * simply started afresh; a run still going refuses a second one.
 */
function interruptedApply(engine: Engine, request: unknown): RunRecord | null {
  const runs = engine.runner.store.list().filter((r) => r.operation === proxyApply.name || r.operation === proxyRollback.name);
  const running = runs.find((r) => r.status === 'running');
  if (running) throw new DrydockError('CONFLICT', `A proxy ${running.operation === proxyApply.name ? 'apply' : 'rollback'} is already running (run ${running.id}, process ${running.pid})`);
  const newest = runs[0];
  if (!newest || newest.operation !== proxyApply.name || (newest.status !== 'failed' && newest.status !== 'interrupted')) return null;
  const stoppedAt = newest.steps.find((s) => s.status === 'failed' || s.status === 'running' || s.status === 'pending');
  if (!stoppedAt || stoppedAt.name === 'plan') return null;
  // The runbook holds no secrets: compare without them (the request's are used on resume).
  return sameApply(newest.input, withoutSecrets(request, proxyApply.secretInput ?? [])) ? newest : null;
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
      return { ...result, runId, resumed: !!previous && !changed.length, ...(notice ? { notice } : {}), pendingRestarts: owedRestarts(engine) };
    },

    'proxy:verify': async ({ url }, ctx) => {
      const topology = proxyTopology(engine.inventory);
      const target = url ?? defaultVerifyUrl(topology);
      if (!target) throw new DrydockError('INVALID_INPUT', 'Give a URL to check through the proxy (the inventory has no GitHub Enterprise host to default to)', { fields: [{ path: ['url'], message: 'Check URL: required' }] });
      const results = await verifyFromHosts(engine.pool, [topology.services, ...topology.nomadClients], target, ctx.signal);
      return { url: target, results };
    },

    'proxy:rollback-plan': async (req, ctx) => rollbackPlan(engine, req.to, ctx.signal),

    'proxy:rollback': async (req, ctx) => {
      const running = engine.runner.store.list().find((r) => (r.operation === proxyApply.name || r.operation === proxyRollback.name) && r.status === 'running');
      if (running) throw new DrydockError('CONFLICT', `A proxy run is still going (run ${running.id}); wait for it to finish`);
      type Partial = Omit<RollbackResult, 'runId' | 'pendingRestarts'>;
      const { runId, result } = await engine.runner.start<Partial>(proxyRollback, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId, pendingRestarts: owedRestarts(engine) };
    },

    'customize:plan': async (req, ctx) => customizePlanView(await planCustomization(engine, req, ctx.signal)),

    'customize:apply': async (req, ctx) => {
      const { runId, result } = await engine.runner.start<{ host: string; path: string; changed: boolean; summary: string }>(customize, req, { emit: ctx.emit, signal: ctx.signal });
      return { runId, ...result };
    },
  };
}
