/**
 * Which run a piece of work belongs to, carried along async calls: the
 * runner enters a run's scope around its steps, and every audit entry made
 * inside (by whichever shared SSH session) is tagged with that run, so the
 * Audit page can show what one run did.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

export function withRun<T>(runId: string, fn: () => T): T {
  return scope.run(runId, fn);
}

export function currentRun(): string | undefined {
  return scope.getStore();
}
