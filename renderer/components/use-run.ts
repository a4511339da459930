/**
 * One engine call that runs an operation, with its steps followed live
 * (progress-store) and its outcome kept: what every path of the wizard does
 * when it touches a host.
 *
 * With `attach`, the engine's runs are the source of truth instead of this
 * component: the panel shows whichever run of its operation is going on
 * (started before a page refresh, in another window, or from the CLI's
 * browser mode), keeps showing it across section switches and reloads, and
 * reads its result back from the engine when the call that started it is
 * gone.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { channels, isChannel } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import type { RunSummary } from '../../shared/runs';
import { call } from '../api';
import { useFollow } from '../store/follow-store';
import { useProgress, type StepView } from '../store/progress-store';
import { useRuns } from '../store/runs-store';

const NO_STEPS: StepView[] = [];

export interface RunView<T> {
  busy: boolean;
  error: ErrorPayload | null;
  result: T | null;
  steps: StepView[];
  /** The engine's run this view shows, once known. */
  run?: RunSummary;
  start(call: () => Promise<T>, runIdOf?: (result: T) => string | undefined): Promise<T | null>;
  reset(): void;
}

export function useRun<T>(key: string, operation: string, options: { attach?: boolean } = {}): RunView<T> {
  const local = useLocalRun<T>(key, operation);
  const attached = useAttachedRun<T>(key, operation, !!options.attach);
  return options.attach ? attached : local;
}

function useLocalRun<T>(key: string, operation: string): RunView<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [result, setResult] = useState<T | null>(null);
  const steps = useProgress((s) => s.watches[key]?.steps ?? NO_STEPS);

  const start = useCallback(
    async (call: () => Promise<T>, runIdOf?: (result: T) => string | undefined) => {
      const progress = useProgress.getState();
      progress.watch(key, operation);
      setBusy(true);
      setError(null);
      setResult(null);
      try {
        const value = await call();
        progress.settle(key, runIdOf?.(value));
        setResult(value);
        return value;
      } catch (err) {
        progress.settle(key);
        setError(toErrorPayload(err));
        return null;
      } finally {
        setBusy(false);
      }
    },
    [key, operation],
  );

  const reset = useCallback(() => {
    setError(null);
    setResult(null);
    useProgress.getState().watch(key, operation);
  }, [key, operation]);

  return { busy, error, result, steps, start, reset };
}

function useAttachedRun<T>(key: string, operation: string, enabled: boolean): RunView<T> {
  const follow = useFollow((s) => (enabled ? s.follows[key] : undefined));
  const runs = useRuns((s) => s.runs);
  const run = follow?.runId ? runs.find((r) => r.id === follow.runId) : undefined;
  const going = enabled && !follow?.runId ? runs.find((r) => r.operation === operation && r.status === 'running') : undefined;

  // A run of this operation is going on and this panel follows none: show it.
  useEffect(() => {
    if (going) useFollow.getState().adopt(key, going.id);
  }, [going, key]);

  // The run ended while no call of this window was waiting for it (a reload,
  // another window): read the answer the engine kept with it.
  const needsOutcome = enabled && !!run && run.status === 'done' && !follow?.pending && follow?.result === undefined;
  useEffect(() => {
    if (!needsOutcome || !run) return;
    let stale = false;
    void call('runs:get', { id: run.id })
      .then((got) => {
        if (stale || !got.outcome || !isChannel(got.outcome.channel)) return;
        const parsed = channels[got.outcome.channel].response.safeParse(got.outcome.value);
        if (parsed.success) useFollow.getState().finish(key, { result: parsed.data, runId: run.id });
      })
      .catch(() => undefined);
    return () => {
      stale = true;
    };
    // The answer is saved just after the run's last step: look again when the run is saved again.
  }, [needsOutcome, run?.id, run?.updatedAt, key]);

  const steps = useMemo<StepView[]>(
    () => (run ? run.steps.map((s) => ({ step: s.name, title: s.title, status: s.status, message: s.message, runId: run.id })) : NO_STEPS),
    [run],
  );

  const runError: ErrorPayload | null =
    run && (run.status === 'failed' || run.status === 'interrupted') && !follow?.pending
      ? { code: run.errorCode ?? (run.status === 'interrupted' ? 'CANCELLED' : 'INTERNAL'), message: run.error ?? 'The run stopped before its end.' }
      : null;

  const start = useCallback(
    async (invoke: () => Promise<T>, runIdOf?: (result: T) => string | undefined) => {
      const follows = useFollow.getState();
      follows.begin(key);
      try {
        const value = await invoke();
        follows.finish(key, { result: value, runId: runIdOf?.(value) });
        return value;
      } catch (err) {
        follows.finish(key, { error: toErrorPayload(err) });
        return null;
      }
    },
    [key],
  );

  const reset = useCallback(() => useFollow.getState().clear(key), [key]);

  return {
    busy: !!follow?.pending || run?.status === 'running',
    error: follow?.error ?? runError,
    result: (follow?.result as T | undefined) ?? null,
    steps,
    ...(run ? { run } : {}),
    start,
    reset,
  };
}
