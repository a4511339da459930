/**
 * A recovery run's steps as the engine reports them (undone ones too, after
 * an abort), and the command output streamed while this window watched.
 */
import { useState } from 'react';
import type { RunStep } from '../../../shared/runs';
import { call } from '../../api';
import { useOutput, type OutputLine } from '../../store/output-store';
import { formatDuration } from '../../format';

const STATUS_TEXT: Record<RunStep['status'], string> = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  skipped: 'Skipped',
  failed: 'Failed',
  undone: 'Undone',
};

function took(s: RunStep): string {
  if (!s.startedAt || !s.endedAt) return '';
  return formatDuration(Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt)));
}

export function RunSteps({ runId, steps, running }: { runId: string; steps: RunStep[]; running: boolean }) {
  const [stopping, setStopping] = useState(false);
  return (
    <>
      <ol className="steps restore-steps" aria-label="Restore steps">
        {steps.map((s) => (
          <li key={s.name} className={`steps__item steps__item--${s.status}`} data-step={s.name}>
            <span className="steps__status">{STATUS_TEXT[s.status]}</span>
            <span className="steps__title">
              {s.title}
              {took(s) && <span className="muted restore-took">{took(s)}</span>}
            </span>
            {s.message && <span className="steps__message">{s.message}</span>}
          </li>
        ))}
      </ol>
      {running && (
        <button
          type="button"
          className="button button--small"
          disabled={stopping}
          onClick={() => {
            setStopping(true);
            void call('runs:cancel', { id: runId }).finally(() => setStopping(false));
          }}
        >
          {stopping ? 'Stopping…' : 'Pause at this step'}
        </button>
      )}
    </>
  );
}

const NO_LINES: OutputLine[] = [];

export function CommandOutput({ runId }: { runId: string }) {
  const lines = useOutput((s) => s.byRun[runId] ?? NO_LINES);
  if (lines.length === 0) return null;
  return (
    <details className="restore-output" open>
      <summary>Command output ({lines.length} lines)</summary>
      <pre data-testid="restore-output" tabIndex={0}>
        {lines.map((l, i) => (
          <span key={i} className={l.stream === 'stderr' ? 'restore-output__err' : undefined}>
            {l.host ? `${l.host}: ` : ''}
            {l.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </details>
  );
}
