/** The steps of a run as they report in: title, state and the step's note. */
import type { StepView } from '../store/progress-store';

const STATUS_TEXT: Record<StepView['status'], string> = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  skipped: 'Skipped',
  failed: 'Failed',
};

export function StepList({ steps, label }: { steps: StepView[]; label: string }) {
  return (
    <ol className="steps" aria-label={label}>
      {steps.map((s) => (
        <li key={s.step} className={`steps__item steps__item--${s.status}`}>
          <span className="steps__status">{STATUS_TEXT[s.status]}</span>
          <span className="steps__title">{s.title}</span>
          {s.message && <span className="steps__message">{s.message}</span>}
        </li>
      ))}
    </ol>
  );
}
