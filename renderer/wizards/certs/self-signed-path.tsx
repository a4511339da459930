/**
 * Self-signed or internal-CA certificate, made on the laptop. The CN starts
 * as the installation's hostname; the engine refuses another one when the
 * Services machine answers. Errors stand beside the field they are about.
 * The private key stays in Drydock's data folder; the CA passphrase is
 * cleared once used.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { KEY_TYPES, type CaSummary, type KeyType } from '../../../shared/channels/certs';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useRun } from '../../components/use-run';
import { CaPanel } from './ca-panel';
import { CertificateDetails } from './certificate-details';
import { splitFieldErrors } from './field-errors';
import { usePrefilledHostname, useHostnameQuestion } from './hostname-question';
import { InstallPanel } from './install-panel';

const KEY_LABELS: Record<KeyType, string> = { rsa2048: 'RSA 2048', rsa3072: 'RSA 3072', rsa4096: 'RSA 4096', p256: 'ECDSA P-256' };

export const splitList = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

const FIELD_WORDS = {
  hostname: 'a DNS name such as ci.example.com (not an IP address)',
  sans: 'DNS names or IP addresses',
  days: 'a whole number of days, 1 to 3650',
  ca: 'one of the internal CAs listed',
  caPassphrase: 'the passphrase of the CA',
};

export function SelfSignedPath({ onMade }: { onMade(): void }) {
  const [hostname, setHostname] = useState('');
  const [sans, setSans] = useState('');
  const [days, setDays] = useState('365');
  const [key, setKey] = useState<KeyType>('rsa2048');
  const [ca, setCa] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [cas, setCas] = useState<CaSummary[]>([]);
  const [missing, setMissing] = useState<Partial<Record<'hostname' | 'caPassphrase', string>>>({});
  const run = useRun<ResponseOf<'certs:generate'>>('certs-generate', 'certs-generate');
  usePrefilledHostname(hostname, setHostname);
  const question = useHostnameQuestion(hostname, setHostname);

  const { fields, rest } = splitFieldErrors(run.error, FIELD_WORDS);
  // The engine's own refusals that are about one field.
  if (rest && /Common Name .* is not the hostname configured/.test(rest.message)) fields.hostname ??= rest.message;
  if (rest && /passphrase/i.test(rest.message) && ca) fields.caPassphrase ??= rest.message;
  const formError = rest && !Object.values(fields).includes(rest.message) ? rest : null;

  // The first field with a problem gets the focus, whoever found the problem.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [missing, run.error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = {
      ...(!hostname ? { hostname: 'Give the hostname configured in CircleCI.' } : {}),
      ...(ca && !passphrase ? { caPassphrase: `Give the passphrase of CA ${ca}.` } : {}),
    };
    setMissing(local);
    if (Object.keys(local).length) return;
    const used = passphrase;
    setPassphrase('');
    const made = await run.start(() =>
      call('certs:generate', { hostname, sans: splitList(sans), days: Number(days), key, ...(ca ? { ca, caPassphrase: used } : {}) }),
    );
    if (made) onMade();
  };

  return (
    <section className="section" aria-labelledby="self-signed-heading">
      <h2 id="self-signed-heading">Self-signed or internal CA</h2>
      <form ref={formRef} onSubmit={submit} aria-labelledby="self-signed-heading" noValidate>
        <Field label="Hostname (Common Name)" hint="The hostname configured in CircleCI, e.g. ci.example.com." error={missing.hostname ?? fields.hostname} warning={question}>
          {(control) => (
            <input {...control} value={hostname} onChange={(e) => { setHostname(e.target.value.trim()); setMissing((m) => ({ ...m, hostname: undefined })); }} spellCheck={false} autoComplete="off" required />
          )}
        </Field>
        <Field label="Other names" optional hint="DNS names and IP addresses, separated by commas or spaces." error={fields.sans}>
          {(control) => <input {...control} value={sans} onChange={(e) => setSans(e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Valid for (days)" error={fields.days}>
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
        <Field label="Signed by" hint="An internal CA lets browsers and Nomad clients trust one root across renewals." error={fields.ca}>
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
          <Field label="CA passphrase" hint="Used once to sign, then cleared." error={missing.caPassphrase ?? fields.caPassphrase}>
            {(control) => (
              <input {...control} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />
            )}
          </Field>
        )}
        <div className="actions actions--start">
          <button type="submit" className="button button--primary" disabled={run.busy}>
            {run.busy ? 'Making…' : 'Make certificate'}
          </button>
        </div>
      </form>

      {formError && <ErrorMessage error={formError} prefix="No certificate made." />}
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
          <InstallPanel bundle={run.result.bundle} scope="self-signed" />
        </div>
      )}

      <CaPanel onList={setCas} />
    </section>
  );
}
