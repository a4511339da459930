/**
 * Runbooks: every operation run, step by step, as persisted by the engine.
 * A run stopped by a crash, a closed laptop or a lost host can be resumed at
 * the step that was running.
 */
import { create } from 'zustand';
import type { RunSummary } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';

interface RunsState {
  runs: RunSummary[];
  loadError?: ErrorPayload;
  resuming?: string;
  resumeError?: { id: string; error: ErrorPayload };
  load(): Promise<void>;
  resume(id: string): Promise<void>;
}

export const useRuns = create<RunsState>()((set, get) => ({
  runs: [],

  async load() {
    try {
      set({ runs: await call('runs:list', {}), loadError: undefined });
    } catch (err) {
      set({ loadError: toErrorPayload(err) });
    }
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
