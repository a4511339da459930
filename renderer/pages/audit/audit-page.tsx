/**
 * Audit: the last commands Drydock ran on hosts, newest first, filtered by
 * host, kind, run or time and kept current as new entries are written, and
 * a check that the hash chain linking every entry to the one before is
 * unbroken.
 */
import { useEffect } from 'react';
import { ErrorMessage } from '../../components/error-message';
import { PageHeading } from '../../components/page-heading';
import { formatDuration, formatTime } from '../../format';
import { AUDIT_TAIL, useAudit } from '../../store/audit-store';
import { useHosts } from '../../store/hosts-store';
import { AuditFilters, KIND_LABELS, KIND_SHORT } from './audit-filters';
import { ReportExport } from './report-export';
import { RunsPanel } from './runs-panel';

export function AuditPage() {
  const { entries, filter, loading, loadError, verifying, verdict, verifyError, load, verify, setFilter } = useAudit();
  const loadHosts = useHosts((s) => s.load);

  useEffect(() => {
    void load();
    void loadHosts();
  }, [load, loadHosts]);
  const filtered = Object.keys(filter).length > 0;

  const newestFirst = [...entries].sort((a, b) => b.seq - a.seq);

  return (
    <>
      <PageHeading title="Audit">
        Every command and file change Drydock made on a host, with its exit code. Each entry carries the hash of the one before, so an edited or
        deleted entry breaks the chain.
      </PageHeading>

      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => void verify()} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading…' : 'Reload'}
        </button>
      </div>

      <div role="status" className="notice-slot">
        {verdict?.ok && (
          <p className="message message--ok">
            Chain intact:{' '}
            {verdict.entries === 0 ? 'the log is empty.' : verdict.entries === 1 ? 'its one entry checks out.' : `all ${verdict.entries} entries check out.`}
            {verdict.head && (
              <>
                {' '}
                Head: entry {verdict.head.count}, sha256 <code>{verdict.head.hash}</code> (keep a copy elsewhere: it anchors the log as it is now).
              </>
            )}
          </p>
        )}
      </div>
      {verdict && !verdict.ok && (
        <div role="alert" className="message message--error">
          <p>
            <strong>Chain broken at entry {verdict.brokenAt ?? '?'}</strong>
            {verdict.reason ? `: ${verdict.reason.replace(/\.$/, '')}.` : '.'} Entries from there on may have been edited, removed or reordered. Keep a copy of the log
            before anything else writes to it.
          </p>
        </div>
      )}
      {verifyError && <ErrorMessage error={verifyError} prefix="Could not verify the chain." />}
      {loadError && <ErrorMessage error={loadError} prefix="Could not read the audit log." />}

      <RunsPanel />
      <ReportExport />

      <section aria-labelledby="audit-entries-heading" className="section">
        <h2 id="audit-entries-heading">
          Latest entries <span className="muted">(up to {AUDIT_TAIL}, newest first; new ones appear as they are written)</span>
        </h2>
        <AuditFilters />
        {!loading && !loadError && entries.length === 0 && (
          <p className="empty">
            {filtered ? 'No entry matches these filters.' : 'Nothing recorded yet. Drydock writes an entry here for every command it runs on a host.'}
          </p>
        )}
        {entries.length > 0 && (
          <div className="table-scroll">
            <table className="table table--compact">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Host</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Command</th>
                  <th scope="col">Run</th>
                  <th scope="col" className="num">
                    Exit
                  </th>
                  <th scope="col" className="num">
                    Took
                  </th>
                </tr>
              </thead>
              <tbody>
                {newestFirst.map((e) => (
                  <tr key={e.seq} className={verdict?.brokenAt === e.seq ? 'row--broken' : undefined}>
                    <td className="num">{e.seq}</td>
                    <td className="nowrap">{formatTime(e.time)}</td>
                    <td className="nowrap">{e.host}</td>
                    <td className="nowrap" title={KIND_LABELS[e.kind]}>
                      {KIND_SHORT[e.kind]}
                    </td>
                    <td>
                      <code className="command-cell">{e.command}</code>
                    </td>
                    <td className="nowrap">
                      {e.run ? (
                        <button type="button" className="button button--small button--quiet" title={e.run} aria-label={`Only entries of run ${e.run}`} onClick={() => void setFilter({ ...filter, run: e.run })}>
                          {shortRun(e.run)}
                        </button>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className={`num${e.exitCode ? ' text-danger' : ''}`}>{e.exitCode ?? '—'}</td>
                    <td className="num nowrap">{formatDuration(e.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** 2026-11-29-proxy-apply-1a2b3c4d → proxy-apply 1a2b: enough to tell runs apart in a column. */
function shortRun(id: string): string {
  const m = /^\d{4}-\d{2}-\d{2}-(.+)-([0-9a-f]{8})$/.exec(id);
  return m ? `${m[1]} ${m[2].slice(0, 4)}` : id;
}
