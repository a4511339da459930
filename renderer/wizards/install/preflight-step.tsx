/**
 * Preflight: every host checked at once; one table per host, red/amber/green,
 * with what was measured and the fix. "Re-run failed" repeats only the
 * failed checks and keeps the rest; the result exports as Markdown or HTML.
 * The last preflight is read back on entry, so a reload loses nothing.
 */
import { useEffect, useState } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { CheckStatus, PreflightReport } from '../../../shared/install/preflight';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { formatTime } from '../../format';
import type { HostsChoice } from './hosts-step';
import { download } from '../../components/download';

const BADGE: Record<CheckStatus, { cls: string; text: string }> = {
  pass: { cls: 'badge--ok', text: 'Pass' },
  warn: { cls: 'badge--warn', text: 'Warning' },
  fail: { cls: 'badge--danger', text: 'Failed' },
};

export function StatusBadge({ status }: { status: CheckStatus }) {
  return <span className={`badge ${BADGE[status].cls}`}>{BADGE[status].text}</span>;
}

export function PreflightStep({ choice, report, onReport, onNext }: { choice: HostsChoice; report: PreflightReport | null; onReport(r: PreflightReport): void; onNext(): void }) {
  const [busy, setBusy] = useState<null | 'all' | 'failed'>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    if (report) return;
    call('install:preflight-last', {})
      .then((last) => last && onReport(last))
      .catch(() => undefined);
    // Only on entry: a later report comes from a run.
  }, []);

  const run = async (onlyFailed: boolean) => {
    setBusy(onlyFailed ? 'failed' : 'all');
    setError(null);
    try {
      onReport(
        await call('install:preflight', {
          ...(onlyFailed ? { onlyFailed: true } : {}),
          ...(choice.hosts.length ? { hosts: choice.hosts } : {}),
          ...(choice.circleHostname ? { circleHostname: choice.circleHostname } : {}),
          ...(choice.gheHostname ? { gheHostname: choice.gheHostname } : {}),
          ...(choice.bundleDir ? { bundleDir: choice.bundleDir } : {}),
        }),
      );
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(null);
    }
  };

  const exportAs = async (format: 'markdown' | 'html') => {
    setError(null);
    try {
      const r = await call('install:preflight-export', { format });
      download(r.filename, r.content, format === 'html' ? 'text/html' : 'text/markdown');
    } catch (err) {
      setError(toErrorPayload(err));
    }
  };

  const failed = report?.hosts.some((h) => h.checks.some((c) => c.status === 'fail')) ?? false;
  return (
    <section className="section" aria-labelledby="install-preflight-heading" aria-busy={!!busy}>
      <h2 id="install-preflight-heading">Preflight</h2>
      <p className="muted">Read-only: nothing is installed or written on the hosts. Ports are probed from the hosts themselves.</p>
      <div className="toolbar">
        <button type="button" className="button button--primary" disabled={!!busy} onClick={() => run(false)}>
          {busy === 'all' ? 'Checking every host…' : report ? 'Run all checks again' : 'Run preflight'}
        </button>
        {report && (
          <>
            <button type="button" className="button" disabled={!!busy || !failed} onClick={() => run(true)}>
              {busy === 'failed' ? 'Re-running failed checks…' : 'Re-run failed'}
            </button>
            <button type="button" className="button button--quiet" disabled={!!busy} onClick={() => exportAs('markdown')}>
              Export Markdown
            </button>
            <button type="button" className="button button--quiet" disabled={!!busy} onClick={() => exportAs('html')}>
              Export HTML
            </button>
          </>
        )}
      </div>
      {error && <ErrorMessage error={error} prefix="Preflight could not run." />}
      {report && (
        <>
          <div role="status" className={`message ${report.status === 'fail' ? 'message--error' : report.status === 'warn' ? 'message--info' : 'message--ok'}`}>
            <p>
              <strong>{report.status === 'fail' ? 'Not ready to install' : report.status === 'warn' ? 'Ready, with warnings' : 'Ready to install'}:</strong> {report.summary} (checked{' '}
              {formatTime(report.checkedAt)}).
            </p>
          </div>
          {report.hosts.map((h) => (
            <div key={h.host} className="table-scroll install-host">
              <table className="table table--compact" aria-label={`Preflight of ${h.host}`}>
                <caption>
                  {h.host} <span className="muted">({h.role}, {h.address})</span> <StatusBadge status={h.status} />
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Status</th>
                    <th scope="col">Check</th>
                    <th scope="col">Measured</th>
                    <th scope="col">Fix</th>
                  </tr>
                </thead>
                <tbody>
                  {h.checks.map((c) => (
                    <tr key={c.id} className={`install-check install-check--${c.status}`} data-check={c.id}>
                      <td>
                        <StatusBadge status={c.status} />
                      </td>
                      <th scope="row">{c.title}</th>
                      <td>{c.value}</td>
                      <td>{c.fix}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
          <div className="actions">
            <button type="button" className="button button--primary" onClick={onNext}>
              {failed ? 'Continue anyway: capacity' : 'Next: capacity'}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
