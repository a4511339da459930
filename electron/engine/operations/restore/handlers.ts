/**
 * Handlers for shared/channels/restore.ts, plus `runs:skip`. Thin: the plan
 * is read-only (plan.ts); a restore runs as the `restore` runbook operation,
 * resumable with `runs:resume`, aborted with `restore:abort`.
 */
import type { restoreChannels } from '../../../../shared/channels/restore';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import { buildChangeControl } from '../../report/change-control';
import { toHtml } from '../../report/html';
import { toMarkdown } from '../../report/markdown';
import { disruptiveAfterSkip } from '../../runbook/disruptive';
import { undoTitles } from '../../runbook/undo';
import { lockAlive, readLock } from '../../runbook/recovery-lock';
import { planRestore } from './plan';
import { keepRestoreOutcome, runRestore, trustSpareKey } from './run';
import { checkTraffic } from './traffic-check';
import './report';

type RestoreChannel = keyof typeof restoreChannels;

export function restoreHandlers(engine: Engine): Pick<Handlers, RestoreChannel> {
  return {
    'restore:plan': async (req, ctx) => planRestore(engine, req, ctx.signal),
    'restore:run': async (req, ctx) => runRestore(engine, req, ctx),
    'restore:abort': async ({ runId, confirmed }, ctx) => {
      const run = engine.runner.store.load(runId);
      if (!run) throw new DrydockError('NOT_FOUND', `No run ${runId}`);
      if (!confirmed) {
        const operation = engine.operations.get(run.operation);
        const undo = operation ? undoTitles(operation, run) : [];
        const listed = undo.length ? `: ${undo.map((t) => `"${t}"`).join(', ')}` : ' (none has changed anything yet)';
        throw new DrydockError('CONFIRMATION_REQUIRED', `Aborting run ${runId} undoes every step done so far, newest first${listed}. The spare's own root goes back; the restored volume is kept. Confirm to go on.`, { undo });
      }
      // A run going on in this process (the GUI's Abort during a step): stop it at its step first.
      if (engine.runner.cancel(runId)) {
        for (let i = 0; i < 600 && engine.runner.store.load(runId)?.status === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
      }
      try {
        await engine.runner.abort(runId, { emit: ctx.emit, signal: ctx.signal });
      } finally {
        engine.audit.append({ host: 'local', fingerprint: '', kind: 'local', command: `restore abort --run ${runId} (${engine.runner.store.load(runId)?.status ?? '?'})`, exitCode: engine.runner.store.load(runId)?.status === 'aborted' ? 0 : 1, durationMs: 0 });
      }
      return engine.runner.describe(engine.runner.store.load(runId)!);
    },
    'restore:trust-key': async ({ runId, fingerprint, confirmed }, ctx) => trustSpareKey(engine, runId, fingerprint, confirmed, ctx.signal),
    'restore:report': async ({ runId, format }) => {
      const doc = buildChangeControl({ audit: engine.audit, runs: engine.runner.store, inventory: engine.inventory, knownHosts: engine.knownHosts, version: engine.version }, { runId });
      return { text: format === 'html' ? toHtml(doc) : toMarkdown(doc) };
    },
    'restore:check-traffic': async ({ runId, confirmed }, ctx) => checkTraffic(engine, runId, !!confirmed, ctx.signal),
    'restore:lock': async () => {
      const lock = readLock(engine.home);
      return lock ? { holder: lock.holder, pid: lock.pid, runId: lock.runId, since: lock.since, alive: lockAlive(lock) } : null;
    },
    'runs:skip': async ({ id, step, confirmed }, ctx) => {
      const run = engine.runner.store.load(id);
      if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
      const operation = engine.operations.get(run.operation);
      const def = operation?.steps.find((s) => s.name === step);
      if (!confirmed) {
        // The skip resumes the run: what it then stops, starts or restarts is confirmed with the skip.
        const next = disruptiveAfterSkip(operation, run, step);
        const then = next.length ? `The run then goes on and ${next.join('; ')}.` : 'The run then goes on with the next step.';
        throw new DrydockError('CONFIRMATION_REQUIRED', def?.skip ? `Skipping "${def.title}": ${def.skip.consequence}. ${then} Confirm to skip it and go on.` : `Step ${step} cannot be skipped.`, { restarts: next });
      }
      try {
        await engine.runner.skip(id, step, { emit: ctx.emit, signal: ctx.signal });
      } finally {
        keepRestoreOutcome(engine, id);
      }
      return engine.runner.describe(engine.runner.store.load(id)!);
    },
  };
}
