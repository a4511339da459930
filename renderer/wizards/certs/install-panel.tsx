/**
 * Install a certificate Drydock holds into Replicated (app and admin
 * console), after the admin confirms the downtime, then check what the
 * server presents. What the wizard read about the installation decides
 * whether Install can work at all: without Replicated, or with a certificate
 * for another name than the configured one, the button is off and says why.
 * The engine still refuses a mismatch, a broken chain or a wrong key itself.
 */
import { useId, useState } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import { sameHostname } from '../../../shared/certs/hostname';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { useInstallation, whereConfigured, type InstallationView } from './installation-store';
import { VerifyPanel } from './verify-panel';

/** Why Install cannot work now, or null. */
export function installBlocker(view: InstallationView, bundle: Bundle, hostname: string): string | null {
  const cn = bundle.chain[0].commonName ?? bundle.hostname;
  if (view.status === 'loading') return 'Checking the Services machine first…';
  if (view.status === 'none') return 'There is no Services machine in the inventory: add it (role Services) on the Hosts page.';
  if (view.status === 'ok') {
    const i = view.installation;
    if (!i.replicated) return `Replicated is not installed on ${i.services} (replicatedctl is not there): install CircleCI Server on it first, then check again.`;
    if (i.appConfigHostname && !sameHostname(cn, i.appConfigHostname)) {
      return `This certificate is for ${cn}, but CircleCI on ${i.services} is configured for ${i.appConfigHostname}: make or choose one for ${i.appConfigHostname}.`;
    }
    if (!i.appConfigHostname && !hostname) return 'CircleCI has no hostname configured yet: give the hostname to install for.';
  }
  return null;
}

/** `scope`: which option of the wizard shows the panel, so its run is not shown under another. */
export function InstallPanel({ bundle, scope }: { bundle: Bundle; scope: string }) {
  const view = useInstallation((s) => s.view);
  const reload = useInstallation((s) => s.load);
  const [confirming, setConfirming] = useState(false);
  const installation = view.status === 'ok' ? view.installation : null;
  const configured = installation?.appConfigHostname ?? null;
  const suggested = installation?.hostname ?? null;
  const [typed, setTyped] = useState<string | null>(null);
  const hostname = typed ?? suggested ?? bundle.hostname;
  const run = useRun<ResponseOf<'certs:install'>>(`certs-install:${scope}:${bundle.id}`, 'install-certificate');
  const headingId = `install-${scope}-${bundle.id}`;
  const reasonId = useId();
  const blocker = installBlocker(view, bundle, hostname);

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Install into Replicated</h3>
      <p>
        Stops the CircleCI app, sets this certificate for the app (<code>ssl_cert</code>, <code>ssl_private_key</code>) and the admin console,
        restarts replicated-ui and starts the app again.
      </p>
      {installation && configured ? (
        <p>
          Installs for <strong>{configured}</strong>, the hostname configured in CircleCI ({whereConfigured(installation)}).
        </p>
      ) : (
        (view.status === 'failed' || installation?.replicated) && (
          <Field
            label="Hostname to install for"
            hint={
              suggested
                ? `CircleCI has no hostname in its app config yet; this one comes from CIRCLE_URL.`
                : 'CircleCI has no hostname configured yet; it must equal the certificate’s Common Name.'
            }
          >
            {(control) => <input {...control} value={hostname} onChange={(e) => setTyped(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
          </Field>
        )
      )}
      <div className="actions actions--start">
        <button
          type="button"
          className="button button--primary"
          onClick={() => setConfirming(true)}
          disabled={run.busy || !!blocker}
          aria-describedby={blocker ? reasonId : undefined}
        >
          {run.busy ? 'Installing…' : 'Install…'}
        </button>
        {view.status !== 'loading' && blocker && (
          <button type="button" className="button" onClick={() => void reload()}>
            Check the Services machine again
          </button>
        )}
      </div>
      {blocker && (
        <p id={reasonId} className="disabled-reason" data-testid="install-blocked">
          {blocker}
        </p>
      )}
      {view.status === 'failed' && (
        <p className="muted">
          Could not read the installation on the Services machine ({view.error.message}); Install will check again before it changes anything.
        </p>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label="Install steps" />}
      {run.error && <ErrorMessage error={run.error} prefix="Not installed." />}
      {run.result && (
        <>
          <div role="status" className="message message--ok">
            <p>
              Installed for {run.result.hostname} (run {run.result.runId}).
            </p>
            {run.result.replaced && (
              <p>
                The certificate it replaced is kept as <code>{run.result.replaced}</code>: install that one (under &ldquo;Install an existing
                certificate&rdquo;) to go back.
              </p>
            )}
          </div>
          <VerifyPanel scope={scope} />
        </>
      )}
      {confirming && (
        <ConfirmDialog
          title="Install this certificate now?"
          confirmLabel="Stop the app and install"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await run.start(
              () => call('certs:install', { bundle: bundle.id, ...(!configured && hostname ? { hostname } : {}) }),
              (r) => r.runId,
            );
          }}
        >
          <p>
            CircleCI is <strong>down</strong> while the app is stopped and started again (usually a few minutes). Running builds may fail.
          </p>
          <p>
            Certificate for {bundle.chain[0].commonName ?? bundle.hostname}, installed for {configured ?? hostname}.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
