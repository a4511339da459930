/**
 * The confirmation before a restore or a drill starts, as the proxy apply
 * asks: every disruptive step listed (the spare stopped, its root swapped,
 * Replicated restarted, the Nomad clients restarted), and what an abort
 * would put back. Cancel has the focus. A refresh of the spare says it
 * leaves the app stopped and re-points nothing.
 */
import type { RestorePlan } from '../../../shared/channels/restore';
import { ConfirmDialog } from '../../components/confirm-dialog';

export function ConfirmRunDialog({ plan, onConfirm, onClose }: { plan: RestorePlan; onConfirm(): Promise<void>; onClose(): void }) {
  const steps = plan.steps.filter((s) => !s.skipped);
  const drill = plan.mode === 'drill';
  const refresh = plan.mode === 'refresh-spare';
  return (
    <ConfirmDialog
      title={drill ? 'Run the disaster-recovery drill?' : refresh ? 'Refresh the spare?' : 'Restore onto the spare?'}
      confirmLabel={drill ? 'Run the drill' : refresh ? 'Refresh the spare' : 'Restore onto the spare'}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      <p>
        {plan.spare.host} (<code>{plan.spare.machineId}</code>) is taken over by backup {plan.backup?.id ?? '—'}. These steps run, in this order:
      </p>
      <ol className="restore-confirm-steps" aria-label="Steps that will run">
        {steps.map((s) => (
          <li key={s.name}>
            <strong>{s.title}</strong>: {s.detail}
          </li>
        ))}
      </ol>
      <p>
        The spare&rsquo;s current root disk is detached and kept, never deleted. Until traffic is switched, Abort puts the spare back as it was (its own root
        re-attached; the restored volume kept for inspection).
        {drill ? ' A drill re-points nothing.' : ''}
        {refresh ? ' A refresh leaves the app on the spare stopped and re-points nothing.' : ''} A host key Drydock cannot prove stops the run for you to confirm.
      </p>
    </ConfirmDialog>
  );
}
