/**
 * Export the change-control report of one run, or of everything since a
 * time, as Markdown or HTML: the same report `drydock audit report` writes.
 * Saved through the browser's download (Electron asks where).
 */
import { useState } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { useRuns } from '../../store/runs-store';
import './report-export.css';
import { download } from '../../components/download';

const dayAgo = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 16);

export function ReportExport() {
  const runs = useRuns((s) => s.runs);
  const [scope, setScope] = useState('since');
  const [since, setSince] = useState(dayAgo);
  const [format, setFormat] = useState<'markdown' | 'html'>('html');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload>();
  const [done, setDone] = useState<string>();

  const exportReport = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const r = await call('report:change-control', scope === 'since' ? { since: new Date(since).toISOString(), format } : { runId: scope, format });
      download(r.filename, r.content, format === 'html' ? 'text/html' : 'text/markdown');
      setDone(`${r.filename} exported${r.chainOk ? '.' : ': the audit chain is broken, and the report says where.'}`);
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="report-export-heading" className="section report-export">
      <h2 id="report-export-heading">Change-control report</h2>
      <div className="toolbar">
        <label>
          Of{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="since">everything since…</option>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                run {r.id} ({r.status})
              </option>
            ))}
          </select>
        </label>
        {scope === 'since' && <input type="datetime-local" aria-label="Since" value={since} onChange={(e) => setSince(e.target.value)} />}
        <label>
          as{' '}
          <select value={format} onChange={(e) => setFormat(e.target.value as 'markdown' | 'html')}>
            <option value="html">HTML</option>
            <option value="markdown">Markdown</option>
          </select>
        </label>
        <button type="button" className="button" onClick={() => void exportReport()} disabled={busy || (scope === 'since' && !since)}>
          {busy ? 'Exporting…' : 'Export report'}
        </button>
      </div>
      <div role="status" className="notice-slot">
        {done && <p className="message message--ok">{done}</p>}
      </div>
      {error && <ErrorMessage error={error} prefix="Could not export the report." />}
    </section>
  );
}
