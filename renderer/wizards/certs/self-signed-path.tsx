/**
 * Self-signed or internal-CA certificate, made on the laptop. The CN is the
 * CircleCI hostname; the engine refuses another one when the Services
 * machine answers. The private key stays in Drydock's data folder.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { KEY_TYPES, type CaSummary, type KeyType } from '../../../shared/channels/certs';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { CertificateDetails } from './certificate-details';
import { InstallPanel } from './install-panel';
import { useRun } from '../../components/use-run';

const KEY_LABELS: Record<KeyType, string> = { rsa2048: 'RSA 2048', rsa3072: 'RSA 3072', rsa4096: 'RSA 4096', p256: 'ECDSA P-256' };

export const splitList = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

export function SelfSignedPath({ onMade }: { onMade(): void }) {
  const [hostname, setHostname] = useState('');
  const [sans, setSans] = useState('');
  const [days, setDays] = useState('365');
  const [key, setKey] = useState<KeyType>('rsa2048');
  const [ca, setCa] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [cas, setCas] = useState<CaSummary[]>([]);
  const [newCa, setNewCa] = useState('');
  const run = useRun<ResponseOf<'certs:generate'>>('certs-generate', 'certs-generate');
  const caRun = useRun<CaSummary>('certs-ca', 'certs-ca');

  useEffect(() => {
    void call('certs:ca-list', {}).then(setCas, () => undefined);
  }, [caRun.result]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const made = await run.start(() =>
      call('certs:generate', { hostname, sans: splitList(sans), days: Number(days), key, ...(ca ? { ca, caPassphrase: passphrase } : {}) }),
    );
    if (made) onMade();
  };

  return (
    <section className="section" aria-labelledby="self-signed-heading">
      <h2 id="self-signed-heading">Self-signed or internal CA</h2>
      <form onSubmit={submit} aria-labelledby="self-signed-heading" noValidate>
        <Field label="Hostname (Common Name)" hint="The hostname configured in CircleCI, e.g. ci.example.com.">
          {(control) => <input {...control} value={hostname} onChange={(e) => setHostname(e.target.value.trim())} spellCheck={false} autoComplete="off" required />}
        </Field>
        <Field label="Other names" optional hint="DNS names and IP addresses, separated by commas or spaces.">
          {(control) => <input {...control} value={sans} onChange={(e) => setSans(e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Valid for (days)">
          {(control) => <input {...control} className="input--short" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value.replace(/\D/g, ''))} />}
        </Field>
        <Field label="Key">
          {(control) => (
            <select {...control} value={key} onChange={(e) => setKey(e.target.value as KeyType)}>
              {KEY_TYPES.map((k) => (
                <option key={k} value={k}>
                  {KEY_LABELS[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Signed by" hint="An internal CA lets browsers and Nomad clients trust one root across renewals.">
          {(control) => (
            <select {...control} value={ca} onChange={(e) => setCa(e.target.value)}>
              <option value="">Itself (self-signed)</option>
              {cas.map((c) => (
                <option key={c.name} value={c.name}>
                  Internal CA {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {ca && (
          <Field label="CA passphrase">
            {(control) => <input {...control} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />}
          </Field>
        )}
        <div className="actions actions--start">
          <button type="submit" className="button button--primary" disabled={run.busy}>
            {run.busy ? 'Making…' : 'Make certificate'}
          </button>
        </div>
      </form>

      <details className="cert-gap">
        <summary>Create an internal CA</summary>
        <Field label="CA name" hint="Its key is kept encrypted on this laptop with the passphrase above (at least 12 characters).">
          {(control) => <input {...control} value={newCa} onChange={(e) => setNewCa(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Passphrase for the new CA">
          {(control) => <input {...control} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" />}
        </Field>
        <div className="actions actions--start">
          <button type="button" className="button" disabled={caRun.busy} onClick={() => void caRun.start(() => call('certs:ca-create', { name: newCa, passphrase }))}>
            Create CA
          </button>
        </div>
        {caRun.error && <ErrorMessage error={caRun.error} prefix="No CA created." />}
        {caRun.result && (
          <p role="status">
            Created CA {caRun.result.name}. Give browsers and Nomad clients <code>{caRun.result.certPath}</code>.
          </p>
        )}
      </details>

      {run.error && <ErrorMessage error={run.error} prefix="No certificate made." />}
      {run.result && (
        <div className="panel" data-testid="generated">
          <p role="status">
            Made <code>{run.result.files.cert}</code> (full chain, leaf first) and <code>{run.result.files.key}</code> (private key, readable only by
            you).
          </p>
          {run.result.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
          <CertificateDetails cert={run.result.bundle.chain[0]} title="Certificate" />
          <InstallPanel bundle={run.result.bundle} />
        </div>
      )}
    </section>
  );
}
