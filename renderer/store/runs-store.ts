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
  loaded: boolean;
  loadError?: ErrorPayload;
  resuming?: string;
  resumeError?: { id: string; error: ErrorPayload };
  load(): Promise<void>;
  receive(event: DrydockEvent): void;
  resume(id: string): Promise<void>;
}

const newestFirst = (a: RunSummary, b: RunSummary) => b.startedAt.localeCompare(a.startedAt);

export const useRuns = create<RunsState>()((set, get) => ({
  runs: [],
  loaded: false,

  async load() {
    try {
      set({ runs: await call('runs:list', {}), loaded: true, loadError: undefined });
    } catch (err) {
      set({ loadError: toErrorPayload(err) });
    }
  },

  receive(event) {
    if (event.type !== 'run') return;
    set((s) => {
      const others = s.runs.filter((r) => r.id !== event.run.id);
      return { runs: [event.run, ...others].sort(newestFirst) };
    });
  },

  async resume(id) {
    set({ resuming: id, resumeError: undefined });
    try {
      await call('runs:resume', { id });
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
