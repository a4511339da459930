/**
 * Step 2: what apply would change, host by host, before anything is
 * written: each file's diff (passwords masked), why each host bypasses the
 * proxy, the hosts left out and why, restarts still owed, and warnings.
 * Every apply, including a second attempt, goes through the same dialog,
 * which lists the restarts and runs only those the admin ticks.
 */
import { useState } from 'react';
import type { ProxyPlan } from '../../../shared/channels/proxy';
import { ROLE_LABELS } from '../../../shared/hosts';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FileDiff } from './diff-view';
import { NO_CONSENT, RestartChoices, restartOutcome, restartRequest, type RestartConsent } from './restart-choices';
import type { RestartConsent as RestartRequest } from '../../../shared/channels/proxy';

interface PlanReviewProps {
  plan: ProxyPlan;
  /** A second attempt after a stopped apply: said in the heading's status. */
  again?: boolean;
  onBack(): void;
  onApply(restarts: RestartRequest): Promise<void>;
}

export function PlanReview({ plan, again = false, onBack, onApply }: PlanReviewProps) {
  const [confirming, setConfirming] = useState(false);
  const [consent, setConsent] = useState<RestartConsent>(NO_CONSENT);
  const blocked = plan.hosts.filter((h) => h.error);
  const nothingToDo = plan.changedFiles === 0 && !plan.restarts.replicated && plan.restarts.docker.length === 0;

  return (
    <section className="section" aria-labelledby="proxy-review-heading">
      <h2 id="proxy-review-heading">Review the changes</h2>
      <p role="status">
        {again && 'The apply stopped; this is the plan as the hosts are now. '}
        {plan.changedFiles
          ? `${plan.changedFiles} file(s) change on ${plan.hosts.filter((h) => h.files.some((f) => f.action !== 'unchanged')).length} host(s).`
          : 'Nothing to change: every host already holds these proxy settings.'}{' '}
        Proxy <code>{plan.httpProxy}</code>
        {plan.httpsProxy !== plan.httpProxy && (
          <>
            , HTTPS proxy <code>{plan.httpsProxy}</code>
          </>
        )}
        .
      </p>
      {plan.warnings.length > 0 && (
        <div className="message proxy-warnings">
          <p>
            <strong>Check before applying:</strong>
          </p>
          <ul>
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {plan.pendingRestarts.length > 0 && (
        <div className="message message--warn" data-testid="plan-pending-restarts">
          <p>
            Still running the old settings from an earlier run: {plan.pendingRestarts.join(', ')}. This apply offers those restarts again.
          </p>
        </div>
      )}
      {blocked.map((h) => (
        <div key={h.host} role="alert" className="message message--error">
          <p>{h.error}</p>
        </div>
      ))}

      {plan.hosts.map((h) => (
        <section key={h.host} className="proxy-host" aria-labelledby={`proxy-host-${h.host}`}>
          <h3 id={`proxy-host-${h.host}`}>
            {h.host} <span className="muted">({ROLE_LABELS[h.role]})</span>
          </h3>
          {h.files.map((f) => (
            <FileDiff key={f.path} host={h.host} file={f} />
          ))}
        </section>
      ))}

      {plan.leftOut.length > 0 && (
        <section className="proxy-host" aria-labelledby="proxy-left-out">
          <h3 id="proxy-left-out">Not written</h3>
          <ul className="proxy-left-out" data-testid="plan-left-out">
            {plan.leftOut.map((h) => (
              <li key={h.host}>
                <strong>{h.host}</strong> <span className="muted">({ROLE_LABELS[h.role]})</span>: {h.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}

      <details className="section proxy-bypass">
        <summary>Bypassing the proxy ({plan.noProxy.length} entries)</summary>
        <table className="table table--compact">
          <caption>NO_PROXY, and Java&rsquo;s http.nonProxyHosts</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {plan.noProxy.map((e) => (
              <tr key={e.value}>
                <th scope="row">
                  <code>{e.value}</code>
                </th>
                <td>{e.why}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          Java: <code>{plan.javaNonProxyHosts.join('|')}</code>
        </p>
      </details>

      <div className="actions actions--start">
        <button type="button" className="button" onClick={onBack}>
          Back to the settings
        </button>
        <button
          type="button"
          className="button button--primary"
          disabled={blocked.length > 0}
          onClick={() => {
            if (nothingToDo) return void onApply(restartRequest(plan.restarts, NO_CONSENT));
            setConsent(NO_CONSENT);
            setConfirming(true);
          }}
        >
          {nothingToDo ? 'Apply (nothing to write) and verify' : 'Apply…'}
        </button>
      </div>

      {confirming && (
        <ConfirmDialog
          title="Apply the proxy settings?"
          confirmLabel={restartOutcome(plan.restarts, consent).startsWith('Will restart') ? 'Back up, apply and restart' : 'Back up and apply'}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await onApply(restartRequest(plan.restarts, consent));
          }}
        >
          <p>
            {plan.changedFiles
              ? `${plan.changedFiles} file(s) change. Drydock backs up every file it changes on its host (under /var/backups/drydock), writes each one atomically and reads it back; Roll back restores the backups exactly.`
              : 'No file changes: only the restarts below, if ticked.'}
          </p>
          <RestartChoices restarts={plan.restarts} consent={consent} onChange={setConsent} owed={plan.pendingRestarts} />
        </ConfirmDialog>
      )}
    </section>
  );
}
