/**
 * Restore: the hot spare becomes the Services machine from a backup, or a
 * drill proves it could. Choose → preview (nothing touched; blocking
 * problems disable Run) → confirm → the run, followed from the engine's
 * runs: a run going on, or stopped and still resumable, is shown whatever
 * started it, across reloads and a restarted `drydock serve`, and the page
 * cannot be left for a new run until that one is finished or aborted.
 */
import { useEffect, useState } from 'react';
import type { RestorePlan, RestoreRunResult } from '../../../shared/channels/restore';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { PageHeading } from '../../components/page-heading';
import { useRun } from '../../components/use-run';
import { useFollow } from '../../store/follow-store';
import { useRuns } from '../../store/runs-store';
import { ChooseStep, toPlanRequest, type RestoreChoice } from './choose-step';
import { PreviewPanel } from './preview-panel';
import { unfinishedRecoveryRun } from './recovery-runs';
import { RunPanel } from './run-panel';
import './restore.css';

const KEY = 'restore-run';

/** Follow `runId` afresh: the error of an earlier call is dropped (the run's own status says what it is now). */
function refollow(runId: string) {
  const follows = useFollow.getState();
  follows.clear(KEY);
  follows.adopt(KEY, runId);
}

export function RestoreWizard() {
  const [stage, setStage] = useState<'choose' | 'preview' | 'run'>('choose');
  const [choice, setChoice] = useState<RestoreChoice | undefined>();
  const [plan, setPlan] = useState<RestorePlan | null>(null);
  const [acting, setActing] = useState(false);
  const [actionError, setActionError] = useState<ErrorPayload | null>(null);
  const run = useRun<RestoreRunResult>(KEY, 'restore', { attach: true });
  const runs = useRuns((s) => s.runs);
  const followed = useFollow((s) => s.follows[KEY]?.runId);

  // A recovery run still to finish (any variant, stopped or running) is what this page shows.
  const unfinished = unfinishedRecoveryRun(runs);
  useEffect(() => {
    if (!followed && unfinished) useFollow.getState().adopt(KEY, unfinished.id);
  }, [followed, unfinished]);

  const shown = run.run || run.busy ? 'run' : stage;

  const preview = async (c: RestoreChoice) => {
    const p = await call('restore:plan', toPlanRequest(c));
    setChoice(c);
    setPlan(p);
    setStage('preview');
  };

  const start = async () => {
    if (!choice || !plan) return;
    setStage('run');
    setActionError(null);
    await run.start(() => call('restore:run', { ...toPlanRequest(choice), planFingerprint: plan.fingerprint, confirmed: true }), (r) => r.runId);
  };

  const background = (work: () => Promise<unknown>) => {
    if (run.run) refollow(run.run.id);
    setActing(true);
    setActionError(null);
    void work()
      .catch((err: unknown) => setActionError(toErrorPayload(err)))
      .finally(() => setActing(false));
  };

  // `shown`: the list the dialog showed; only that is confirmed (a resume that would do more is refused and shown again).
  const act = (what: 'retry' | 'skip' | 'abort', step?: string, shown: readonly string[] = []) => {
    const current = run.run;
    if (!current) return;
    const id = current.id;
    background(() =>
      what === 'retry'
        ? call('runs:resume', { id, ...(shown.length ? { confirmRestarts: true } : {}) })
        : what === 'skip'
          ? call('runs:skip', { id, step: step ?? '', confirmed: true })
          : call('restore:abort', { runId: id, confirmed: true }),
    );
  };

  // The host-key panel lists what going on stops, starts or restarts beside its button: `shown` is that list.
  const trust = (fingerprint: string, shown: readonly string[]) => {
    const current = run.run;
    if (!current) return;
    background(async () => {
      await call('restore:trust-key', { runId: current.id, fingerprint, confirmed: true });
      await call('runs:resume', { id: current.id, ...(shown.length ? { confirmRestarts: true } : {}) });
    });
  };

  const startOver = () => {
    run.reset();
    setActionError(null);
    setPlan(null);
    setStage('choose');
  };

  return (
    <>
      <PageHeading title="Restore">
        Disaster recovery as the operations guide describes it: the newest snapshot restored onto the hot spare, its identity fixed, the app verified, the
        Nomad clients re-pointed, then you switch DNS or the load balancer. Or a drill that proves it without touching production. Nothing runs before
        you have seen every step, and an abort puts the spare back as it was.
      </PageHeading>
      {shown === 'choose' && <ChooseStep initial={choice} onPreview={preview} />}
      {shown === 'preview' && plan && (
        <PreviewPanel plan={plan} busy={run.busy} onBack={() => setStage('choose')} onRun={start} onSpareIsolated={(yes) => (choice ? preview({ ...choice, spareIsolated: yes }) : Promise.resolve())} />
      )}
      {shown === 'run' && (
        <RunPanel
          run={run.run}
          starting={run.busy && !run.run}
          result={run.result}
          plan={plan}
          error={actionError ?? run.error}
          acting={acting}
          act={act}
          trust={trust}
          onNew={startOver}
        />
      )}
    </>
  );
}
