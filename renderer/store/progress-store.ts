/**
 * Step progress of the runs the admin is waiting on. A call learns its run id
 * only when it returns, so a watch starts by following the first run of its
 * operation that reports after the call began, and once the call settles it
 * follows that run's id exactly (late events of the same run still land).
 */
import { create } from 'zustand';
import type { StepStatus } from '../../shared/events';
import type { DrydockEvent } from '../../shared/events';

export interface StepView {
  step: string;
  title: string;
  status: StepStatus;
  message?: string;
  /** The run the step belongs to, so the admin can stop it. */
  runId?: string;
}

interface Watch {
  operation: string;
  runId?: string;
  /** True until the call returns; only then may a new run be adopted. */
  open: boolean;
  steps: StepView[];
}

interface ProgressState {
  watches: Record<string, Watch>;
  /** Start (or restart) watching `operation` under `key`, e.g. `facts:services1`. */
  watch(key: string, operation: string): void;
  /** The call returned: pin the watch to its run id, if one is known. */
  settle(key: string, runId?: string): void;
  receive(event: DrydockEvent): void;
}

export const useProgress = create<ProgressState>()((set) => ({
  watches: {},

  watch(key, operation) {
    set((s) => ({ watches: { ...s.watches, [key]: { operation, open: true, steps: [] } } }));
  },

  settle(key, runId) {
    set((s) => {
      const w = s.watches[key];
      if (!w) return s;
      const steps = runId && w.runId && w.runId !== runId ? [] : w.steps;
      return { watches: { ...s.watches, [key]: { ...w, open: false, runId: runId ?? w.runId, steps } } };
    });
  },

  receive(event) {
    if (event.type !== 'step') return;
    set((s) => {
      let changed = false;
      const watches = { ...s.watches };
      for (const [key, w] of Object.entries(s.watches)) {
        const follows = w.runId ? w.runId === event.runId : w.open && w.operation === event.operation;
        if (!follows) continue;
        const view: StepView = { step: event.step, title: event.title, status: event.status, message: event.message, runId: event.runId };
        const index = w.steps.findIndex((st) => st.step === event.step);
        const steps = index === -1 ? [...w.steps, view] : w.steps.map((st, i) => (i === index ? view : st));
        watches[key] = { ...w, runId: event.runId, steps };
        changed = true;
      }
      return changed ? { watches } : s;
    });
  },
}));
