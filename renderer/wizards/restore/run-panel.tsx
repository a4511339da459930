/**
 * Step 3, the run: its steps with live status, the command output, and what
 * the admin can do where it stands — wait (or pause it), confirm a host key
 * it stopped for, retry / skip / abort a failed step, watch an abort undo
 * what was done — then the verification, the traffic switch and the report.
 * Everything here is read from the engine's run, so a reload, another
 * window or a restarted `drydock serve` shows the same thing.
 */
import type { RestorePlan, RestoreRunResult } from '../../../shared/channels/restore';
import type { ErrorPayload } from '../../../shared/errors';
import type { RunSummary } from '../../../shared/runs';
import { ErrorMessage } from '../../components/error-message';
import { formatTime } from '../../format';
import { FinishPanel } from './finish-panel';
import { HostKeyPanel } from './host-key-panel';
import { MODE_NAME, recoveryMode, runPhase, stoppedStep } from './recovery-runs';
import { StoppedActions, AbortButton, type RunActionsProps } from './run-actions';
import { CommandOutput, RunSteps } from './run-steps';

interface RunPanelProps {
  run?: RunSummary;
  /** This window's call is waiting for the run to be created. */
  starting: boolean;
  result: RestoreRunResult | null;
  plan: RestorePlan | null;
  /** The error of the call that started the run, or of the last action, when the run itself does not say it. */
  error: ErrorPayload | null;
  acting: boolean;
  act: RunActionsProps['act'];
  trust(fingerprint: string, shown: readonly string[]): void;
  onNew(): void;
}

const PHASE_TEXT = {
  running: 'Running',
  aborting: 'Aborting: undoing what was done, newest first',
  'host-key': 'Stopped: a host key to confirm',
  stopped: 'Stopped',
  aborted: 'Aborted',
  done: 'Finished',
} as const;

export function RunPanel({ run, starting, result, plan, error, acting, act, trust, onNew }: RunPanelProps) {
  const phase = run ? runPhase(run) : null;
  const failed = run ? stoppedStep(run) : undefined;
  const ended = phase === 'done' || phase === 'aborted';
  const mode = recoveryMode(run, result?.mode ?? plan?.mode);
  return (
    <section className="section" aria-labelledby="restore-run-heading" aria-busy={phase === 'running' || phase === 'aborting' || starting}>
      <h2 id="restore-run-heading">3. {MODE_NAME[mode].title} run</h2>
      {run ? (
        <p className="muted" data-testid="restore-run">
          {run.title ?? run.operation} · run {run.id}, started {formatTime(run.startedAt)} ·{' '}
          <strong data-testid="restore-phase">{PHASE_TEXT[phase!]}</strong>
        </p>
      ) : (
        starting && <p className="muted">Starting the run…</p>
      )}
      {run?.notice && <p className="message">{run.notice}</p>}
      {run && <RunSteps runId={run.id} steps={phase === 'host-key' ? withoutCliHint(run.steps) : run.steps} running={phase === 'running'} />}
      {run && <CommandOutput runId={run.id} />}
      {error && !saidByRun(run, error) && <ErrorMessage error={error} prefix={run ? 'Could not do that.' : 'The restore did not start.'} />}
      {run && phase === 'host-key' && (
        <>
          <HostKeyPanel run={run} busy={acting} onTrust={trust} />
          <div className="actions actions--start">
            <AbortButton run={run} act={act} busy={acting} />
          </div>
        </>
      )}
      {run && phase === 'stopped' && (
        <>
          <ErrorMessage
            error={{ code: run.errorCode ?? (run.status === 'interrupted' ? 'CANCELLED' : 'INTERNAL'), message: run.error ?? 'The run stopped before its end.' }}
            prefix={run.aborting ? 'The abort stopped half-way.' : failed ? `“${failed.title}” failed.` : 'The run stopped.'}
          />
          <p>
            {run.aborting
              ? 'Resume carries on undoing; nothing new is restored.'
              : 'Nothing goes on until you choose. Each choice asks first and says what it will do.'}
          </p>
          <StoppedActions run={run} failed={failed} act={act} busy={acting} />
        </>
      )}
      {run && ended && <FinishPanel run={run} result={result} plan={plan} />}
      {(ended || (!run && !starting)) && (
        <div className="actions actions--start">
          <button type="button" className="button" onClick={onNew}>
            Start another restore or drill
          </button>
        </div>
      )}
    </section>
  );
}

/** The host-key stop's note tells the CLI's way (drydock restore trust-key …): the panel below is this page's way. */
function withoutCliHint(steps: RunSummary['steps']): RunSummary['steps'] {
  return steps.map((s) => (s.status === 'failed' && s.message ? { ...s, message: s.message.replace(/ Check the fingerprint on the spare's console[\s\S]*$/, ' Confirm it below, or abort.') } : s));
}

/** The run's own stopped state already shows this error (the call that was waiting on the run failed with it). */
function saidByRun(run: RunSummary | undefined, error: ErrorPayload): boolean {
  if (!run || run.status === 'running' || run.status === 'done' || run.status === 'aborted') return false;
  return !!run.error && (run.error.includes(error.message) || error.message.includes(run.error));
}
