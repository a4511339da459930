/**
 * Runbooks beside the audit log: what each operation did, step by step, and
 * a Resume button for a run that stopped before its end. A run that can no
 * longer be resumed says why instead; a run with secret input asks for
 * exactly the secrets it needs again (runbooks never keep them).
 */
import { useEffect, useState } from 'react';
import type { RunSummary } from '../../../shared/contract';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { formatTime } from '../../format';
import { useRuns } from '../../store/runs-store';

const STOPPED = new Set(['failed', 'interrupted']);

export function RunsPanel() {
  const { runs, loadError, resuming, resumeError, resumeNotice, load, resume } = useRuns();
  const [asking, setAsking] = useState<RunSummary | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const onResume = (run: RunSummary) => (run.missingSecrets?.length ? setAsking(run) : void resume(run.id));

  return (
    <section aria-labelledby="runs-heading" className="section">
      <h2 id="runs-heading">Runbooks</h2>
      {loadError && <ErrorMessage error={loadError} prefix="Could not read the runbooks." />}
      {runs.length === 0 && !loadError && <p className="empty">No operation has run yet.</p>}
      {runs.length > 0 && (
        <div className="table-scroll">
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Stopped at</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const open = run.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
                const canResume = STOPPED.has(run.status) && run.resumable !== false;
                return (
                  <tr key={run.id} data-testid={`run-${run.id}`}>
                    <td className="nowrap">{formatTime(run.startedAt)}</td>
                    <td>
                      {run.operation} <span className="muted">{run.id}</span>
                    </td>
                    <td className={run.status === 'failed' ? 'text-danger' : undefined}>{run.status}</td>
                    <td>
                      {run.status === 'done' ? '—' : (open?.title ?? '—')}
                      {run.error && <div className="muted">{run.error}</div>}
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
            void resume(asking.id, secrets);
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

/** Asks for exactly the secrets the run needs again, nothing else. */
function ResumeSecretsForm({ run, onSubmit, onCancel }: { run: RunSummary; onSubmit: (secrets: Record<string, string>) => void; onCancel: () => void }) {
  const needed = run.missingSecrets ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const complete = needed.every((m) => values[m.key]);
  return (
    <form
      className="panel"
      aria-label={`Secrets to resume ${run.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (complete) onSubmit(values);
      }}
    >
      <p>
        Runbooks never keep secrets. To resume {run.operation} ({run.id}), give again what it started with. A different one starts the run afresh, from its
        plan.
      </p>
      {needed.map((m) => (
        <Field key={m.key} label={m.label[0].toUpperCase() + m.label.slice(1)} hint={m.env ? `The CLI takes it from ${m.env}.` : undefined}>
          {(control) => <input {...control} type="password" autoComplete="off" value={values[m.key] ?? ''} onChange={(e) => setValues({ ...values, [m.key]: e.target.value })} />}
        </Field>
      ))}
      <div className="actions actions--start">
        <button type="submit" className="button" disabled={!complete}>
          Resume
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
