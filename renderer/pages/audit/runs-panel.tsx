/**
 * Runbooks beside the audit log: what each operation did, step by step, and
 * a Resume button for a run that stopped before its end.
 */
import { useEffect } from 'react';
import { ErrorMessage } from '../../components/error-message';
import { formatTime } from '../../format';
import { useRuns } from '../../store/runs-store';
import { RESUME_ON_PAGE } from '../../../shared/resume-policy';

const RESUMABLE = new Set(['failed', 'interrupted']);


export function RunsPanel() {
  const { runs, loadError, resuming, resumeError, load, resume } = useRuns();

  useEffect(() => {
    void load();
  }, [load]);

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
                return (
                  <tr key={run.id}>
                    <td className="nowrap">{formatTime(run.startedAt)}</td>
                    <td>
                      {run.operation} <span className="muted">{run.id}</span>
                    </td>
                    <td className={run.status === 'failed' ? 'text-danger' : undefined}>{run.status}</td>
                    <td>{run.status === 'done' ? '—' : (open?.title ?? '—')}</td>
                    <td>
                      {RESUMABLE.has(run.status) && RESUME_ON_PAGE[run.operation] && (
                        <span className="muted">Restarts services: continue it from the {RESUME_ON_PAGE[run.operation]} page, which asks first</span>
                      )}
                      {RESUMABLE.has(run.status) && !RESUME_ON_PAGE[run.operation] && (
                        <button type="button" className="button button--small" onClick={() => void resume(run.id)} disabled={!!resuming}>
                          {resuming === run.id ? 'Resuming…' : `Resume ${run.operation}`}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {resumeError && <ErrorMessage error={resumeError.error} prefix={`Run ${resumeError.id} could not finish.`} />}
    </section>
  );
}
