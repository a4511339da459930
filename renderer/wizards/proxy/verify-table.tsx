/**
 * Whether each host reached the check URL the way its programs would. With
 * restarts still owed, passing files are not a finished job: the caption
 * says the services still run the old settings, not a plain "passed".
 */
import type { VerifyResult } from '../../../shared/channels/proxy';

export function VerifyTable({ url, results, pendingRestarts = [] }: { url: string; results: VerifyResult[]; pendingRestarts?: string[] }) {
  const passed = results.filter((r) => r.ok).length;
  const owed = pendingRestarts.length > 0;
  return (
    <div className="table-scroll">
      <table className="table table--compact" data-testid="verify-results">
        <caption>
          Fetching <code>{url}</code> from every host as its programs would:{' '}
          {owed && passed === results.length
            ? `files verified on ${passed} of ${results.length} host(s); services still run the old settings (${pendingRestarts.join(', ')})`
            : `${passed} of ${results.length} host(s) passed`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Result</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => {
            const stale = pendingRestarts.filter((p) => p.endsWith(` on ${r.host}`));
            return (
              <tr key={r.host} className={r.ok ? undefined : 'row--broken'}>
                <th scope="row">{r.host}</th>
                <td>
                  <span className={`badge ${!r.ok ? 'badge--danger' : stale.length ? 'badge--warn' : 'badge--ok'}`}>{!r.ok ? 'failed' : stale.length ? 'files verified' : 'passed'}</span>
                </td>
                <td>
                  {r.message}
                  {r.ok && stale.length > 0 && ` — ${stale.map((p) => p.replace(/ on .*$/, '')).join(' and ')} still ${stale.length > 1 ? 'run' : 'runs'} the old settings`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
