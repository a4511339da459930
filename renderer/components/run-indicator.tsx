/**
 * Every page shows what is running on the hosts: the operation, its step,
 * and a way to its wizard. Read from the engine's runs, so it holds across
 * reloads, section switches and runs started elsewhere (a second window).
 */
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
  const runs = runningRuns(useRuns((s) => s.runs));
  const section = useNavigation((s) => s.section);
  const go = useNavigation((s) => s.go);
  return (
    <div role="status" aria-label="Running operations" className="run-indicator-slot">
      {runs.map((run) => {
        const target = sectionOfOperation(run.operation);
        const title = SECTIONS.find((s) => s.id === target)?.title;
        return (
          <div key={run.id} className="run-indicator" data-testid="run-indicator">
            <span className="run-indicator__spinner" aria-hidden="true" />
            <span>
              <strong>{run.title ?? run.operation}</strong> running, {runStepText(run)}
            </span>
            {target && target !== section && (
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
            )}
          </div>
        );
      })}
    </div>
  );
}
