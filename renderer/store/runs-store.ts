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
  /** `secrets` by key, for a run whose RunSummary lists missingSecrets. */
  resume(id: string, secrets?: Record<string, string>): Promise<void>;
  /** What the last resume said (e.g. it started afresh). */
  resumeNotice?: { id: string; text: string };
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

  async resume(id, secrets) {
    set({ resuming: id, resumeError: undefined, resumeNotice: undefined });
    try {
      const run = await call('runs:resume', { id, ...(secrets && Object.keys(secrets).length ? { secrets } : {}) });
      const said = [run.notice, run.outcome && !run.outcome.ok ? run.outcome.message : undefined].filter(Boolean).join(' ');
      if (said) set({ resumeNotice: { id, text: said } });
    } catch (err) {
      set({ resumeError: { id, error: toErrorPayload(err) } });
    } finally {
      set({ resuming: undefined });
      await get().load();
    }
  },
}));
