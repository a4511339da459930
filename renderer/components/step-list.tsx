/**
 * The steps of a run as they report in: title, state and the step's note,
 * and a way to stop the run at its current step (it stays resumable).
 */
import { useState } from 'react';
import { call } from '../api';
import type { StepView } from '../store/progress-store';

const STATUS_TEXT: Record<StepView['status'], string> = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  skipped: 'Skipped',
  failed: 'Failed',
  undone: 'Undone',
};

export function StepList({ steps, label }: { steps: StepView[]; label: string }) {
  const running = steps.find((s) => s.status === 'running' && s.runId);
  const [stopping, setStopping] = useState(false);
  const stop = async () => {
    setStopping(true);
    try {
      await call('runs:cancel', { id: running!.runId! });
    } finally {
      setStopping(false);
    }
  };
  return (
    <>
    {running && (
      <button type="button" className="button button--small" onClick={stop} disabled={stopping}>
        {stopping ? 'Stopping…' : 'Stop at this step'}
      </button>
    )}
    <ol className="steps" aria-label={label}>
      {steps.map((s) => (
        <li key={s.step} className={`steps__item steps__item--${s.status}`}>
          <span className="steps__status">{STATUS_TEXT[s.status]}</span>
          <span className="steps__title">{s.title}</span>
          {s.message && <span className="steps__message">{s.message}</span>}
        </li>
      ))}
    </ol>
    </>
  );
}
