/**
 * Step 2, the preview: exactly what the run will do, nothing touched yet.
 * The backup and its recovery point, the spare, the disks, the lines that
 * change, the Nomad clients to re-point, the DNS or load-balancer change
 * left to the admin, and every step in order. A blocking problem is shown
 * first and disables Run; Run opens the confirmation (confirm-run-dialog).
 * A refresh of the spare says what it leaves (the app stopped, nothing
 * re-pointed); a failover onto a refreshed spare says which backup it holds.
 */
import { useState } from 'react';
import type { RestorePlan } from '../../../shared/channels/restore';
import { formatAge, formatTime } from '../../format';
import { ConfirmRunDialog } from './confirm-run-dialog';
import { drillSafety, MODE_NAME } from './recovery-runs';
import { LineChangesTable, NomadTable, VolumeTable } from './plan-tables';

interface PreviewPanelProps {
  plan: RestorePlan;
  busy: boolean;
  onBack(): void;
  onRun(): Promise<void>;
  /** The admin's word that the spare is cut off at the hypervisor/cloud: plans again with it (it is part of the plan's fingerprint). */
  onSpareIsolated(yes: boolean): Promise<void>;
}

export function PreviewPanel({ plan, busy, onBack, onRun, onSpareIsolated }: PreviewPanelProps) {
  const [confirming, setConfirming] = useState(false);
  const drill = plan.mode === 'drill';
  const refresh = plan.mode === 'refresh-spare';
  const holdsChosen = !!plan.spare.holds && plan.spare.holds.backup === plan.backup?.id && plan.steps.some((s) => s.name === 'create-volume' && s.skipped);
  const safety = drillSafety(plan.steps);
  // A drill without its outbound block, or a drill or refresh without the spare cut off before it boots, would
  // start a live copy of production: not from this wizard, whatever engine answers it (a second line of defence
  // behind the engine's own plan).
  const unsafeDrill = (drill && (!safety.blocksOutbound || !safety.isolates)) || (refresh && !safety.isolates);
  const blocked = plan.blocking.length > 0 || unsafeDrill;
  const b = plan.backup;
  return (
    <section className="section restore-preview" aria-labelledby="restore-preview-heading">
      <h2 id="restore-preview-heading">2. Preview: what will happen</h2>
      <p className="muted">Nothing has been touched yet. This is what the run will do, in this order.</p>
      {blocked && (
        <div role="alert" className="message message--error" data-testid="restore-blocking">
          <p>
            <strong>The {MODE_NAME[plan.mode].noun} cannot run:</strong>
          </p>
          <ul>
            {plan.blocking.map((p) => (
              <li key={p.code}>{p.message}</li>
            ))}
            {unsafeDrill && (
              <li>
                This drill&rsquo;s plan does not cut the spare off before it boots and block its outbound traffic before the app starts: the copy of
                production could run scheduled workflows, send mail and call GitHub. Drydock does not run such a drill from here.
              </li>
            )}
          </ul>
        </div>
      )}
      <dl className="restore-facts">
        <dt>Backup</dt>
        <dd>
          {b ? (
            <>
              <code>{b.id}</code> (snapshot <code>{b.snapshotId}</code>, {b.sizeGiB} GiB, {b.state}) of {b.sourceMachine ?? 'the Services machine'}
            </>
          ) : (
            'none'
          )}
        </dd>
        {b && (
          <>
            <dt>Recovery point</dt>
            <dd data-testid="preview-recovery-point">
              {formatTime(b.startedAt)}, {formatAge(b.ageMs)} before this preview:{' '}
              {refresh ? 'the spare will hold the installation as it was then (a failover later loses what was done after it).' : 'what was done after it is lost.'}
            </dd>
          </>
        )}
        <dt>Spare</dt>
        <dd>
          {plan.spare.host} ({plan.spare.address}): <code>{plan.spare.machineId}</code>, {plan.spare.state}
          {plan.spare.zone ? `, ${plan.spare.zone}` : ''}, root device <code>{plan.spare.rootDevice}</code>
          {plan.spare.rootDisk ? (
            <>
              {' '}
              (now <code>{plan.spare.rootDisk}</code>)
            </>
          ) : null}
          {plan.spare.holds && `; it already holds ${plan.spare.holds.backup}, ${formatAge(plan.spare.holds.ageMs)} old`}
        </dd>
        <dt>Primary</dt>
        <dd>{[plan.primary.host, plan.primary.address].filter(Boolean).join(', ') || 'not in the inventory'}</dd>
      </dl>

      {refresh && b && (
        <div className="message restore-drill" data-testid="refresh-explained">
          <p>
            <strong>A refresh of the spare.</strong> {plan.spare.host} is imaged with backup <code>{b.id}</code> and its identity is fixed for its own
            address; the app is left stopped. Nothing is re-pointed and the app is neither started nor verified: the Nomad clients, DNS and the load
            balancer stay on the primary.
          </p>
          <p>A later failover onto this spare with backup {b.id} skips the volume steps (no stop of the spare, no disk swap).</p>
        </div>
      )}
      {!refresh && holdsChosen && plan.spare.holds && (
        <p className="message message--ok" data-testid="spare-holds">
          The spare already holds backup <code>{plan.spare.holds.backup}</code> (refreshed from it; the backup is {formatAge(plan.spare.holds.ageMs)} old): the
          volume steps are skipped.
        </p>
      )}
      {plan.isolation.needed && <SpareIsolation plan={plan} busy={busy} onSpareIsolated={onSpareIsolated} />}

      {drill && (
        <div className="message restore-drill" data-testid="drill-explained">
          <p>
            <strong>A drill.</strong> The backup is restored onto the spare and checked, and the recovery time is measured. Nothing is re-pointed: the
            Nomad clients, DNS and the load balancer stay on the primary.
          </p>
          {safety.blocksOutbound && (
            <p>
              Before the app starts, the spare&rsquo;s outbound traffic is blocked (the host and its containers; only this SSH session, loopback, the
              Docker bridge and its own address stay open), so the copy cannot run scheduled workflows, send mail or call GitHub.
            </p>
          )}
          <p>
            {safety.putsBack
              ? 'At the end the block is removed and the spare is put back as it was.'
              : 'The spare is not put back by the run: abort it when you are done (its own root is re-attached; the restored volume is kept).'}
          </p>
        </div>
      )}

      <h3>Disks</h3>
      <VolumeTable plan={plan} />
      <h3>Identity of the restored machine</h3>
      <LineChangesTable plan={plan} />
      <h3>Nomad clients</h3>
      <NomadTable plan={plan} />
      {plan.noProxy.length > 0 && plan.mode === 'restore' && (
        <>
          <h3>Proxy exceptions naming the old address</h3>
          <ul>
            {plan.noProxy.map((n) => (
              <li key={`${n.host}-${n.file}-${n.entry}`}>
                <code>{n.entry}</code> in <code>{n.file}</code> on {n.host}
              </li>
            ))}
          </ul>
        </>
      )}
      {plan.mode === 'restore' && <TrafficChange plan={plan} />}

      <h3>Steps</h3>
      <ol className="restore-plan-steps" aria-label="Planned steps">
        {plan.steps.map((s) => (
          <li key={s.name} className={s.skipped ? 'muted' : undefined}>
            <strong>{s.title}</strong> — {s.skipped ? `not run: ${s.why ?? 'not needed'}` : s.detail}
            {!s.skipped && (
              <span className="restore-step-tags">
                {s.undoable ? ' Undone by an abort.' : ''}
                {s.skipConsequence ? ` May be skipped if it fails: ${s.skipConsequence}` : ''}
              </span>
            )}
          </li>
        ))}
      </ol>
      {plan.warnings.length > 0 && (
        <div className="message message--warn" aria-label="Warnings" role="note">
          <ul>
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="actions actions--start">
        <button type="button" className="button" onClick={onBack}>
          Back
        </button>
        <button type="button" className="button button--danger" disabled={blocked || busy} onClick={() => setConfirming(true)}>
          {drill ? 'Run the drill…' : refresh ? 'Refresh the spare…' : 'Run the restore…'}
        </button>
        {blocked && <span className="muted">Fix the problems above, then preview again.</span>}
      </div>
      {confirming && (
        <ConfirmRunDialog
          plan={plan}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            await onRun();
          }}
        />
      )}
    </section>
  );
}

/**
 * How the spare is kept from reaching out while it boots production's disk.
 * Where the provider cannot cut it off, the admin may say they did it
 * themselves (a checkbox shown only then); the plan is made again with it.
 */
function SpareIsolation({ plan, busy, onSpareIsolated }: { plan: RestorePlan; busy: boolean; onSpareIsolated(yes: boolean): Promise<void> }) {
  const [saving, setSaving] = useState(false);
  const iso = plan.isolation;
  return (
    <div className={`message ${iso.available || iso.acknowledged ? '' : 'message--warn'}`} data-testid="spare-isolation">
      <p>
        <strong>The spare&rsquo;s network while it boots production&rsquo;s disk.</strong> {iso.how}.
      </p>
      {!iso.available && (
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="spare-isolated"
            checked={iso.acknowledged}
            disabled={busy || saving}
            onChange={(e) => {
              setSaving(true);
              void onSpareIsolated(e.target.checked).finally(() => setSaving(false));
            }}
          />{' '}
          I have cut the spare&rsquo;s outbound network at the hypervisor/cloud: only SSH reaches it.
        </label>
      )}
    </div>
  );
}

/** The change only the admin can make (DNS or the load balancer), said exactly. */
export function TrafficChange({ plan, heading = true }: { plan: Pick<RestorePlan, 'traffic'>; heading?: boolean }) {
  const t = plan.traffic;
  return (
    <>
      {heading && <h3>DNS or load balancer (your change, after the run)</h3>}
      <p>
        {t.hostname ? (
          <>
            <code>{t.hostname}</code>{' '}
          </>
        ) : (
          'The installation’s hostname '
        )}
        must lead to <code>{t.to}</code>
        {t.from ? (
          <>
            {' '}
            instead of <code>{t.from}</code>
          </>
        ) : null}
        .
      </p>
      {t.instructions.length > 0 && (
        <ul data-testid="traffic-instructions">
          {t.instructions.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
    </>
  );
}
