/**
 * Step 3: the apply running, step by step as the engine reports it, then
 * what changed, what was restarted (or is still owed) and whether every host
 * reached the check URL through the proxy. An apply that stopped can be run
 * again: it resumes and keeps the first backups.
 */
import type { ProxyApplyResult } from '../../../shared/channels/proxy';
import type { ErrorPayload } from '../../../shared/errors';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import type { StepView } from '../../store/progress-store';
import { VerifyTable } from './verify-table';

interface ApplyPanelProps {
  busy: boolean;
  steps: StepView[];
  error: ErrorPayload | null;
  result: ProxyApplyResult | null;
  onRetry(): void;
  onStartOver(): void;
}

export function ApplyPanel({ busy, steps, error, result, onRetry, onStartOver }: ApplyPanelProps) {
  const failed = result?.verification.filter((r) => !r.ok) ?? [];
  return (
    <section className="section" aria-labelledby="proxy-apply-heading" aria-busy={busy}>
      <h2 id="proxy-apply-heading">Applying</h2>
      {steps.length > 0 && <StepList steps={steps} label="Apply steps" />}
      {busy && <p className="muted">Working… each step reports here as it finishes.</p>}
      {error && (
        <>
          <ErrorMessage error={error} prefix="The apply stopped." />
          <p>Files already written stay written and are backed up. Fix the cause, then apply again: Drydock resumes where it stopped.</p>
          <div className="actions actions--start">
            <button type="button" className="button button--primary" onClick={onRetry}>
              Apply again
            </button>
          </div>
        </>
      )}
      {result && (
        <>
          <div role="status" className={`message ${failed.length ? 'message--error' : 'message--ok'}`} data-testid="apply-summary">
            {result.notice && <p>{result.notice}</p>}
            <p>
              {result.summary}
              {result.resumed && ' (resumed the interrupted apply)'}
            </p>
          </div>
          {result.pendingRestarts.length > 0 && (
            <div className="message">
              <p>
                Still to restart: {result.pendingRestarts.join(', ')}. Apply again and tick the restart when it suits you; until then the old settings are in
                effect there.
              </p>
            </div>
          )}
          {result.verifyUrl && result.verification.length > 0 && <VerifyTable url={result.verifyUrl} results={result.verification} />}
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
