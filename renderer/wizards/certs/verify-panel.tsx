/** TLS handshakes to the app (443) and the admin console (8800): the certificate presented, the name, the days left. */
import { useState } from 'react';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useRun } from '../../components/use-run';

type Report = ResponseOf<'certs:verify'>;

const yesNo = (v: boolean | null, yes: string, no: string) => (v === null ? '—' : v ? yes : no);

/** `scope`: the wizard option showing it, so one option's check is not shown under another. */
export function VerifyPanel({ scope }: { scope: string }) {
  const [from, setFrom] = useState<'laptop' | 'services'>('laptop');
  const [address, setAddress] = useState('');
  const run = useRun<Report>(`certs-verify:${scope}`, 'certs-verify');
  const report = run.result;
  const headingId = `verify-heading-${scope}`;

  return (
    <section className="section" aria-labelledby={headingId}>
      <h3 id={headingId}>Verify</h3>
      <Field label="Check from">
        {(control) => (
          <select {...control} value={from} onChange={(e) => setFrom(e.target.value as 'laptop' | 'services')}>
            <option value="laptop">This laptop</option>
            <option value="services">The Services machine</option>
          </select>
        )}
      </Field>
      <Field label="Connect to" optional hint="An IP or the ELB's name, when the hostname does not resolve from there.">
        {(control) => <input {...control} value={address} onChange={(e) => setAddress(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
      </Field>
      <div className="actions actions--start">
        <button type="button" className="button" disabled={run.busy} onClick={() => void run.start(() => call('certs:verify', { from, ...(address ? { address } : {}) }))}>
          {run.busy ? 'Checking…' : 'Verify TLS'}
        </button>
      </div>
      {run.error && <ErrorMessage error={run.error} prefix="Could not verify." />}
      {report && (
        <table className="table table--compact">
          <caption>
            {report.hostname}, from {report.from === 'laptop' ? 'this laptop' : 'the Services machine'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">TLS</th>
              <th scope="col">Hostname</th>
              <th scope="col">Installed certificate</th>
              <th scope="col" className="num">
                Days left
              </th>
            </tr>
          </thead>
          <tbody>
            {report.endpoints.map((e) => (
              <tr key={e.port}>
                <th scope="row">{e.port}</th>
                <td>{e.reachable ? 'ok' : `failed: ${e.error ?? ''}`}</td>
                <td>{yesNo(e.hostnameMatches, 'matches', 'does not match')}</td>
                <td>{e.matchesInstalled === null ? 'unknown' : e.matchesInstalled ? 'presented' : 'a different one is presented'}</td>
                <td className="num">{e.daysLeft ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
