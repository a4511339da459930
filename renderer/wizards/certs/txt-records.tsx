/**
 * The screen certbot waits on: every TXT record to publish, with copy
 * buttons, an optional check that the Services machine already resolves
 * them, and Continue (which presses Enter for certbot) or Cancel.
 */
import { useState } from 'react';
import type { ResponseOf } from '../../../shared/contract';
import type { TxtRecord } from '../../../shared/certs/certbot-output';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { CopyButton } from './copy-button';
import { useRun } from '../../components/use-run';

type Check = ResponseOf<'certs:certbot-check-dns'>;

export function TxtRecords({ runId, records, busy, onContinue, onCancel }: { runId: string; records: TxtRecord[]; busy: boolean; onContinue(): void; onCancel(): void }) {
  const [resolver, setResolver] = useState('');
  const check = useRun<Check>(`certs-dns:${runId}`, 'certs-dns');
  const found = (r: TxtRecord) => check.result?.records.find((x) => x.name === r.name && x.value === r.value);

  return (
    <div className="panel" aria-labelledby="txt-heading" role="region">
      <h3 id="txt-heading">Publish {records.length === 1 ? 'this DNS TXT record' : `these ${records.length} DNS TXT records`}</h3>
      <p>At your DNS provider, create a TXT record for each row. certbot is waiting on the Services machine.</p>
      <table className="table cert-records">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            {check.result && <th scope="col">Seen from the Services machine</th>}
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={`${r.name}-${r.value}`}>
              <td>
                <code id={`txt-name-${i}`} data-testid="txt-name">
                  {r.name}
                </code>{' '}
                <CopyButton value={r.name} label={`Copy name ${r.name}`} targetId={`txt-name-${i}`} />
              </td>
              <td>
                <code id={`txt-value-${i}`} data-testid="txt-value">
                  {r.value}
                </code>{' '}
                <CopyButton value={r.value} label={`Copy value for ${r.name}`} targetId={`txt-value-${i}`} />
              </td>
              {check.result && <td>{!check.result.checked ? 'not checked' : found(r)?.found ? 'yes' : 'not yet'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <Field label="DNS server to ask" optional hint="IP or IP#PORT; empty uses the Services machine's own resolver.">
        {(control) => <input {...control} className="cert-resolver" value={resolver} onChange={(e) => setResolver(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
      </Field>
      <div className="actions actions--start">
        <button type="button" className="button" disabled={check.busy} onClick={() => void check.start(() => call('certs:certbot-check-dns', { runId, ...(resolver ? { resolver } : {}) }))}>
          {check.busy ? 'Checking…' : 'Check DNS from the Services machine'}
        </button>
        <button type="button" className="button button--primary" disabled={busy} onClick={onContinue}>
          {busy ? 'certbot is validating…' : 'Records are published: continue'}
        </button>
        <button type="button" className="button button--quiet" disabled={busy} onClick={onCancel}>
          Cancel certbot
        </button>
      </div>
      {check.result && !check.result.checked && <p className="muted">{check.result.note}</p>}
      {check.error && <ErrorMessage error={check.error} prefix="Could not check DNS." />}
    </div>
  );
}
