/**
 * Install a certificate the admin already has (from their own CA, or one
 * Drydock made earlier). Pasted PEM is checked by the engine first: the key
 * must match the certificate and the chain must be complete, leaf first.
 */
import { useState, type FormEvent } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { CertificateDetails } from './certificate-details';
import { InstallPanel } from './install-panel';
import { useRun } from '../../components/use-run';

export function ExistingPath({ bundles, onImported }: { bundles: Bundle[]; onImported(): void }) {
  const [selected, setSelected] = useState('');
  const [certPem, setCertPem] = useState('');
  const [keyPem, setKeyPem] = useState('');
  const importRun = useRun<Bundle>('certs-import', 'certs-import');
  const chosen = importRun.result ?? bundles.find((b) => b.id === selected) ?? null;

  const importPem = async (event: FormEvent) => {
    event.preventDefault();
    const made = await importRun.start(() => call('certs:import', { certPem, keyPem }));
    if (made) {
      setKeyPem('');
      onImported();
    }
  };

  return (
    <section className="section" aria-labelledby="existing-heading">
      <h2 id="existing-heading">Install an existing certificate</h2>
      {bundles.length > 0 && (
        <Field label="A certificate Drydock holds">
          {(control) => (
            <select
              {...control}
              value={selected}
              onChange={(e) => {
                importRun.reset();
                setSelected(e.target.value);
              }}
            >
              <option value="">Choose…</option>
              {bundles.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.hostname} ({b.source}, expires {b.chain[0].notAfter.slice(0, 10)})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <details className="cert-gap" open={bundles.length === 0}>
        <summary>Paste a certificate and key</summary>
        <form onSubmit={importPem} aria-label="Paste a certificate and key" noValidate>
          <Field label="Certificate (PEM, full chain, leaf first)">
            {(control) => <textarea {...control} className="cert-pem" value={certPem} onChange={(e) => setCertPem(e.target.value)} spellCheck={false} />}
          </Field>
          <Field label="Private key (PEM, unencrypted)" hint="Kept in Drydock's data folder on this laptop, readable only by you.">
            {(control) => <textarea {...control} className="cert-pem" value={keyPem} onChange={(e) => setKeyPem(e.target.value)} spellCheck={false} autoComplete="off" />}
          </Field>
          <div className="actions actions--start">
            <button type="submit" className="button" disabled={importRun.busy || !certPem || !keyPem}>
              Check and keep
            </button>
          </div>
        </form>
        {importRun.error && <ErrorMessage error={importRun.error} prefix="Refused." />}
      </details>
      {chosen && (
        <div className="panel">
          {chosen.chain.map((c, i) => (
            <CertificateDetails key={c.sha256} cert={c} title={i === 0 ? 'Certificate' : `Issuer ${i}`} />
          ))}
          <InstallPanel bundle={chosen} />
        </div>
      )}
    </section>
  );
}
