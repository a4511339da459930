/**
 * Every page shows what is running on the hosts: the operation, its step,
 * and a way to its wizard. Read from the engine's runs, so it holds across
 * reloads, section switches and runs started elsewhere (a second window).
 * A run that stops short while the admin looks elsewhere is not lost
 * either: it stays here, with its error, until dismissed.
 */
import { useEffect } from 'react';
import type { RunSummary } from '../../shared/runs';
import { sectionOfOperation, SECTIONS } from '../sections';
import { useNavigation } from '../store/navigation-store';
import { runningRuns, useRuns } from '../store/runs-store';

export function runStepText(run: RunSummary): string {
  const index = run.steps.findIndex((s) => s.status === 'running');
  const step = run.steps[index];
  if (!step) return 'starting…';
  return `step ${index + 1} of ${run.steps.length}: ${step.title}${step.message ? ` (${step.message})` : ''}`;
}

export function RunIndicator() {
  const all = useRuns((s) => s.runs);
  const stoppedIds = useRuns((s) => s.stopped);
  const dismiss = useRuns((s) => s.dismiss);
  const section = useNavigation((s) => s.section);
  const runs = runningRuns(all);
  const stopped = all.filter((r) => stoppedIds.includes(r.id));
  // On the run's own page its wizard shows the error: seen, so no banner.
  const here = stopped.filter((r) => sectionOfOperation(r.operation) === section).map((r) => r.id).join();
  useEffect(() => {
    for (const id of here ? here.split(',') : []) dismiss(id);
  }, [here, dismiss]);
  return (
    <>
      <div role="status" aria-label="Running operations" className="run-indicator-slot">
        {runs.map((run) => (
          <div key={run.id} className="run-indicator" data-testid="run-indicator">
            <span className="run-indicator__spinner" aria-hidden="true" />
            <span>
              <strong>{run.title ?? run.operation}</strong> running, {runStepText(run)}
            </span>
            <ShowLink run={run} />
          </div>
        ))}
      </div>
      <div role="alert" className="run-indicator-slot run-indicator-slot--stopped">
        {stopped.map((run) => (
          <div key={run.id} className="run-indicator run-indicator--stopped" data-testid="run-stopped">
            <span>
              <strong>{run.title ?? run.operation}</strong> {run.status === 'interrupted' ? 'was stopped' : 'failed'}: {run.error ?? 'it stopped before its end'}
            </span>
            <ShowLink run={run} />
            <button type="button" className="button button--small button--quiet" onClick={() => dismiss(run.id)}>
              Dismiss
            </button>
          </div>
        ))}
      </div>
    </>
  );
}

function ShowLink({ run }: { run: RunSummary }) {
  const section = useNavigation((s) => s.section);
  const go = useNavigation((s) => s.go);
  const target = sectionOfOperation(run.operation);
  const title = SECTIONS.find((s) => s.id === target)?.title;
  if (!target || target === section) return null;
  return (
    <a
      href={`#${target}`}
      className="run-indicator__link"
      onClick={(event) => {
        event.preventDefault();
        go(target);
      }}
    >
      Show in {title}
    </a>
  );
}
