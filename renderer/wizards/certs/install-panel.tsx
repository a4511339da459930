/**
 * Install a certificate Drydock holds into Replicated (app and admin
 * console), after the admin confirms the downtime, then check what the
 * server presents. The engine refuses a key/certificate mismatch, a broken
 * chain or a CN other than the configured hostname before writing anything.
 */
import { useState } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { VerifyPanel } from './verify-panel';

export function InstallPanel({ bundle }: { bundle: Bundle }) {
  const [confirming, setConfirming] = useState(false);
  const [hostname, setHostname] = useState('');
  const run = useRun<ResponseOf<'certs:install'>>(`certs-install:${bundle.id}`, 'install-certificate');
  const headingId = `install-${bundle.id}`;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Install into Replicated</h3>
      <p>
        Stops the CircleCI app, sets this certificate for the app (<code>ssl_cert</code>, <code>ssl_private_key</code>) and the admin console,
        restarts replicated-ui and starts the app again.
      </p>
      <Field label="Hostname" optional hint="Only needed when CircleCI has no hostname configured yet; otherwise the configured one is used and must equal the CN.">
        {(control) => <input {...control} value={hostname} onChange={(e) => setHostname(e.target.value.trim())} spellCheck={false} autoComplete="off" />}
      </Field>
      <div className="actions actions--start">
        <button type="button" className="button button--primary" onClick={() => setConfirming(true)} disabled={run.busy}>
          Install…
        </button>
      </div>
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
          <VerifyPanel />
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
              () => call('certs:install', { bundle: bundle.id, ...(hostname ? { hostname } : {}) }),
              (r) => r.runId,
            );
          }}
        >
          <p>
            CircleCI is <strong>down</strong> while the app is stopped and started again (usually a few minutes). Running builds may fail.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
