/**
 * Install a certificate the admin already has (from their own CA, or one
 * Drydock made earlier), or delete one Drydock holds. Pasted PEM is checked
 * by the engine first: the key must match the certificate and the chain must
 * be complete, leaf first; the same pair pasted twice is kept once.
 */
import { useState, type FormEvent } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useRun } from '../../components/use-run';
import { CertificateDetails } from './certificate-details';
import { splitFieldErrors } from './field-errors';
import { InstallPanel } from './install-panel';

const SOURCES: Record<Bundle['source'], string> = {
  'self-signed': 'self-signed',
  'internal-ca': 'internal CA',
  certbot: 'certbot',
  imported: 'imported',
  replaced: 'was installed before',
};

export function ExistingPath({ bundles, onChanged }: { bundles: Bundle[]; onChanged(): void }) {
  const [selected, setSelected] = useState('');
  const [certPem, setCertPem] = useState('');
  const [keyPem, setKeyPem] = useState('');
  const [checked, setChecked] = useState(false);
  const [deleting, setDeleting] = useState<Bundle | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const importRun = useRun<Bundle>('certs-import', 'certs-import');
  const chosen = importRun.result ?? bundles.find((b) => b.id === selected) ?? null;
  const local = { ...(!certPem.trim() ? { certPem: 'Paste the certificate, full chain, leaf first.' } : {}), ...(!keyPem.trim() ? { keyPem: 'Paste its private key.' } : {}) };
  const { fields, rest } = splitFieldErrors(importRun.error, { certPem: 'PEM certificates', keyPem: 'an unencrypted PEM private key' });
  const shown = checked ? local : {};

  const importPem = async (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(local).length) return;
    setDeleted(null);
    const made = await importRun.start(() => call('certs:import', { certPem, keyPem }));
    if (made) {
      setKeyPem('');
      setChecked(false);
      setSelected(made.id);
      onChanged();
    }
  };

  return (
    <section className="section" aria-labelledby="existing-heading">
      <h2 id="existing-heading">Install an existing certificate</h2>
      {bundles.length > 0 && (
        <Field label="A certificate Drydock holds" hint="Each certificate and key is listed once, however often it was made, pasted or replaced.">
          {(control) => (
            <select
              {...control}
              value={chosen?.id ?? ''}
              onChange={(e) => {
                importRun.reset();
                setDeleted(null);
                setSelected(e.target.value);
              }}
            >
              <option value="">Choose…</option>
              {bundles.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.hostname} ({SOURCES[b.source]}, expires {b.chain[0].notAfter.slice(0, 10)}, {b.chain[0].sha256.slice(0, 11)}…)
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {deleted && (
        <p role="status" className="message message--ok">
          Deleted {deleted} from this laptop.
        </p>
      )}
      <details className="cert-gap" open={bundles.length === 0}>
        <summary>Paste a certificate and key</summary>
        <form onSubmit={importPem} aria-label="Paste a certificate and key" noValidate>
          <Field label="Certificate (PEM, full chain, leaf first)" error={shown.certPem ?? fields.certPem}>
            {(control) => <textarea {...control} className="cert-pem" value={certPem} onChange={(e) => setCertPem(e.target.value)} spellCheck={false} />}
          </Field>
          <Field label="Private key (PEM, unencrypted)" hint="Kept in Drydock's data folder on this laptop, readable only by you." error={shown.keyPem ?? fields.keyPem}>
            {(control) => <textarea {...control} className="cert-pem" value={keyPem} onChange={(e) => setKeyPem(e.target.value)} spellCheck={false} autoComplete="off" />}
          </Field>
          <div className="actions actions--start">
            <button type="submit" className="button" disabled={importRun.busy}>
              {importRun.busy ? 'Checking…' : 'Check and keep'}
            </button>
          </div>
        </form>
        {rest && <ErrorMessage error={rest} prefix="Refused." />}
      </details>
      {chosen && (
        <div className="panel">
          {chosen.chain.map((c, i) => (
            <CertificateDetails key={c.sha256} cert={c} title={i === 0 ? 'Certificate' : `Issuer ${i}`} />
          ))}
          <div className="actions actions--start">
            <button type="button" className="button button--small" onClick={() => setDeleting(chosen)}>
              Delete from Drydock…
            </button>
          </div>
          <InstallPanel bundle={chosen} scope="existing" />
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this certificate from Drydock?"
          confirmLabel="Delete certificate and key"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await call('certs:bundle-delete', { id: deleting.id });
            importRun.reset();
            setSelected('');
            setDeleted(deleting.id);
            onChanged();
          }}
        >
          <p>
            {deleting.hostname}, {SOURCES[deleting.source]}, expires {deleting.chain[0].notAfter.slice(0, 10)}. Its folder on this laptop, private key
            included, is removed: <code>{deleting.dir}</code>
          </p>
          <p>Nothing on the Services machine changes: a certificate installed there stays installed.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
