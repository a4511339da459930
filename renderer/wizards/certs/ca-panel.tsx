/**
 * Internal CAs on this laptop: create one (passphrase typed twice, both
 * fields cleared once used), and give the Nomad clients its ca.crt through
 * the same backed-up, reversible CA-file path as trusting GHE. The dialog
 * names the CA's fingerprint and the clients; exactly those are sent.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { certChannels, type CaSummary } from '../../../shared/channels/certs';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { CaUndo } from './ca-undo';
import { splitFieldErrors } from './field-errors';

/** The engine's minimum, read from the contract so the form and the engine cannot disagree. */
const MIN_PASSPHRASE = certChannels['certs:ca-create'].request.shape.passphrase.minLength ?? 1;

type Trusted = ResponseOf<'certs:trust-ca'>;

export function CaPanel({ onList }: { onList(cas: CaSummary[]): void }) {
  const [cas, setCas] = useState<CaSummary[]>([]);
  const [clients, setClients] = useState<string[] | null>(null);
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [checked, setChecked] = useState(false);
  const [trusting, setTrusting] = useState<CaSummary | null>(null);
  const caRun = useRun<CaSummary>('certs-ca', 'certs-ca');
  const trustRun = useRun<Trusted>('certs-trust-ca', 'trust-ca');
  const reasonId = useId();

  useEffect(() => {
    void call('certs:ca-list', {}).then((list) => {
      setCas(list);
      onList(list);
    }, () => undefined);
  }, [caRun.result, onList]);
  useEffect(() => {
    void call('hosts:list', {}).then((hosts) => setClients(hosts.filter((h) => h.role === 'nomad').map((h) => h.name)), () => setClients([]));
  }, []);

  const local = {
    ...(!name ? { name: 'Give the CA a name, e.g. circleci-internal.' } : {}),
    ...(passphrase.length < MIN_PASSPHRASE ? { passphrase: `At least ${MIN_PASSPHRASE} characters.` } : {}),
    ...(again !== passphrase ? { again: 'The two passphrases differ.' } : {}),
  };
  const shown = checked ? local : {};
  const { fields, rest } = splitFieldErrors(caRun.error, { name: 'letters, digits, "_" and "-"', passphrase: `at least ${MIN_PASSPHRASE} characters` });

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(local).length) return;
    const used = passphrase;
    // Cleared before the call returns, whatever it answers: the passphrase is not kept on screen.
    setPassphrase('');
    setAgain('');
    setChecked(false);
    await caRun.start(() => call('certs:ca-create', { name, passphrase: used }));
  };

  const trustBlocker = clients === null ? 'Reading the inventory…' : clients.length === 0 ? 'No Nomad clients in the inventory: add them (role Nomad client) on the Hosts page.' : null;

  return (
    <section className="panel cert-gap" aria-labelledby="ca-heading">
      <h3 id="ca-heading">Internal CAs</h3>
      {cas.length > 0 ? (
        <table className="table table--compact cert-ca-table">
          <caption className="visually-hidden">Internal CAs on this laptop</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Expires</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Nomad clients</th>
            </tr>
          </thead>
          <tbody>
            {cas.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>{c.notAfter.slice(0, 10)}</td>
                <td>
                  <code className="cert-fingerprint">{c.sha256}</code>
                </td>
                <td>
                  <button
                    type="button"
                    className="button button--small"
                    disabled={!!trustBlocker || trustRun.busy}
                    aria-describedby={trustBlocker ? reasonId : undefined}
                    onClick={() => setTrusting(c)}
                  >
                    Trust on Nomad clients…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No internal CA yet.</p>
      )}
      {cas.length > 0 && trustBlocker && (
        <p id={reasonId} className="disabled-reason">
          {trustBlocker}
        </p>
      )}
      {trustRun.steps.length > 0 && <StepList steps={trustRun.steps} label="Steps trusting the CA" />}
      {trustRun.error && <ErrorMessage error={trustRun.error} prefix="Not trusted everywhere." />}
      {trustRun.result && (
        <div role="status" className="message message--ok">
          <p>
            <code>{trustRun.result.file}</code> is trusted on {trustRun.result.clients.map((c) => `${c.host}${c.changed === false ? ' (already)' : ''}`).join(', ')}{' '}
            (run {trustRun.result.runId}).
          </p>
        </div>
      )}
      {cas.length > 0 && clients && clients.length > 0 && <CaUndo clients={clients} />}

      <details className="cert-gap">
        <summary>Create an internal CA</summary>
        <form onSubmit={create} aria-label="Create an internal CA" noValidate>
          <Field label="CA name" error={shown.name ?? fields.name}>
            {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
          </Field>
          <Field label="Passphrase for the new CA" hint={`Its key is kept encrypted with it on this laptop; at least ${MIN_PASSPHRASE} characters. Drydock cannot recover it.`} error={shown.passphrase ?? fields.passphrase}>
            {(control) => <input {...control} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" />}
          </Field>
          <Field label="Passphrase again" error={shown.again}>
            {(control) => <input {...control} type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" />}
          </Field>
          <div className="actions actions--start">
            <button type="submit" className="button" disabled={caRun.busy}>
              {caRun.busy ? 'Creating…' : 'Create CA'}
            </button>
          </div>
        </form>
        {rest && <ErrorMessage error={rest} prefix="No CA created." />}
        {caRun.result && (
          <p role="status">
            Created CA {caRun.result.name}. Give browsers <code>{caRun.result.certPath}</code>; give the Nomad clients it with &ldquo;Trust on Nomad
            clients&rdquo; above.
          </p>
        )}
      </details>

      {trusting && clients && (
        <ConfirmDialog
          title={`Trust CA ${trusting.name} on the Nomad clients?`}
          confirmLabel="Install on these clients"
          onClose={() => setTrusting(null)}
          onConfirm={async () => {
            const ca = trusting;
            setTrusting(null);
            await trustRun.start(() => call('certs:trust-ca', { ca: ca.name, sha256: ca.sha256, hosts: clients }), (r) => r.runId);
          }}
        >
          <p>
            Its certificate (never its key) goes to <code>/usr/local/share/ca-certificates/drydock-ca-{trusting.name.toLowerCase()}.crt</code>, then{' '}
            <code>update-ca-certificates</code> runs. Any file it replaces is backed up on the host.
          </p>
          <p>
            SHA-256 <code className="cert-fingerprint">{trusting.sha256}</code>
          </p>
          <p>Nomad clients: {clients.join(', ')}.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
