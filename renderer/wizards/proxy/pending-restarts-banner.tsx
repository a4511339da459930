/**
 * Restarts still owed after an apply or rollback: the files on the hosts
 * are right, but the services still run the old settings. The banner stays
 * until the engine says nothing is owed, and its Restart… goes through the
 * same confirmation as an apply's, listing exactly what will restart.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PendingRestartsView, RestartResult } from '../../../shared/channels/proxy';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { NO_CONSENT, RestartChoices, restartRequest, type RestartConsent } from './restart-choices';

/** "Replicated still runs the old proxy settings", "Docker on nomad-1 and nomad-2 still runs…". */
function headline(owed: PendingRestartsView): string {
  const parts = [owed.replicated.length ? 'Replicated' : '', owed.docker.length ? `Docker on ${owed.docker.join(', ')}` : ''].filter(Boolean);
  return `${parts.join(' and ')} still ${parts.length > 1 ? 'run' : 'runs'} the old proxy settings`;
}

interface BannerProps {
  /** Changes whenever a proxy run ends elsewhere on the page: read the list again. */
  refreshKey: number;
  /** A proxy run is going on the page: no second one from here. */
  busy: boolean;
  onRan(): void;
}

export function PendingRestartsBanner({ refreshKey, busy, onRan }: BannerProps) {
  const [owed, setOwed] = useState<PendingRestartsView | null>(null);
  const [loadError, setLoadError] = useState<ErrorPayload | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [consent, setConsent] = useState<RestartConsent>(NO_CONSENT);
  const run = useRun<RestartResult>('proxy-restart', 'proxy-restart');
  const ownRun = useRef(false);
  const { reset } = run;

  const load = useCallback(async () => {
    try {
      setOwed(await call('proxy:pending-restarts', {}));
      setLoadError(null);
    } catch (err) {
      setLoadError(toErrorPayload(err));
    }
  }, []);

  useEffect(() => {
    void load();
    // Another proxy run ended: the outcome of our last restart no longer describes the hosts.
    if (ownRun.current) ownRun.current = false;
    else reset();
  }, [load, reset, refreshKey]);

  const shown = owed ? { replicated: owed.replicated.length > 0, docker: owed.docker } : { replicated: false, docker: [] };
  const anything = shown.replicated || shown.docker.length > 0;

  return (
    <>
      {loadError && <ErrorMessage error={loadError} prefix="Could not read which restarts are still owed." />}
      {owed && anything && (
        <div role="region" aria-label="Restarts still owed" className="message message--warn pending-restarts" data-testid="pending-restarts">
          <p>
            <strong>{headline(owed)}.</strong> The files on the hosts hold the new ones; restart when it suits you.
          </p>
          <div className="actions actions--start">
            <button
              type="button"
              className="button"
              disabled={busy || run.busy}
              onClick={() => {
                setConsent(NO_CONSENT);
                setConfirming(true);
              }}
            >
              Restart…
            </button>
          </div>
        </div>
      )}
      {run.steps.length > 0 && (run.busy || run.error) && <StepList steps={run.steps} label="Restart steps" />}
      {run.error && <ErrorMessage error={run.error} prefix="The restart stopped." />}
      {run.result && !run.busy && (
        <div role="status" className="message message--ok" data-testid="restart-summary">
          <p>{run.result.summary}</p>
        </div>
      )}
      {confirming && owed && (
        <ConfirmDialog
          title="Restart the services that run the old settings?"
          confirmLabel="Restart what is ticked"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            const request = restartRequest(shown, consent);
            if (!request.restartReplicated && !request.restartDocker.length) return;
            await run.start(() => call('proxy:restart', request), (r) => r.runId);
            await load();
            ownRun.current = true;
            onRan();
          }}
        >
          <p>The files are not touched: only the services are restarted so that they read them.</p>
          <RestartChoices restarts={shown} consent={consent} onChange={setConsent} />
        </ConfirmDialog>
      )}
    </>
  );
}
