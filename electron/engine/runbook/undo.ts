/**
 * Abort and skip, the two ways out of a failed step besides retry. Abort
 * runs the undo of every step whose effect may be in place, newest first,
 * persisting after each: an abort cut short (crash, lost network) is resumed
 * like any run and carries on undoing. Skip is only for a step that declares
 * it safe, with its consequence recorded in the runbook.
 */
import { DrydockError, toErrorPayload } from '../../../shared/errors';
import type { ProgressEvent } from '../../../shared/events';
import type { AnyOperation, StepContext } from '../operations/operation';
import type { RunRecord } from './run-store';

/** Why `run` cannot be aborted (null: it can). */
export function abortRefusal(run: RunRecord, operation: AnyOperation): string | null {
  if (run.status === 'done') return 'it already finished';
  if (run.status === 'aborted') return 'it was already aborted';
  if (run.status === 'running') return `it is still running in process ${run.pid}; stop it first (runs cancel), then abort`;
  if (run.steps.map((s) => s.name).join() !== operation.steps.map((s) => s.name).join()) return 'it was recorded by a version of Drydock with other steps';
  const committed = operation.steps.find((s, i) => s.pointOfNoReturn && (run.steps[i].status === 'done' || (run.steps[i].status === 'skipped' && !/^(Skipped by the admin|Drill|Refresh-spare)/.test(run.steps[i].message ?? ''))));
  if (committed) return `"${committed.title}" is done: ${committed.pointOfNoReturn}`;
  // Stopped inside the point of no return: part of it may be in place (one Nomad client re-pointed
  // of several, say), and undoing the steps before it would strand that part. Finish it instead.
  const partly = operation.steps.find((s, i) => s.pointOfNoReturn && (run.steps[i].status === 'failed' || run.steps[i].status === 'running'));
  if (partly) return `"${partly.title}" stopped part-way and may already have taken effect on some hosts, which an abort would strand: retry or resume it to finish`;
  return null;
}

/** Steps whose effect may be in place: done, found done, or stopped half-way (their undo checks the real world). */
const MAY_HAVE_EFFECT = new Set(['done', 'skipped', 'failed', 'running']);

/**
 * The step at `i` has an undo an abort runs: its effect may be in place. That includes a step the admin
 * skipped: only a failed step can be skipped, and it may have failed part-way (no-proxy wrote the spare's
 * files, then a client's failed), so its undo runs too. Every undo inspects what is really there first
 * and does nothing where nothing was written.
 */
const toUndo = (operation: AnyOperation, run: RunRecord, i: number): boolean =>
  !!operation.steps[i].undo && MAY_HAVE_EFFECT.has(run.steps[i].status);

/** The titles of the steps an abort of `run` undoes, newest first: what the admin confirms. */
export function undoTitles(operation: AnyOperation, run: RunRecord): string[] {
  return operation.steps.map((s, i) => (toUndo(operation, run, i) ? s.title : '')).filter(Boolean).reverse();
}

export async function undoSteps(
  operation: AnyOperation,
  run: RunRecord,
  ctx: StepContext<unknown, unknown>,
  io: { save(run: RunRecord): void; emit(event: ProgressEvent): void },
): Promise<void> {
  for (let i = operation.steps.length - 1; i >= 0; i--) {
    const step = operation.steps[i];
    const record = run.steps[i];
    // One without undo changed nothing lasting (a check, a wait); one not begun has nothing to undo.
    if (!toUndo(operation, run, i) || !step.undo) continue;
    const report = () => {
      io.emit({ type: 'step', runId: run.id, operation: operation.name, step: step.name, title: step.title, status: record.status, ...(record.message ? { message: record.message } : {}) });
    };
    ctx.note = (message) => {
      record.message = message;
      report();
    };
    const before = record.status;
    record.status = 'running';
    record.message = 'Undoing…';
    io.save(run);
    report();
    try {
      if (ctx.signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
      await step.undo(ctx);
      record.status = 'undone';
      record.message = record.message === 'Undoing…' ? 'Undone' : record.message;
      record.endedAt = new Date().toISOString();
      run.state = ctx.state;
      io.save(run);
      report();
    } catch (err) {
      const payload = toErrorPayload(err);
      record.status = before === 'running' ? 'failed' : before;
      record.message = `Undo failed: ${payload.message}`;
      run.state = ctx.state;
      run.status = payload.code === 'CANCELLED' ? 'interrupted' : 'failed';
      run.error = `Abort stopped at "${step.title}": ${payload.message}. Steps after it are undone; resume run ${run.id} to carry on undoing.`;
      run.errorCode = payload.code;
      run.endedAt = new Date().toISOString();
      io.save(run);
      report();
      throw new DrydockError(payload.code, run.error, payload.details);
    }
  }
  run.status = 'aborted';
  run.aborting = false;
  delete run.error;
  delete run.errorCode;
  run.endedAt = new Date().toISOString();
  io.save(run);
}

/** Mark the failed step `stepName` skipped, if the operation allows it. */
export function markSkipped(run: RunRecord, operation: AnyOperation | undefined, stepName: string): void {
  if (!operation) throw new DrydockError('CONFLICT', `Run ${run.id} belongs to an unknown operation ${run.operation}`);
  if (run.aborting) throw new DrydockError('CONFLICT', `Run ${run.id} is being aborted: resume it to finish the abort`);
  if (run.status !== 'failed' && run.status !== 'interrupted') throw new DrydockError('CONFLICT', `Run ${run.id} is ${run.status}: only a stopped run's failed step can be skipped`);
  const index = operation.steps.findIndex((s) => s.name === stepName);
  if (index < 0) throw new DrydockError('NOT_FOUND', `Run ${run.id} has no step ${stepName}`);
  const step = operation.steps[index];
  const record = run.steps[index];
  if (record.status !== 'failed') throw new DrydockError('CONFLICT', `Step "${step.title}" is ${record.status}: only the step that failed can be skipped`);
  if (!step.skip) throw new DrydockError('CONFLICT', `Step "${step.title}" cannot be skipped: the steps after it depend on it. Retry it (resume) or abort the run.`);
  record.status = 'skipped';
  record.message = `Skipped by the admin: ${step.skip.consequence}`;
  record.endedAt = new Date().toISOString();
}
