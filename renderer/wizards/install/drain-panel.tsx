/**
 * Drain and remove one Nomad client: what the drain moves (its running
 * allocations, read from the Nomad server), a confirmation, then the run:
 * the allocations counting down to 0 and nomad stopped there.
 */
import { useEffect, useState } from 'react';
import type { NomadDrainPlan, NomadDrainResult } from '../../../shared/channels/install-services';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';

export function DrainPanel({ host, onClose }: { host: string; onClose(): void }) {
  const [plan, setPlan] = useState<NomadDrainPlan | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [confirming, setConfirming] = useState(false);
  const run = useRun<NomadDrainResult>(`nomad:drain:${host}`, 'nomad-drain');

  const look = async () => {
    setError(null);
    try {
      setPlan(await call('nomad:drain-plan', { host }));
      setConfirming(true);
    } catch (err) {
      setError(toErrorPayload(err));
    }
  };
  // Opened from the client table: read what the drain would move, then ask.
  useEffect(() => {
    void look();
  }, [host]);
  const drain = async () => {
    await run.start(() => call('nomad:drain', { host, confirm: true, waitMinutes: 30, pollSeconds: 5 }), (r) => r.runId);
  };
  const left = run.steps.find((s) => s.step === 'wait')?.message;

  return (
    <div className="install-drain" aria-label={`Drain ${host}`}>
      {!run.busy && !run.result && !confirming && (
        <button type="button" className="button button--danger" onClick={() => void look()}>
          Drain and remove {host}…
        </button>
      )}
      {error && <ErrorMessage error={error} prefix={`Could not look at ${host}.`} />}
      {confirming && plan && (
        <ConfirmDialog title={`Drain ${host}?`} confirmLabel="Drain" onConfirm={drain} onClose={() => setConfirming(false)}>
          <p>{plan.summary}</p>
        </ConfirmDialog>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label={`Drain of ${host}`} />}
      {left && run.busy && (
        <p role="status" className="install-status">
          {host}: {left}
        </p>
      )}
      {run.error && <ErrorMessage error={run.error} prefix="The drain stopped." />}
      {run.result && (
        <p role="status" className="message message--ok">
          {run.result.summary}{' '}
          <button type="button" className="button button--small" onClick={onClose}>
            Close
          </button>
        </p>
      )}
    </div>
  );
}
