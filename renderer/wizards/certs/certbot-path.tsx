/**
 * certbot's DNS challenge on the Services machine. Start: the engine runs
 * certbot and answers with the TXT records it asks for. The admin publishes
 * them (copy buttons), optionally checks that the Services machine sees
 * them, and continues; certbot validates and the certificate is collected.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import type { ResponseOf } from '../../../shared/contract';
import type { ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { CertificateDetails } from './certificate-details';
import { splitFieldErrors } from './field-errors';
import { usePrefilledHostname, useHostnameQuestion } from './hostname-question';
import { InstallPanel } from './install-panel';
import { splitList } from './self-signed-path';
import { TxtRecords } from './txt-records';
import { useRun } from '../../components/use-run';

type Started = ResponseOf<'certs:certbot-start'>;

const FIELD_WORDS = {
  hostname: 'a DNS name such as ci.example.com',
  sans: 'DNS names (no IP addresses: ACME cannot prove those by DNS)',
  server: 'an https:// URL: the ACME directory of your internal CA, e.g. https://acme.internal/directory',
  caBundle: 'PEM certificates (-----BEGIN CERTIFICATE-----)',
  email: 'an email address',
};

/** certbot explains a failure in its own words, over several lines: keep them as it wrote them. */
function CertbotError({ error, prefix }: { error: ErrorPayload; prefix: string }) {
  const [first, ...more] = error.message.split('\n');
  return (
    <>
      <ErrorMessage error={{ ...error, message: first }} prefix={prefix} />
      {more.join('\n').trim() && (
        <pre className="cert-output" aria-label="What certbot said">
          {more.join('\n').trim()}
        </pre>
      )}
    </>
  );
}

export function CertbotPath({ onMade }: { onMade(): void }) {
  const [hostname, setHostname] = useState('');
  const [sans, setSans] = useState('');
  const [server, setServer] = useState('');
  const [caBundle, setCaBundle] = useState('');
  const [email, setEmail] = useState('');
  const startRun = useRun<Started>('certs-certbot', 'certbot');
  const finishRun = useRun<{ runId: string; bundle: Bundle }>('certs-certbot-finish', 'certbot');
  const started = startRun.result;
  const [missingHost, setMissingHost] = useState(false);
  usePrefilledHostname(hostname, setHostname);
  const question = useHostnameQuestion(hostname, setHostname);
  const { fields, rest } = splitFieldErrors(startRun.error, FIELD_WORDS);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [missingHost, startRun.error]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setMissingHost(!hostname);
    if (!hostname) return;
    finishRun.reset();
    await startRun.start(
      () => call('certs:certbot-start', { hostname, sans: splitList(sans), ...(server ? { server } : {}), ...(caBundle.trim() ? { caBundle } : {}), ...(email ? { email } : {}) }),
      (r) => r.runId,
    );
  };
  const finish = async () => {
    const done = await finishRun.start(() => call('certs:certbot-continue', { runId: started!.runId }));
    if (done) onMade();
  };
  const cancel = async () => {
    await call('certs:certbot-cancel', { runId: started!.runId }).catch(() => undefined);
    startRun.reset();
  };
  const bundle = finishRun.result?.bundle;

  return (
    <section className="section" aria-labelledby="certbot-heading">
      <h2 id="certbot-heading">certbot (DNS challenge)</h2>
      <p>Ports 80 and 443 are taken on the Services machine, so certbot proves the name with a DNS TXT record you publish.</p>
      {!started && (
        <form ref={formRef} onSubmit={start} aria-labelledby="certbot-heading" noValidate>
          <Field label="Hostname" hint="The hostname configured in CircleCI." error={missingHost ? 'Give the hostname configured in CircleCI.' : fields.hostname} warning={question}>
            {(control) => <input {...control} value={hostname} onChange={(e) => setHostname(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
          </Field>
          <Field label="Other names" optional error={fields.sans}>
            {(control) => <input {...control} value={sans} onChange={(e) => setSans(e.target.value)} spellCheck={false} autoComplete="off" />}
          </Field>
          <Field label="ACME server" optional hint="The directory URL of an internal ACME CA inside the air gap; empty for certbot's default." error={fields.server}>
            {(control) => <input {...control} value={server} onChange={(e) => setServer(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
          </Field>
          <Field label="ACME server's CA bundle (PEM)" optional hint="Needed when that server's TLS certificate comes from a private CA." error={fields.caBundle}>
            {(control) => <textarea {...control} className="cert-pem" value={caBundle} onChange={(e) => setCaBundle(e.target.value)} spellCheck={false} />}
          </Field>
          <Field label="Contact email" optional error={fields.email}>
            {(control) => <input {...control} type="email" value={email} onChange={(e) => setEmail(e.target.value.trim())} autoComplete="email" />}
          </Field>
          <div className="actions actions--start">
            <button type="submit" className="button button--primary" disabled={startRun.busy}>
              {startRun.busy ? 'Starting certbot…' : 'Start certbot'}
            </button>
          </div>
        </form>
      )}
      {startRun.steps.length > 0 && !bundle && <StepList steps={startRun.steps} label="certbot steps" />}
      {rest && <CertbotError error={rest} prefix="certbot did not start." />}
      {started && !bundle && <TxtRecords runId={started.runId} records={started.records} busy={finishRun.busy} onContinue={() => void finish()} onCancel={() => void cancel()} />}
      {finishRun.error && <CertbotError error={finishRun.error} prefix="No certificate." />}
      {bundle && (
        <div className="panel" data-testid="certbot-result">
          <div role="status" className="message message--ok">
            <p>
              certbot issued the certificate; fullchain.pem and privkey.pem are in <code>{bundle.dir}</code>.
            </p>
          </div>
          <div className="message message--info cert-reminder">
            <p>
              <strong>Manual certificates do not renew themselves.</strong> It expires on {bundle.chain[0].notAfter.slice(0, 10)}: run certbot again
              before {bundle.renewBy.slice(0, 10)}.
            </p>
          </div>
          <CertificateDetails cert={bundle.chain[0]} title="Certificate" />
          <InstallPanel bundle={bundle} scope="certbot" />
        </div>
      )}
    </section>
  );
}
