/**
 * Trust GitHub Enterprise's certificate: fetch the chain as the Services
 * machine sees it, let the admin check every certificate, then install
 * exactly those (the engine refuses if the chain changed in between).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { CertificateDetails } from './certificate-details';
import { GheUndo } from './ghe-undo';
import { useRun } from '../../components/use-run';

type Fetched = ResponseOf<'certs:ghe-fetch'>;
type Trusted = ResponseOf<'certs:trust-ghe'>;

export function GhePath() {
  const [gheHost, setGheHost] = useState('');
  const [port, setPort] = useState('443');
  const [checked, setChecked] = useState(false);
  const [nomad, setNomad] = useState(true);
  const fetchRun = useRun<Fetched>('certs-ghe-fetch', 'certs-ghe-fetch');
  const trustRun = useRun<Trusted>('certs-trust-ghe', 'trust-ghe');
  const [missingHost, setMissingHost] = useState(false);
  const uncheckedId = useId();

  useEffect(() => {
    // The inventory's GHE host, when there is one, is the likely answer.
    void call('hosts:list', {}).then((hosts) => setGheHost((h) => h || (hosts.find((x) => x.role === 'ghe')?.address ?? '')), () => undefined);
  }, []);

  const fetchChain = async (event: FormEvent) => {
    event.preventDefault();
    setMissingHost(!gheHost);
    if (!gheHost) return;
    setChecked(false);
    trustRun.reset();
    await fetchRun.start(() => call('certs:ghe-fetch', { gheHost, port: Number(port) }));
  };
  const chain = fetchRun.result?.chain ?? [];

  return (
    <section className="section" aria-labelledby="ghe-heading">
      <h2 id="ghe-heading">Trust the GitHub Enterprise certificate</h2>
      <p>
        For GHE with a self-signed or private-CA certificate: the chain goes to <code>/usr/local/share/ca-certificates/</code> (one certificate per
        file, backed up and reversible), then <code>update-ca-certificates</code> runs.
      </p>
      <form onSubmit={fetchChain} aria-labelledby="ghe-heading" noValidate>
        <Field label="GHE host" error={missingHost ? 'Give the GitHub Enterprise host name or address.' : undefined}>
          {(control) => <input {...control} value={gheHost} onChange={(e) => setGheHost(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Port">
          {(control) => <input {...control} className="input--short" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value.replace(/\D/g, ''))} />}
        </Field>
        <div className="actions actions--start">
          <button type="submit" className="button" disabled={fetchRun.busy}>
            {fetchRun.busy ? 'Fetching…' : 'Fetch the chain'}
          </button>
        </div>
      </form>
      {fetchRun.error && <ErrorMessage error={fetchRun.error} prefix="Could not fetch the chain." />}
      {chain.length > 0 && (
        <div className="panel">
          <p>
            {gheHost}:{port} presents {chain.length} certificate(s) to {fetchRun.result!.services}. Compare the fingerprints with GHE&rsquo;s own
            (Management Console, or <code>openssl x509 -fingerprint -sha256</code> on the GHE appliance).
          </p>
          {chain.map((c, i) => (
            <CertificateDetails key={c.sha256} cert={c} title={`${i + 1}. ${c.commonName ?? c.subject}`} />
          ))}
          <label className="cert-check">
            <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
            I checked these certificates and want the Services machine to trust them.
          </label>
          <label className="cert-check">
            <input type="checkbox" checked={nomad} onChange={(e) => setNomad(e.target.checked)} />
            Also install them on every Nomad client.
          </label>
          <div className="actions actions--start">
            <button
              type="button"
              className="button button--primary"
              disabled={!checked || trustRun.busy}
              aria-describedby={!checked ? uncheckedId : undefined}
              onClick={() =>
                void trustRun.start(
                  () => call('certs:trust-ghe', { gheHost, port: Number(port), fingerprints: chain.map((c) => c.sha256), nomadClients: nomad }),
                  (r) => r.runId,
                )
              }
            >
              Trust these certificates
            </button>
          </div>
          {!checked && (
            <p id={uncheckedId} className="disabled-reason">
              Tick &ldquo;I checked these certificates&rdquo; once their fingerprints match GHE&rsquo;s own.
            </p>
          )}
          {trustRun.steps.length > 0 && <StepList steps={trustRun.steps} label="Steps trusting GHE" />}
          {trustRun.error && <ErrorMessage error={trustRun.error} prefix="Not trusted." />}
          {trustRun.result && (
            <div role="status" className="message message--ok">
              <p>
                Installed {trustRun.result.files.join(', ')}. The Services machine now verifies {gheHost}:{port}
                {trustRun.result.nomadClients.length > 0 && `; Nomad clients: ${trustRun.result.nomadClients.map((n) => `${n.host} ${n.ok ? 'ok' : 'failed'}`).join(', ')}`}.
              </p>
              <p>Next, in the admin console, switch the GitHub protocol to HTTPS, restart, and use &ldquo;Test GitHub Authentication&rdquo;.</p>
            </div>
          )}
        </div>
      )}
      <GheUndo />
    </section>
  );
}
