/**
 * Runbooks: every operation run, step by step, as the engine keeps them.
 * Loaded once, then kept current by the engine's run events, whoever started
 * the run (this window before a reload, another window, the CLI's serve): the
 * engine's runs are the truth about what is going on, not a component's state.
 * A run stopped by a crash, a closed laptop or a lost host can be resumed at
 * the step that was running.
 */
import { create } from 'zustand';
import type { RunSummary } from '../../shared/runs';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { call } from '../api';

interface RunsState {
  runs: RunSummary[];
  /** Runs this window saw running that then stopped short (failed or interrupted), until the admin dismisses them. */
  stopped: string[];
  dismiss(id: string): void;
  loaded: boolean;
  loadError?: ErrorPayload;
  resuming?: string;
  resumeError?: { id: string; error: ErrorPayload };
  load(): Promise<void>;
  receive(event: DrydockEvent): void;
  /** `secrets` by key, for a run whose RunSummary lists missingSecrets; `confirmRestarts` once the admin saw restartsOnResume. */
  resume(id: string, secrets?: Record<string, string>, confirmRestarts?: boolean): Promise<void>;
  /** What the last resume said (e.g. it started afresh). */
  resumeNotice?: { id: string; text: string };
}

const newestFirst = (a: RunSummary, b: RunSummary) => b.startedAt.localeCompare(a.startedAt);

/** Ids of runs that were running before and now stopped short. */
function newlyStopped(before: readonly RunSummary[], after: readonly RunSummary[]): string[] {
  const wasRunning = new Set(before.filter((r) => r.status === 'running').map((r) => r.id));
  return after.filter((r) => wasRunning.has(r.id) && (r.status === 'failed' || r.status === 'interrupted')).map((r) => r.id);
}

export const useRuns = create<RunsState>()((set, get) => ({
  runs: [],
  stopped: [],
  loaded: false,

  async load() {
    try {
      const runs = await call('runs:list', {});
      set((s) => ({ runs, loaded: true, loadError: undefined, stopped: [...new Set([...s.stopped, ...newlyStopped(s.runs, runs)])] }));
    } catch (err) {
      set({ loadError: toErrorPayload(err) });
    }
  },

  receive(event) {
    if (event.type !== 'run') return;
    set((s) => {
      const others = s.runs.filter((r) => r.id !== event.run.id);
      const runs = [event.run, ...others].sort(newestFirst);
      const stopped = newlyStopped(s.runs, [event.run]).filter((id) => !s.stopped.includes(id));
      return stopped.length ? { runs, stopped: [...s.stopped, ...stopped] } : { runs };
    });
  },

  dismiss(id) {
    set((s) => ({ stopped: s.stopped.filter((x) => x !== id) }));
  },

  async resume(id, secrets, confirmRestarts) {
    set({ resuming: id, resumeError: undefined, resumeNotice: undefined });
    try {
      const run = await call('runs:resume', { id, ...(secrets && Object.keys(secrets).length ? { secrets } : {}), ...(confirmRestarts ? { confirmRestarts } : {}) });
      const said = [run.notice, run.verdict && !run.verdict.ok ? run.verdict.message : undefined].filter(Boolean).join(' ');
      if (said) set({ resumeNotice: { id, text: said } });
    } catch (err) {
      set({ resumeError: { id, error: toErrorPayload(err) } });
    } finally {
      set({ resuming: undefined });
      await get().load();
    }
  },
}));

/** Runs going on now, oldest first (the one the admin started first is named first). */
export function runningRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'running').reverse();
}
