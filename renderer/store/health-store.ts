/**
 * The last health check of the Services machine, and auto-refresh. Pending
 * job counts of earlier checks go with each request so the advice can tell
 * a growing queue from a blip.
 */
import { create } from 'zustand';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import type { HealthReport } from '../../shared/health/report';
import { call } from '../api';

export const REFRESH_CHOICES = [0, 15, 30, 60, 300] as const;

interface HealthState {
  report?: HealthReport;
  checking: boolean;
  error?: ErrorPayload;
  /** Seconds between checks; 0 = off. */
  every: number;
  history: number[];
  /** The container whose downstream the dependency view highlights. */
  focus?: string;
  /** The admin's word on LDAP / S3 (undefined: from Replicated's settings). */
  given: { ldap?: boolean; s3?: boolean };
  setGiven(given: { ldap?: boolean; s3?: boolean }): void;
  check(): Promise<void>;
  setEvery(seconds: number): void;
  setFocus(name?: string): void;
}

export const useHealth = create<HealthState>()((set, get) => ({
  checking: false,
  every: 0,
  history: [],
  given: {},

  async check() {
    if (get().checking) return;
    set({ checking: true });
    try {
      const history = get().history;
      const report = await call('health:check', { ...get().given, ...(history.length ? { pendingHistory: history.slice(-20) } : {}) });
      const down = report.containers.filter((c) => c.down && c.takesDown.length);
      const focus = get().focus;
      set({
        report,
        error: undefined,
        history: [...history, report.nomad.jobs.pending].slice(-20),
        // Keep the admin's choice while it is still down; else show the worst one.
        focus: focus && report.containers.some((c) => c.name === focus) ? focus : down[0]?.name,
      });
    } catch (err) {
      set({ error: toErrorPayload(err) });
    } finally {
      set({ checking: false });
    }
  },

  setEvery(seconds) {
    set({ every: seconds });
  },

  setFocus(name) {
    set({ focus: name });
  },

  setGiven(given) {
    set({ given });
    void get().check();
  },
}));
