/**
 * Runbooks beside the audit log: what each operation did, how long it took,
 * where and why it stopped, and a Resume button for a run that stopped
 * before its end. Kept current by the engine's run events. Facts reads are
 * runs too, but only read: they are hidden unless asked for.
 */
import { useEffect, useState } from 'react';
import { READ_ONLY_OPERATIONS, runDurationMs, type RunSummary } from '../../../shared/runs';
import { ErrorMessage } from '../../components/error-message';
import { formatDuration, formatTime } from '../../format';
import { useRuns } from '../../store/runs-store';
import { RESUME_ON_PAGE } from '../../../shared/resume-policy';

const RESUMABLE = new Set(['failed', 'interrupted']);
const STATUS_TEXT: Record<RunSummary['status'], string> = { running: 'running', done: 'done', failed: 'failed', interrupted: 'interrupted' };


export function RunsPanel() {
  const { runs, loadError, resuming, resumeError, load, resume } = useRuns();
  const [showReads, setShowReads] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  const reads = runs.filter((r) => READ_ONLY_OPERATIONS.includes(r.operation)).length;
  const shown = showReads ? runs : runs.filter((r) => !READ_ONLY_OPERATIONS.includes(r.operation));

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
                return (
                  <tr key={run.id}>
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
