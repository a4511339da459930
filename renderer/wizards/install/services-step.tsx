/**
 * Install wizard, the Services machine: the files and answers (LDAP asked
 * here, with the guide's warning that it cannot be turned on later), the
 * plan reviewed, a confirmation that lists what installs and starts, then
 * the run followed live: its steps, the installer's streamed log, and the
 * wait for the app to report started. Console mode ends with what to
 * upload at https://HOST:8800. The run is the engine's: a reload or another
 * window shows the same run (useRun attach).
 */
import { useState, type FormEvent } from 'react';
import type { ServicesInstallPlan, ServicesInstallRequest, ServicesInstallResult } from '../../../shared/channels/install-services';
import { LDAP_WARNING } from '../../../shared/install/replicated';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { InstallLog } from './install-log';
import { ServicesPlanView } from './services-plan-view';
import './install-services.css';

interface FormValues {
  license: string;
  bundle: string;
  installer: string;
  dockerDebs: string;
  hostname: string;
  privateAddress: string;
  ldap: '' | 'yes' | 'no';
  mode: 'headless' | 'console';
  consolePassword: string;
  tlsCert: string;
  tlsKey: string;
}

const EMPTY: FormValues = { license: '', bundle: '', installer: '', dockerDebs: '', hostname: '', privateAddress: '', ldap: '', mode: 'headless', consolePassword: '', tlsCert: '', tlsKey: '' };

function requestOf(v: FormValues): ServicesInstallRequest {
  const debs = v.dockerDebs.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  return {
    license: v.license.trim(),
    bundle: v.bundle.trim(),
    ldap: v.ldap === 'yes',
    mode: v.mode,
    waitMinutes: 10,
    pollSeconds: 10,
    ...(v.installer.trim() ? { installer: v.installer.trim() } : {}),
    ...(debs.length ? { dockerDebs: debs } : {}),
    ...(v.hostname.trim() ? { hostname: v.hostname.trim() } : {}),
    ...(v.privateAddress.trim() ? { privateAddress: v.privateAddress.trim() } : {}),
    ...(v.mode === 'headless' ? { consolePassword: v.consolePassword } : {}),
    ...(v.tlsCert.trim() && v.tlsKey.trim() ? { tls: { cert: v.tlsCert.trim(), key: v.tlsKey.trim() } } : {}),
  };
}

function fieldErrors(err: ErrorPayload | null): Record<string, string> {
  const fields = (err?.details?.fields ?? []) as { path: string[]; message: string }[];
  return Object.fromEntries(fields.map((f) => [f.path.filter((p) => p !== 'request').join('.'), f.message]));
}

export function ServicesStep({ onDone }: { onDone(): void }) {
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [plan, setPlan] = useState<{ plan: ServicesInstallPlan; request: ServicesInstallRequest } | null>(null);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [confirming, setConfirming] = useState(false);
  const run = useRun<ServicesInstallResult>('install:services', 'install-services', { attach: true });
  const set = <K extends keyof FormValues>(k: K, v: FormValues[K]) => setValues((s) => ({ ...s, [k]: v }));
  const errors = fieldErrors(planError);
  const ldapMissing = values.ldap === '';

  const review = async (e: FormEvent) => {
    e.preventDefault();
    if (ldapMissing) return setPlanError({ code: 'INVALID_INPUT', message: 'Answer the LDAP question first: it cannot be changed after the install.', details: { fields: [{ path: ['ldap'], message: 'LDAP: choose yes or no' }] } });
    setPlanning(true);
    setPlanError(null);
    setPlan(null);
    try {
      const request = requestOf(values);
      setPlan({ plan: await call('install:services-plan', request), request });
    } catch (err) {
      setPlanError(toErrorPayload(err));
    } finally {
      setPlanning(false);
    }
  };

  const install = async () => {
    const p = plan!;
    run.reset();
    await run.start(() => call('install:services-run', { request: p.request, confirm: true, planFingerprint: p.plan.fingerprint }), (r) => r.runId);
  };

  const running = run.busy || run.steps.length > 0 || run.result || run.error;
  const waitNote = run.steps.find((s) => s.step === 'wait' && s.status === 'running')?.message;
  const text = (k: keyof FormValues) => ({ value: values[k] as string, onChange: (e: { target: { value: string } }) => set(k, e.target.value as never) });

  return (
    <section className="section" aria-labelledby="install-services-heading">
      <h2 id="install-services-heading">Install the Services machine</h2>
      {!running && (
        <form onSubmit={review} noValidate aria-labelledby="install-services-heading">
          <div className="install-form__grid">
            <Field label="License (.rli) on this computer" error={errors.license}>
              {(c) => <input {...c} type="text" {...text('license')} placeholder="/home/me/circleci.rli" />}
            </Field>
            <Field label="Air-gap bundle (.airgap) on this computer" error={errors.bundle}>
              {(c) => <input {...c} type="text" {...text('bundle')} placeholder="/home/me/circleci-2.17.airgap" />}
            </Field>
            <Field label="Replicated installer (replicated.tar.gz)" optional hint="Default: the one already in the host's bundle folder." error={errors.installer}>
              {(c) => <input {...c} type="text" {...text('installer')} />}
            </Field>
            <Field label="Docker .deb files" optional hint="Installed only if Docker is missing; one path per line. Default: the .debs in the bundle folder." error={errors.dockerDebs}>
              {(c) => <textarea {...c} rows={2} {...text('dockerDebs')} />}
            </Field>
            <Field label="CircleCI hostname" optional hint="Default: the Services machine's address in the inventory." error={errors.hostname}>
              {(c) => <input {...c} type="text" {...text('hostname')} placeholder="ci.example.com" />}
            </Field>
            <Field label="Private address" optional hint="Given to the installer; the Nomad clients reach the Nomad server here." error={errors.privateAddress}>
              {(c) => <input {...c} type="text" {...text('privateAddress')} placeholder="10.0.1.238" />}
            </Field>
          </div>
          <fieldset className="install-choice" aria-describedby="install-ldap-warning">
            <legend>Use LDAP for logins?</legend>
            <p id="install-ldap-warning" className="message message--warn">
              {LDAP_WARNING}
            </p>
            <label>
              <input type="radio" name="ldap" checked={values.ldap === 'yes'} onChange={() => set('ldap', 'yes')} /> Yes, users log in with LDAP
            </label>
            <label>
              <input type="radio" name="ldap" checked={values.ldap === 'no'} onChange={() => set('ldap', 'no')} /> No
            </label>
            {errors.ldap && <p className="field__error">{errors.ldap}</p>}
          </fieldset>
          <fieldset className="install-choice">
            <legend>How to finish</legend>
            <label>
              <input type="radio" name="mode" checked={values.mode === 'headless'} onChange={() => set('mode', 'headless')} /> Headless: Drydock loads the license and bundle and waits for the app to start
            </label>
            <label>
              <input type="radio" name="mode" checked={values.mode === 'console'} onChange={() => set('mode', 'console')} /> In the admin console: Drydock installs Replicated, then I upload the two files at https://HOST:8800
            </label>
          </fieldset>
          {values.mode === 'headless' && (
            <div className="install-form__grid">
              <Field label="Admin console password" hint="Kept in memory for this run only, never in a runbook." error={errors.consolePassword}>
                {(c) => <input {...c} type="password" autoComplete="new-password" {...text('consolePassword')} />}
              </Field>
              <Field label="Console certificate on the Services machine" optional hint="With its key: TLS bootstrap; without: self-signed." error={errors['tls.cert']}>
                {(c) => <input {...c} type="text" {...text('tlsCert')} placeholder="/etc/ssl/ci.crt" />}
              </Field>
              <Field label="Its private key on the Services machine" optional error={errors['tls.key']}>
                {(c) => <input {...c} type="text" {...text('tlsKey')} placeholder="/etc/ssl/ci.key" />}
              </Field>
            </div>
          )}
          {planError && <ErrorMessage error={planError} prefix="Could not plan the install." />}
          <div className="actions actions--start">
            <button type="submit" className="button button--primary" disabled={planning}>
              {planning ? 'Reading the host…' : 'Review the plan'}
            </button>
          </div>
        </form>
      )}
      {plan && !running && (
        <>
          <ServicesPlanView plan={plan.plan} />
          <div className="actions actions--start">
            <button type="button" className="button button--primary" disabled={plan.plan.blockers.length > 0} onClick={() => setConfirming(true)}>
              Install…
            </button>
          </div>
        </>
      )}
      {confirming && plan && (
        <ConfirmDialog title={`Install CircleCI Server on ${plan.plan.host}?`} confirmLabel="Install" onConfirm={install} onClose={() => setConfirming(false)}>
          <p>This will:</p>
          <ul>
            {plan.plan.installs.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
          <p>LDAP: {plan.plan.ldap ? 'yes' : 'no'}. {plan.plan.ldapWarning}</p>
        </ConfirmDialog>
      )}
      {running && (
        <>
          {run.run && <p className="muted">Run {run.run.id}</p>}
          <StepList steps={run.steps} label="Install steps" />
          {waitNote && (
            <p role="status" className="install-status">
              Waiting for the app to start: {waitNote}
            </p>
          )}
          <InstallLog operation="install-services" label="Installer output" />
          {run.error && <ErrorMessage error={run.error} prefix="The install stopped." />}
          {run.error && <p className="muted">Resume it from Runbooks (what it restarts is asked again), or review a new plan.</p>}
          {run.result && (
            <div className="install-done">
              <p role="status" className="message message--ok">
                {run.result.summary}
              </p>
              {run.result.upload && (
                <ol>
                  <li>
                    Open <a href={run.result.consoleUrl}>{run.result.consoleUrl}</a> and accept its certificate.
                  </li>
                  {run.result.upload.map((u) => (
                    <li key={u}>Upload {u}.</li>
                  ))}
                </ol>
              )}
              <div className="actions actions--start">
                <button type="button" className="button button--primary" onClick={onDone}>
                  Continue to the Nomad clients
                </button>
              </div>
            </div>
          )}
          {!run.busy && (run.error || run.result) && (
            <button type="button" className="button" onClick={() => run.reset()}>
              Back to the form
            </button>
          )}
        </>
      )}
    </section>
  );
}
