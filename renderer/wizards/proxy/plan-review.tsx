/**
 * Step 2: what apply would change, host by host, before anything is
 * written: each file's diff (passwords masked), why each host bypasses the
 * proxy, and warnings. Apply asks for the restarts separately.
 */
import { useState } from 'react';
import type { ProxyPlan } from '../../../shared/channels/proxy';
import { ROLE_LABELS } from '../../../shared/hosts';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FileDiff } from './diff-view';
import { RestartChoices, type RestartConsent } from './restart-choices';

interface PlanReviewProps {
  plan: ProxyPlan;
  onBack(): void;
  onApply(consent: RestartConsent): Promise<void>;
}

export function PlanReview({ plan, onBack, onApply }: PlanReviewProps) {
  const [confirming, setConfirming] = useState(false);
  const [consent, setConsent] = useState<RestartConsent>({ restartReplicated: true, restartDocker: true });
  const blocked = plan.hosts.filter((h) => h.error);
  const nothingToDo = plan.changedFiles === 0 && !plan.restarts.replicated && plan.restarts.docker.length === 0;

  return (
    <section className="section" aria-labelledby="proxy-review-heading">
      <h2 id="proxy-review-heading">Review the changes</h2>
      <p role="status">
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
        <button type="button" className="button button--primary" disabled={blocked.length > 0} onClick={() => (nothingToDo ? void onApply(consent) : setConfirming(true))}>
          {nothingToDo ? 'Apply (nothing to write) and verify' : 'Apply…'}
        </button>
      </div>

      {confirming && (
        <ConfirmDialog
          title="Apply the proxy settings?"
          confirmLabel="Back up and apply"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await onApply(consent);
          }}
        >
          <p>
            Drydock backs up every file it changes on its host (under <code>/var/backups/drydock</code>), writes each one atomically and reads it back.
            Roll back restores the backups exactly.
          </p>
          <RestartChoices restarts={plan.restarts} consent={consent} onChange={setConsent} />
        </ConfirmDialog>
      )}
    </section>
  );
}
