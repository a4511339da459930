/**
 * Roll back: put proxy backups back on every host, byte for byte (files and
 * folders Drydock created are removed), then the restarts the admin ticks.
 * By default back to the original state, before the first Drydock apply;
 * the admin may choose a later point. The plan comes first, including files
 * someone changed after the apply, sets made from another laptop (whose
 * paths and hashes must be confirmed before they are restored) and every
 * restart the run could make (one still owed from an earlier run included):
 * the run restarts exactly what the dialog listed and was ticked. A plan
 * read before another proxy run ended is put away, never offered.
 */
import { useEffect, useRef, useState } from 'react';
import type { RollbackPlan, RollbackResult } from '../../../shared/channels/proxy';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { NO_CONSENT, RestartChoices, restartOutcome, restartRequest, type RestartConsent } from './restart-choices';

interface RollbackPanelProps {
  /** Changes when a proxy run ends anywhere on the page. */
  staleKey: number;
  /** An apply is running: no rollback from here meanwhile. */
  applyBusy: boolean;
  onBusyChange(busy: boolean): void;
  onRan(): void;
}

export function RollbackPanel({ staleKey, applyBusy, onBusyChange, onRan }: RollbackPanelProps) {
  const [plan, setPlan] = useState<RollbackPlan | null>(null);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [loading, setLoading] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [consent, setConsent] = useState<RestartConsent>(NO_CONSENT);
  const run = useRun<RollbackResult>('proxy-rollback', 'proxy-rollback', { attach: true });
  /** The set to roll back to ('' = the original state). */
  const [to, setTo] = useState('');
  const [acceptOthers, setAcceptOthers] = useState(false);
  const ownRun = useRef(false);
  const { reset } = run;

  useEffect(() => {
    // Our own run just ended: keep its result. Someone else's: this plan describes hosts that have changed.
    if (ownRun.current) {
      ownRun.current = false;
      return;
    }
    setPlan(null);
    setPlanError(null);
    reset();
  }, [staleKey, reset]);

  const review = async (target = to) => {
    setLoading(true);
    setPlanError(null);
    setPlan(null);
    setAcceptOthers(false);
    run.reset();
    try {
      setPlan(await call('proxy:rollback-plan', target ? { to: target } : {}));
    } catch (err) {
      setPlanError(toErrorPayload(err));
    } finally {
      setLoading(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="proxy-rollback-heading">
      <h2 id="proxy-rollback-heading">Roll back</h2>
      <p>Restore every host&rsquo;s files from its proxy backups, exactly as they were: by default as before the first Drydock apply.</p>
      <div className="actions actions--start">
        <button type="button" className="button" onClick={() => void review()} disabled={loading || run.busy || applyBusy}>
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
          {plan.choices && plan.choices.length > 1 && (
            <label className="field">
              <span className="field__label">Roll back to</span>
              <select
                value={to}
                onChange={(e) => {
                  setTo(e.target.value);
                  void review(e.target.value);
                }}
              >
                <option value="">The original state (before the first Drydock apply)</option>
                {plan.choices.slice(0, -1).map((c) => (
                  <option key={c.set} value={c.set}>
                    Before the apply of {c.createdAt} ({c.set})
                  </option>
                ))}
              </select>
            </label>
          )}
          {/* Before the sets' manifests: a warning about a set from another laptop says to check the files below. */}
          {plan.warnings.length > 0 && (
            <div className="message proxy-warnings">
              <ul>
                {plan.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          {plan.hosts.flatMap((h) => (h.sets ?? []).filter((s) => !s.recorded).map((s) => ({ host: h.host, ...s }))).map((s) => (
            <div key={`${s.host}/${s.set}`} className="message proxy-warnings" data-testid="unrecorded-set">
              <p>
                {s.host}: backup set {s.set} of {s.createdAt} was not made from this laptop. Its manifest says:
              </p>
              <ul>
                {s.files.map((f) => (
                  <li key={f.path}>
                    <code>{f.path}</code>: {f.existed ? `before ${f.sha256Before}` : 'did not exist'}, after {f.sha256After ?? '(removed)'}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {(plan.unrecorded?.length ?? 0) > 0 && (
            <label className="cert-check">
              <input type="checkbox" checked={acceptOthers} onChange={(e) => setAcceptOthers(e.target.checked)} /> I checked the sets above and want them restored
            </label>
          )}
          <div className="actions actions--start">
            <button
              type="button"
              className="button button--danger"
              onClick={() => {
                setConsent(NO_CONSENT);
                setConfirming(true);
              }}
              disabled={run.busy || applyBusy || ((plan.unrecorded?.length ?? 0) > 0 && !acceptOthers)}
            >
              Roll back…
            </button>
          </div>
        </>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label="Rollback steps" />}
      {run.error && <ErrorMessage error={run.error} prefix="The rollback stopped." />}
      {run.result && (
        <div role="status" className={`message ${run.result.pendingRestarts.length ? 'message--warn' : 'message--ok'}`} data-testid="rollback-summary">
          <p>{run.result.summary}</p>
          {run.result.pendingRestarts.length > 0 && <p>Still to restart: {run.result.pendingRestarts.join(', ')}.</p>}
        </div>
      )}
      {confirming && plan && (
        <ConfirmDialog
          title="Roll back the proxy settings?"
          confirmLabel={restartOutcome(plan.restarts, consent).startsWith('Will restart') ? 'Restore the backups and restart' : 'Restore the backups'}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            onBusyChange(true);
            try {
              await run.start(() => call('proxy:rollback', { ...restartRequest(plan.restarts, consent), ...(plan.to ? { to: plan.to } : {}), ...(acceptOthers && plan.unrecorded?.length ? { accept: plan.unrecorded } : {}) }), (r) => r.runId);
            } finally {
              onBusyChange(false);
              ownRun.current = true;
              onRan();
            }
          }}
        >
          <p>The files listed are put back exactly as they were; files Drydock created are removed.</p>
          <RestartChoices restarts={plan.restarts} consent={consent} onChange={setConsent} />
        </ConfirmDialog>
      )}
    </section>
  );
}
