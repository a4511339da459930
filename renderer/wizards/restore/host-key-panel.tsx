/**
 * The run stopped at a host key it could not prove: the spare booted the
 * primary's disk and presented a key that is neither the primary's known
 * key nor one cloud-init printed on the spare's console. Nothing runs on
 * the spare until the admin has compared the fingerprint with the spare's
 * console and confirmed it, or aborts. Never trusted by default.
 */
import { useState } from 'react';
import type { RunSummary } from '../../../shared/runs';
import { Fingerprint } from '../../components/fingerprint';
import { fingerprintsIn } from './recovery-runs';
import { Disrupts } from './run-actions';

interface HostKeyPanelProps {
  run: RunSummary;
  busy: boolean;
  /** Trust this fingerprint for the run, then resume it, confirming `shown` (what going on stops, starts or restarts, listed here). */
  onTrust(fingerprint: string, shown: readonly string[]): void;
}

export function HostKeyPanel({ run, busy, onTrust }: HostKeyPanelProps) {
  const step = run.steps.find((s) => s.status === 'failed') ?? run.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
  const seen = fingerprintsIn(run.error ?? step?.message);
  const [checked, setChecked] = useState(false);
  const fingerprint = seen[0];
  const keyType = /presents (\S+) SHA256:/.exec(run.error ?? step?.message ?? '')?.[1];
  return (
    <div className="message message--warn restore-host-key" role="region" aria-label="Host key to confirm">
      <h3>Confirm the spare&rsquo;s host key</h3>
      <p>The run stopped before running anything on the spare: it presents a host key Drydock cannot prove.</p>
      {fingerprint ? (
        <p>
          The spare presents {keyType ? `${keyType} ` : ''}
          <Fingerprint value={fingerprint} testId="restore-host-key" />
        </p>
      ) : (
        <p>The engine did not say which key: look at the run&rsquo;s message above.</p>
      )}
      <p>
        Where it came from: the SSH server now answering at the spare&rsquo;s address{step ? ` (step “${step.title}”)` : ''}. It is not the primary&rsquo;s
        known key and not in the fingerprints cloud-init printed to the spare&rsquo;s console, so Drydock cannot tell it from a machine pretending to be
        the spare. Open the spare&rsquo;s console (the provider&rsquo;s serial console, or <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>{' '}
        there) and compare.
      </p>
      {fingerprint && (
        <>
          <label className="check-line">
            <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} />
            <span>I compared this fingerprint with the spare&rsquo;s console and it is the same</span>
          </label>
          <Disrupts listed={run.restartsOnResume ?? []} />
          <div className="actions actions--start">
            <button type="button" className="button button--primary" disabled={!checked || busy} onClick={() => onTrust(fingerprint, run.restartsOnResume ?? [])}>
              Trust this key and go on
            </button>
          </div>
        </>
      )}
    </div>
  );
}
