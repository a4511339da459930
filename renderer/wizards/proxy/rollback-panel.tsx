/**
 * Roll back: put the last proxy backup back on every host, byte for byte
 * (files Drydock created are removed), then the same restarts as apply.
 * The plan comes first, including files someone changed after the apply.
 */
import { useState } from 'react';
import type { RollbackPlan, RollbackResult } from '../../../shared/channels/proxy';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { RestartChoices, type RestartConsent } from './restart-choices';

export function RollbackPanel() {
  const [plan, setPlan] = useState<RollbackPlan | null>(null);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [loading, setLoading] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [consent, setConsent] = useState<RestartConsent>({ restartReplicated: true, restartDocker: true });
  const run = useRun<RollbackResult>('proxy-rollback', 'proxy-rollback', { attach: true });

  const review = async () => {
    setLoading(true);
    setPlanError(null);
    setPlan(null);
    run.reset();
    try {
      setPlan(await call('proxy:rollback-plan', {}));
    } catch (err) {
      setPlanError(toErrorPayload(err));
    } finally {
      setLoading(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="proxy-rollback-heading">
      <h2 id="proxy-rollback-heading">Roll back</h2>
      <p>Restore every host&rsquo;s files from its last proxy backup, exactly as they were before that apply.</p>
      <div className="actions actions--start">
        <button type="button" className="button" onClick={() => void review()} disabled={loading || run.busy}>
          {loading ? 'Looking for backups…' : 'Review rollback'}
        </button>
      </div>
      {planError && <ErrorMessage error={planError} prefix="Nothing to roll back." />}
      {plan && !run.result && (
        <>
          <ul data-testid="rollback-plan">
            {plan.hosts.map((h) => (
              <li key={h.host}>
                <strong>{h.host}</strong>:{' '}
                {h.set
                  ? h.files.map((f) => `${f.action === 'remove' ? 'remove' : 'restore'} ${f.path}${f.changedSinceApply ? ' (changed since the apply)' : ''}`).join('; ')
                  : 'no backup, left as it is'}
              </li>
            ))}
          </ul>
          {plan.warnings.length > 0 && (
            <div className="message proxy-warnings">
              <ul>
                {plan.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          <div className="actions actions--start">
            <button type="button" className="button button--danger" onClick={() => setConfirming(true)} disabled={run.busy}>
              Roll back…
            </button>
          </div>
        </>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label="Rollback steps" />}
      {run.error && <ErrorMessage error={run.error} prefix="The rollback stopped." />}
      {run.result && (
        <div role="status" className="message message--ok" data-testid="rollback-summary">
          <p>{run.result.summary}</p>
          {run.result.pendingRestarts.length > 0 && <p>Still to restart: {run.result.pendingRestarts.join(', ')}.</p>}
        </div>
      )}
      {confirming && plan && (
        <ConfirmDialog
          title="Roll back the proxy settings?"
          confirmLabel="Restore the backups"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await run.start(() => call('proxy:rollback', consent), (r) => r.runId);
          }}
        >
          <p>The files listed are put back exactly as they were; files Drydock created are removed.</p>
          <RestartChoices restarts={plan.restarts} consent={consent} onChange={setConsent} />
        </ConfirmDialog>
      )}
    </section>
  );
}
