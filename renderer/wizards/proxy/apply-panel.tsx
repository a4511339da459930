/**
 * Step 3: the apply running, step by step as the engine reports it, then
 * what changed, what was restarted (or is still owed) and whether every host
 * reached the check URL as its files say. An apply that stopped is never
 * re-run from here in one click: "Review and apply again…" reads the hosts
 * again and goes through the same review and confirmation as the first run
 * (the engine then resumes under the first backups).
 */
import type { ProxyApplyResult } from '../../../shared/channels/proxy';
import type { ErrorPayload } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/runs';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { formatTime } from '../../format';
import type { StepView } from '../../store/progress-store';
import { VerifyTable } from './verify-table';

interface ApplyPanelProps {
  busy: boolean;
  /** The engine's run being shown, when known. */
  run?: RunSummary;
  steps: StepView[];
  error: ErrorPayload | null;
  result: ProxyApplyResult | null;
  /** Reading the hosts again for a second attempt. */
  replanning: boolean;
  replanError: ErrorPayload | null;
  /** Absent when the page no longer holds the run's settings (re-attached after a reload): they are entered again. */
  onReviewAgain?: () => void;
  onStartOver(): void;
}

export function ApplyPanel({ busy, run, steps, error, result, replanning, replanError, onReviewAgain, onStartOver }: ApplyPanelProps) {
  const failed = result?.verification.filter((r) => !r.ok) ?? [];
  const owed = result?.pendingRestarts ?? [];
  const tone = failed.length ? 'message--error' : owed.length ? 'message--warn' : 'message--ok';
  const ended = !busy && (error || result || (run && run.status !== 'running'));
  return (
    <section className="section" aria-labelledby="proxy-apply-heading" aria-busy={busy}>
      <h2 id="proxy-apply-heading">Applying</h2>
      {run && (
        <p className="muted" data-testid="apply-run">
          Run {run.id}, started {formatTime(run.startedAt)}
        </p>
      )}
      {steps.length > 0 && <StepList steps={error ? withoutRepeat(steps, error) : steps} label="Apply steps" />}
      {busy && <p className="muted">Working… each step reports here as it finishes.</p>}
      {error && (
        <>
          <ErrorMessage error={error} prefix="The apply stopped." />
          <p>
            Files already written stay written and are backed up. Fix the cause, then review the plan again: it shows what is left to do and the restarts
            it would make, and asks before anything runs.
            {!onReviewAgain && ' This page no longer holds the settings this run started with: enter them again (Back to the settings) to review the plan.'}
          </p>
          {replanError && <ErrorMessage error={replanError} prefix="Could not read the hosts' files." />}
          <div className="actions actions--start">
            <button type="button" className="button" onClick={onStartOver}>
              Back to the settings
            </button>
            {onReviewAgain && (
              <button type="button" className="button button--primary" onClick={onReviewAgain} disabled={replanning}>
                {replanning ? 'Reading the hosts…' : 'Review and apply again…'}
              </button>
            )}
          </div>
        </>
      )}
      {ended && !error && !result && (
        <div className="actions actions--start">
          <button type="button" className="button" onClick={onStartOver}>
            Back to the settings
          </button>
        </div>
      )}
      {result && (
        <>
          <div role="status" className={`message ${tone}`} data-testid="apply-summary">
            {result.notice && <p>{result.notice}</p>}
            <p>
              {result.summary}
              {result.resumed && ' (resumed the interrupted apply)'}
            </p>
          </div>
          {result.verifyUrl && result.verification.length > 0 && <VerifyTable url={result.verifyUrl} results={result.verification} pendingRestarts={owed} />}
          <div className="actions actions--start">
            <button type="button" className="button" onClick={onStartOver}>
              Back to the settings
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** The failed step's note is usually the error itself: say it once, in the alert below. */
function withoutRepeat(steps: StepView[], error: ErrorPayload): StepView[] {
  return steps.map((s) => (s.status === 'failed' && s.message && error.message.includes(s.message) ? { ...s, message: undefined } : s));
}
