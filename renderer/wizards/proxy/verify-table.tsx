/** Whether each host reached the check URL through the proxy its files name. */
import type { VerifyResult } from '../../../shared/channels/proxy';

export function VerifyTable({ url, results }: { url: string; results: VerifyResult[] }) {
  const passed = results.filter((r) => r.ok).length;
  return (
    <div className="table-scroll">
      <table className="table table--compact" data-testid="verify-results">
        <caption>
          Fetching <code>{url}</code> through the proxy: {passed} of {results.length} host(s) passed
        </caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Result</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={r.host} className={r.ok ? undefined : 'row--broken'}>
              <th scope="row">{r.host}</th>
              <td>
                <span className={`badge ${r.ok ? 'badge--ok' : 'badge--danger'}`}>{r.ok ? 'passed' : 'failed'}</span>
              </td>
              <td>{r.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
