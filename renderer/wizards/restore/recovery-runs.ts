/**
 * Which runs are recovery runs, which of them is unfinished (the app lands
 * on it when opened), and what the admin can do about a stopped one: the
 * undo an abort would run (newest first) and whether a failed step may be
 * skipped. Pure: read from the engine's run summaries only.
 */
import type { RestoreMode } from '../../../shared/channels/restore';
import { DRILL_STEPS, ISOLATION_STEPS } from '../../../shared/restore/drill-steps';
import type { RunStep, RunSummary } from '../../../shared/runs';

/** The restore operation and its variants (drill, refresh of the spare). */
export function isRecoveryOperation(operation: string): boolean {
  return operation === 'restore' || operation.startsWith('restore-') || operation === 'refresh-spare';
}

/**
 * What a recovery run does (restore, drill or refresh of the spare): the
 * plan's or the result's mode when this window has them, else read from the
 * engine's own step notes (a page opened again mid-run); a run with no such
 * note yet is taken for a restore, whose first steps are the same.
 */
export function recoveryMode(run: Pick<RunSummary, 'steps'> | undefined, known?: RestoreMode): RestoreMode {
  if (known) return known;
  const notes = run?.steps.map((s) => s.message ?? '') ?? [];
  if (notes.some((m) => m.startsWith('Refresh-spare'))) return 'refresh-spare';
  if (notes.some((m) => m.startsWith('Drill'))) return 'drill';
  return 'restore';
}

/** The mode in the admin's words, for headings and buttons. */
export const MODE_NAME: Record<RestoreMode, { noun: string; title: string }> = {
  restore: { noun: 'restore', title: 'Restore' },
  drill: { noun: 'drill', title: 'Drill' },
  'refresh-spare': { noun: 'refresh of the spare', title: 'Refresh' },
};

/**
 * A recovery run the admin still has to finish: running, being aborted, or
 * stopped at a step with Resume still possible (a host key to confirm, a
 * failed step to retry, skip or abort). Newest first wins.
 */
export function isUnfinished(run: RunSummary): boolean {
  if (!isRecoveryOperation(run.operation)) return false;
  if (run.status === 'running' || run.aborting) return true;
  return (run.status === 'failed' || run.status === 'interrupted') && run.resumable !== false;
}

export function unfinishedRecoveryRun(runs: readonly RunSummary[]): RunSummary | undefined {
  return [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).find(isUnfinished);
}

export type RunPhase = 'running' | 'aborting' | 'host-key' | 'stopped' | 'aborted' | 'done';

/** Where a recovery run stands, as the wizard shows it. */
export function runPhase(run: RunSummary): RunPhase {
  if (run.status === 'aborted') return 'aborted';
  if (run.aborting && run.status === 'running') return 'aborting';
  if (run.status === 'running') return 'running';
  if (run.status === 'done') return 'done';
  if (isHostKeyStop(run)) return 'host-key';
  return 'stopped';
}

/** The run stopped for the admin to confirm the spare's host key (neither the primary's known key nor printed on the spare's console). */
export function isHostKeyStop(run: RunSummary): boolean {
  return !run.aborting && (run.status === 'failed' || run.status === 'interrupted') && run.errorCode === 'CONFIRMATION_REQUIRED';
}

/** The step that stopped the run (failed), else the first one not finished. */
export function stoppedStep(run: RunSummary): RunStep | undefined {
  return run.steps.find((s) => s.status === 'failed') ?? run.steps.find((s) => s.status === 'running' || s.status === 'pending');
}

/**
 * What an abort would undo, newest first: every step with an undo whose
 * effect may be in place (done, found done, stopped half-way, or failed
 * part-way and then skipped by the admin: its undo checks the real world),
 * as the engine's abort walks them.
 */
export function undoList(run: RunSummary): RunStep[] {
  return run.steps.filter((s) => s.undoable && ['done', 'skipped', 'failed', 'running'].includes(s.status)).reverse();
}

/** Steps done that have no undo (a check, a wait, a note): named in the abort dialog, so nothing is a surprise. */
export function notUndone(run: RunSummary): RunStep[] {
  return run.steps.filter((s) => s.status === 'done' && !s.undoable);
}

/** SHA256:… fingerprints named in a message (the host key the run stopped for). */
export function fingerprintsIn(text: string | undefined): string[] {
  return [...new Set([...(text ?? '').matchAll(/SHA256:[A-Za-z0-9+/]{43}/g)].map((m) => m[0]))];
}

/**
 * The step past which an abort no longer puts things back (the Nomad
 * clients run builds against the spare), once it is done, as the engine's
 * abort refuses it; a step a drill passes over does not count.
 */
export function pastNoReturn(run: RunSummary): RunStep | undefined {
  // A point of no return that stopped part-way counts too: part of it may be in place (as the engine's abort sees it).
  return run.steps.find((s) => s.pointOfNoReturn && (s.status === 'done' || s.status === 'failed' || s.status === 'running' || (s.status === 'skipped' && !/^(Skipped by the admin|Drill|Refresh-spare)/.test(s.message ?? ''))));
}

/**
 * What a drill's plan does to protect production: its outbound block (before
 * the app starts) and its putting the spare back. A drill whose plan has no
 * outbound block would start a copy of production that can run scheduled
 * workflows, send mail and call GitHub: the wizard does not run it.
 */
export function drillSafety(steps: readonly { name: string; title: string; skipped: boolean }[]): { blocksOutbound: boolean; putsBack: boolean; isolates: boolean } {
  const live = steps.filter((s) => !s.skipped);
  return {
    // The cut before the restored disk boots (the app starts at boot, before the host's block).
    isolates: live.some((s) => s.name === ISOLATION_STEPS.isolate),
    blocksOutbound: live.some((s) => s.name === DRILL_STEPS.blockLoad),
    putsBack: live.some((s) => s.name === DRILL_STEPS.putBack),
  };
}
