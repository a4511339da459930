/**
 * What the admin can do with a stopped recovery run, each behind its own
 * confirmation: retry the failed step (it re-checks what is already done,
 * then goes on), skip it (only a step that says it may be skipped, with the
 * consequence spelled out), or abort (every step done is undone, newest
 * first, as the dialog lists). The calls last as long as the run does, so
 * the dialog closes at once and the run panel follows the run.
 */
import { useState } from 'react';
import { disruptsAfterSkip, type RunStep, type RunSummary } from '../../../shared/runs';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { notUndone, pastNoReturn, undoList } from './recovery-runs';

export interface RunActionsProps {
  run: RunSummary;
  failed?: RunStep;
  /**
   * Start the engine call in the background (the panel shows its error).
   * `shown`: what the dialog listed that the call stops, starts or restarts;
   * only a list the admin saw is confirmed to the engine.
   */
  act(what: 'retry' | 'skip' | 'abort', step?: string, shown?: readonly string[]): void;
  busy: boolean;
}

export function StoppedActions({ run, failed, act, busy }: RunActionsProps) {
  const [asking, setAsking] = useState<'retry' | 'skip' | 'abort' | null>(null);
  const canResume = run.resumable !== false;
  if (run.aborting) return <CarryOnUndoing run={run} act={act} busy={busy || !canResume} />;
  const skippable = failed?.status === 'failed' && !!failed.skipConsequence;
  return (
    <>
      {!canResume && run.whyNot && <p className="muted">Cannot be resumed: {run.whyNot}</p>}
      <div className="actions actions--start" data-testid="restore-stopped-actions">
        {canResume && (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => setAsking('retry')}>
            {failed?.status === 'failed' ? `Retry “${failed.title}”…` : 'Resume…'}
          </button>
        )}
        {canResume && skippable && (
          <button type="button" className="button" disabled={busy} onClick={() => setAsking('skip')}>
            Skip this step…
          </button>
        )}
        <AbortButton run={run} act={act} busy={busy} />
      </div>
      {asking === 'retry' && (
        <ConfirmDialog
          title={failed?.status === 'failed' ? `Retry “${failed.title}”?` : 'Resume the run?'}
          confirmLabel={failed?.status === 'failed' ? 'Retry the step' : 'Resume'}
          onClose={() => setAsking(null)}
          onConfirm={async () => act('retry', undefined, run.restartsOnResume ?? [])}
        >
          <p>
            The step first checks what is already done (on the provider and the host) and does only the rest; then the run goes on with the steps still
            to come:
          </p>
          <ol aria-label="Steps still to run">
            {run.steps
              .filter((s) => s.status !== 'done' && s.status !== 'skipped' && s.status !== 'undone')
              .map((s) => (
                <li key={s.name}>{s.title}</li>
              ))}
          </ol>
          <Disrupts listed={run.restartsOnResume ?? []} />
        </ConfirmDialog>
      )}
      {asking === 'skip' && failed && (
        <ConfirmDialog title={`Skip “${failed.title}”?`} confirmLabel="Skip it and go on" onClose={() => setAsking(null)} onConfirm={async () => act('skip', failed.name, disruptsAfterSkip(run, failed.name))}>
          <p data-testid="skip-consequence">
            <strong>What skipping costs:</strong> {failed.skipConsequence}
          </p>
          <p>The report records that this step was skipped. The run then goes on with the next step.</p>
          <Disrupts listed={disruptsAfterSkip(run, failed.name)} />
        </ConfirmDialog>
      )}
    </>
  );
}

/** Abort, with the undo it will run listed newest first; offered while the run runs too (it stops at its step first). */
export function AbortButton({ run, act, busy }: Omit<RunActionsProps, 'failed'>) {
  const [asking, setAsking] = useState(false);
  const undo = undoList(run);
  const kept = notUndone(run);
  const committed = pastNoReturn(run);
  if (committed) {
    return (
      <p className="muted" data-testid="no-abort">
        Abort is no longer offered: “{committed.title}” is done, so {committed.pointOfNoReturn}
      </p>
    );
  }
  return (
    <>
      <button type="button" className="button button--danger" disabled={busy} onClick={() => setAsking(true)}>
        Abort and undo…
      </button>
      {asking && (
        <ConfirmDialog title="Abort the restore and undo it?" confirmLabel="Abort and undo" onClose={() => setAsking(false)} onConfirm={async () => act('abort')}>
          {undo.length ? (
            <>
              <p>The run stops, then these steps are undone, newest first:</p>
              <ol aria-label="Undo, newest first" data-testid="abort-undo-list">
                {undo.map((s) => (
                  <li key={s.name}>Undo: {s.title}</li>
                ))}
              </ol>
            </>
          ) : (
            <p>No step has changed anything yet: the run just stops.</p>
          )}
          {kept.length > 0 && <p>Left as they are (no undo; what they made is kept): {kept.map((s) => s.title).join(', ')}.</p>}
          <p>The spare ends as it was, its own root disk attached; a restored volume is kept for inspection, never deleted.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** An abort cut short (a crash, a failed undo): the only way on is to carry on undoing. */
function CarryOnUndoing({ run, act, busy }: Omit<RunActionsProps, 'failed'>) {
  const [asking, setAsking] = useState(false);
  const undo = undoList(run);
  return (
    <>
      <div className="actions actions--start" data-testid="restore-stopped-actions">
        <button type="button" className="button button--danger" disabled={busy} onClick={() => setAsking(true)}>
          Carry on undoing…
        </button>
      </div>
      {asking && (
        <ConfirmDialog title="Carry on undoing?" confirmLabel="Carry on undoing" onClose={() => setAsking(false)} onConfirm={async () => act('retry', undefined, run.restartsOnResume ?? [])}>
          <p>The abort goes on where it stopped; these steps are still to be undone, newest first:</p>
          <ol aria-label="Undo, newest first">
            {undo.map((s) => (
              <li key={s.name}>Undo: {s.title}</li>
            ))}
          </ol>
        </ConfirmDialog>
      )}
    </>
  );
}

/** What going on stops, starts or restarts, or which root it switches, step by step: the admin confirms exactly this list. */
export function Disrupts({ listed }: { listed: readonly string[] }) {
  if (!listed.length) return <p data-testid="resume-disrupts-none">Nothing still to run stops, starts or restarts anything.</p>;
  return (
    <div className="message message--warn">
      <p>
        <strong>Going on, the run:</strong>
      </p>
      <ul aria-label="What going on stops, starts or restarts" data-testid="resume-disrupts">
        {listed.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    </div>
  );
}
