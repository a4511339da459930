/**
 * One engine call that runs an operation, with its steps followed live
 * (progress-store) and its outcome kept: what every path of the wizard does
 * when it touches a host.
 */
import { useCallback, useState } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { useProgress, type StepView } from '../store/progress-store';

const NO_STEPS: StepView[] = [];

export interface RunView<T> {
  busy: boolean;
  error: ErrorPayload | null;
  result: T | null;
  steps: StepView[];
  start(call: () => Promise<T>, runIdOf?: (result: T) => string | undefined): Promise<T | null>;
  reset(): void;
}

export function useRun<T>(key: string, operation: string): RunView<T> {
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
