/**
 * Runbooks beside the audit log: what each operation did, how long it took,
 * where and why it stopped, and a Resume button for a run that stopped
 * before its end. A run that can no longer be resumed says why instead; a
 * run with secret input asks for exactly the secrets it needs again
 * (runbooks never keep them), and a run that restarts services lists what it
 * will restart and asks first, as its own page does. Kept current by the
 * engine's run events. Facts reads are hidden unless asked for.
 */
import { useEffect, useState } from 'react';
import { READ_ONLY_OPERATIONS, runDurationMs, type RunSummary } from '../../../shared/runs';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { formatDuration, formatTime } from '../../format';
import { useRuns } from '../../store/runs-store';

const STOPPED = new Set(['failed', 'interrupted']);
const STATUS_TEXT: Record<RunSummary['status'], string> = { running: 'running', done: 'done', failed: 'failed', interrupted: 'interrupted', aborted: 'aborted' };

export function RunsPanel() {
  const { runs, loadError, resuming, resumeError, resumeNotice, load, resume } = useRuns();
  const [showReads, setShowReads] = useState(false);
  const [asking, setAsking] = useState<RunSummary | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const reads = runs.filter((r) => READ_ONLY_OPERATIONS.includes(r.operation)).length;
  const shown = showReads ? runs : runs.filter((r) => !READ_ONLY_OPERATIONS.includes(r.operation));
  const onResume = (run: RunSummary) => (run.missingSecrets?.length || run.restartsOnResume?.length ? setAsking(run) : void resume(run.id));

  return (
    <section aria-labelledby="runs-heading" className="section">
      <h2 id="runs-heading">Runbooks</h2>
      <label className="check-line">
        <input type="checkbox" checked={showReads} onChange={(e) => setShowReads(e.target.checked)} />
        <span>Show facts reads ({reads})</span>
      </label>
      {loadError && <ErrorMessage error={loadError} prefix="Could not read the runbooks." />}
      {shown.length === 0 && !loadError && <p className="empty">{runs.length ? 'Only facts reads so far: they change nothing on the hosts.' : 'No operation has run yet.'}</p>}
      {shown.length > 0 && (
        <div className="table-scroll">
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Took
                </th>
                <th scope="col">Stopped at, and why</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((run) => {
                const open = run.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
                const canResume = STOPPED.has(run.status) && run.resumable !== false;
                return (
                  <tr key={run.id} data-testid={`run-${run.id}`}>
                    <td className="nowrap">{formatTime(run.startedAt)}</td>
                    <td>
                      {run.title ?? run.operation} <span className="muted">{run.id}</span>
                    </td>
                    <td className={run.status === 'failed' ? 'text-danger' : undefined}>{STATUS_TEXT[run.status]}</td>
                    <td className="num nowrap">{run.status === 'running' ? 'so far ' : ''}{formatDuration(runDurationMs(run))}</td>
                    <td>
                      {run.status === 'done' ? (
                        '—'
                      ) : run.error ? (
                        <span className={run.status === 'failed' ? 'text-danger' : undefined} data-testid="run-error">
                          {run.error}
                        </span>
                      ) : (
                        (open?.title ?? '—')
                      )}
                    </td>
                    <td>
                      {canResume && (
                        <button type="button" className="button button--small" onClick={() => onResume(run)} disabled={!!resuming}>
                          {resuming === run.id ? 'Resuming…' : `Resume ${run.operation}`}
                        </button>
                      )}
                      {STOPPED.has(run.status) && run.resumable === false && <span className="muted">Cannot be resumed: {run.whyNot}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {asking && (
        <ResumeSecretsForm
          run={asking}
          onCancel={() => setAsking(null)}
          onSubmit={(secrets) => {
            setAsking(null);
            void resume(asking.id, secrets, !!asking.restartsOnResume?.length);
          }}
        />
      )}
      {resumeNotice && (
        <div role="status" className="message" data-testid="resume-notice">
          Run {resumeNotice.id}: {resumeNotice.text}
        </div>
      )}
      {resumeError && <ErrorMessage error={resumeError.error} prefix={`Run ${resumeError.id} could not finish.`} />}
    </section>
  );
}

/** Asks for exactly the secrets the run needs again, nothing else, and lists the restarts a resume makes: the same confirmation as the first run. */
function ResumeSecretsForm({ run, onSubmit, onCancel }: { run: RunSummary; onSubmit: (secrets: Record<string, string>) => void; onCancel: () => void }) {
  const needed = run.missingSecrets ?? [];
  const restarts = run.restartsOnResume ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const complete = needed.every((m) => values[m.key]);
  return (
    <form
      className="panel"
      aria-label={needed.length ? `Secrets to resume ${run.id}` : `Confirm resuming ${run.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (complete) onSubmit(values);
      }}
    >
      {needed.length > 0 && (
        <p>
          Runbooks never keep secrets. To resume {run.operation} ({run.id}), give again what it started with. A different one starts the run afresh, from
          its plan.
        </p>
      )}
      {restarts.length > 0 && (
        <div className="message message--warn" data-testid="resume-restarts">
          <p>
            Resuming {run.title ?? run.operation} ({run.id}) goes on from its step and{' '}
            {run.steps.some((s) => s.disrupts) ? 'it stops, starts or restarts, step by step:' : 'will restart, as confirmed when it started:'}
          </p>
          <ul>
            {restarts.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {needed.map((m) => (
        <Field key={m.key} label={m.label[0].toUpperCase() + m.label.slice(1)} hint={m.env ? `The CLI takes it from ${m.env}.` : undefined}>
          {(control) => <input {...control} type="password" autoComplete="off" value={values[m.key] ?? ''} onChange={(e) => setValues({ ...values, [m.key]: e.target.value })} />}
        </Field>
      ))}
      <div className="actions actions--start">
        <button type="submit" className="button" disabled={!complete}>
          {restarts.length ? 'Resume and restart' : 'Resume'}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
