/**
 * What a resume (or a skip, which resumes) would stop, start, restart or
 * switch, so the admin confirms it first: what runs is what the admin was
 * shown, on resume too. Two sources: the restart policy of the operations
 * whose restarts were consented when they started (shared/resume-policy.ts),
 * and the steps that say what they disrupt (Step.disrupts), listed for every
 * step still to run, in order. An abort cut short lists the undo it carries on with.
 */
import { restartsOnResume } from '../../../shared/resume-policy';
import type { AnyOperation } from '../operations/operation';
import type { RunRecord } from './run-store';

type RunView = Pick<RunRecord, 'id' | 'operation' | 'input' | 'state' | 'steps' | 'aborting'>;

/** A step that a resume runs (again): not finished, not undone. */
const STILL_TO_RUN = new Set(['pending', 'running', 'failed']);
/** A step whose effect an abort's undo may still put back (undo.ts walks the same). */
const MAY_HAVE_EFFECT = new Set(['done', 'skipped', 'failed', 'running']);

/** Operations whose steps describe what they disrupt (the restore runbook). */
export const describesDisruption = (operation: AnyOperation | undefined): boolean => !!operation?.steps.some((s) => s.disrupts);

/** The list a resume of `run` must have confirmed; null when the operation restarts nothing. */
export function disruptiveOnResume(operation: AnyOperation | undefined, run: RunView): string[] | null {
  const policy = restartsOnResume(run.operation, run.input, run.state);
  if (!operation || !describesDisruption(operation)) return policy;
  const out = [...(policy ?? [])];
  if (run.aborting) {
    // Carrying on an abort runs the undo of what may still be in place, newest first.
    for (let i = operation.steps.length - 1; i >= 0; i--) {
      const step = operation.steps[i];
      const record = run.steps[i];
      if (step.undo && record && MAY_HAVE_EFFECT.has(record.status) && step.disrupts?.(run.input, run.state)) out.push(`undoes "${step.title}"`);
    }
    return out;
  }
  operation.steps.forEach((step, i) => {
    if (!STILL_TO_RUN.has(run.steps[i]?.status ?? 'pending')) return;
    const what = step.disrupts?.(run.input, run.state);
    if (what) out.push(what);
  });
  return out;
}

/** A step's own entry for the Runbooks list and the dialogs, while it is still to run ({} otherwise). */
export function stepDisrupts(step: AnyOperation['steps'][number] | undefined, run: RunView, status: string): { disrupts?: string } {
  const what = STILL_TO_RUN.has(status) ? step?.disrupts?.(run.input, run.state) : null;
  return what ? { disrupts: what } : {};
}

/** What the run goes on to do once `stepName` is skipped (the skip resumes it). */
export function disruptiveAfterSkip(operation: AnyOperation | undefined, run: RunView, stepName: string): string[] {
  const steps = run.steps.map((s) => (s.name === stepName ? { ...s, status: 'skipped' as const } : s));
  return disruptiveOnResume(operation, { ...run, steps }) ?? [];
}

/** The refusal of an unconfirmed resume of an operation whose steps say what they disrupt. */
export function disruptionNeedsConfirmation(runId: string, listed: readonly string[]): string {
  return `Resuming run ${runId} goes on from its step and ${listed.join('; ')}. Confirm it (Runbooks or the Restore page: Resume, with this list shown; CLI: drydock runs resume ${runId} --yes).`;
}
