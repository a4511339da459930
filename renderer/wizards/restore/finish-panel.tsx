/**
 * After the run: the verification it did, the switch of traffic left to the
 * admin (exactly what to change, and what the run's check found), the
 * recovery point and time, and the report to download. An aborted run says
 * the spare is back as it was; its report is offered too. A refresh of the
 * spare switches no traffic and verifies no app (it is left stopped): it
 * says which backup the spare holds now (refresh-panel).
 */
import { useState } from 'react';
import type { RestorePlan, RestoreRunResult } from '../../../shared/channels/restore';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/runs';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { formatAge, formatDuration } from '../../format';
import { TrafficChange } from './preview-panel';
import { TrafficCheckPanel } from './traffic-check';
import { download } from '../../components/download';
import { recoveryMode } from './recovery-runs';
import { RefreshDone } from './refresh-panel';

// The engine's own step names (restore/steps-after.ts): a title that merely mentions traffic is not the traffic step.
const VERIFY = new Set(['verify-app']);
const TRAFFIC = new Set(['switch-traffic']);

export function FinishPanel({ run, result, plan }: { run: RunSummary; result: RestoreRunResult | null; plan: RestorePlan | null }) {
  const aborted = run.status === 'aborted';
  const verify = run.steps.filter((s) => VERIFY.has(s.name));
  const traffic = run.steps.filter((s) => TRAFFIC.has(s.name));
  const mode = recoveryMode(run, result?.mode ?? plan?.mode);
  const refresh = mode === 'refresh-spare';
  return (
    <>
      <div role="status" className={`message ${aborted ? 'message--warn' : run.verdict?.ok === false ? 'message--error' : 'message--ok'}`} data-testid="restore-summary">
        <p>
          {aborted
            ? 'Aborted: every step done was undone, newest first. The spare has its own root disk again; the restored volume is kept for inspection.'
            : (result?.summary ?? run.verdict?.message ?? `${run.title ?? 'The restore'} finished.`)}
        </p>
        {result?.recoveryPointMs !== undefined && !refresh && <p>Recovery point: {formatAge(result.recoveryPointMs)} before the failover.</p>}
        {result?.recoveryTimeMs !== undefined && <p data-testid="recovery-time">Recovery time: {formatDuration(result.recoveryTimeMs)}.</p>}
      </div>
      {!aborted && refresh && <RefreshDone run={run} result={result} plan={plan} />}
      {!aborted && !refresh && (
        <section className="section" aria-labelledby="restore-verify-heading">
          <h2 id="restore-verify-heading">4. Verification</h2>
          {verify.length ? (
            <ul className="restore-verify" aria-label="Verification">
              {verify.map((s) => (
                <li key={s.name} className={`restore-verify__${s.status}`}>
                  <strong>{s.title}</strong>: {s.status === 'done' ? 'passed' : s.status}
                  {s.message ? ` — ${s.message}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>The run reported no verification step.</p>
          )}
          {!!result?.hostKeys.length && (
            <p>
              Host keys seen:{' '}
              {result.hostKeys.map((k) => (
                <span key={k.fingerprint}>
                  <code>{k.fingerprint}</code> ({k.proof === 'console' ? 'proved by the spare’s console' : k.proof === 'primary' ? 'the primary’s known key' : k.proof === 'admin' ? 'confirmed by you' : 'refused'}){' '}
                </span>
              ))}
            </p>
          )}
        </section>
      )}
      {!aborted && mode === 'restore' && (
        <section className="section" aria-labelledby="restore-traffic-heading">
          <h2 id="restore-traffic-heading">5. Switch traffic to the spare</h2>
          {plan && <TrafficChange plan={plan} heading={false} />}
          {!!result?.leftToAdmin.length && (
            <ul data-testid="left-to-admin">
              {result.leftToAdmin.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
          {traffic.map((s) => (
            <p key={s.name} data-testid="traffic-check">
              <strong>{s.title}</strong>: {s.status}
              {s.message ? ` — ${s.message}` : ''}
            </p>
          ))}
          {run.status === 'done' && <TrafficCheckPanel runId={run.id} />}
        </section>
      )}
      <ReportDownload runId={run.id} />
    </>
  );
}

export function ReportDownload({ runId }: { runId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const get = async (format: 'md' | 'html') => {
    setBusy(true);
    setError(null);
    try {
      const { text } = await call('restore:report', { runId, format });
      download(`drydock-restore-${runId}.${format}`, text, format === 'html' ? 'text/html' : 'text/markdown');
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby="restore-report-heading">
      <h2 id="restore-report-heading">Report</h2>
      <p>Every step with its commands, results and timings, the recovery point and time, the file changes, the host keys seen and what was left to you.</p>
      <div className="actions actions--start">
        <button type="button" className="button" disabled={busy} onClick={() => void get('md')}>
          Download the report (Markdown)
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void get('html')}>
          Download the report (HTML)
        </button>
      </div>
      {error && <ErrorMessage error={error} prefix="Could not make the report." />}
    </section>
  );
}
