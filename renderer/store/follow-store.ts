/**
 * Which run each wizard panel is showing, kept outside the panel so that
 * switching sections does not lose it, and its run id in sessionStorage so
 * that a page refresh or window reload does not either. The run itself
 * (steps, status, error) always comes from the engine's runs.
 */
import { create } from 'zustand';
import type { ErrorPayload } from '../../shared/errors';

export interface Follow {
  runId?: string;
  /** This window's call is still waiting for its answer. */
  pending: boolean;
  /** The call's answer, or the one kept with the run (read back after a reload). */
  result?: unknown;
  error?: ErrorPayload;
}

const STORAGE_KEY = 'drydock.followed-runs';

function loadSaved(): Record<string, Follow> {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(saved)
        .filter(([, id]) => typeof id === 'string' && /^[A-Za-z0-9-]+$/.test(id))
        .map(([key, id]) => [key, { runId: id as string, pending: false }]),
    );
  } catch {
    return {};
  }
}

function save(follows: Record<string, Follow>): void {
  try {
    const ids = Object.fromEntries(Object.entries(follows).flatMap(([key, f]) => (f.runId ? [[key, f.runId]] : [])));
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
  } catch {
    /* storage full or disabled: following still works until a reload */
  }
}

interface FollowState {
  follows: Record<string, Follow>;
  begin(key: string): void;
  adopt(key: string, runId: string): void;
  finish(key: string, outcome: { result?: unknown; error?: ErrorPayload; runId?: string }): void;
  clear(key: string): void;
}

export const useFollow = create<FollowState>()((set) => {
  const update = (fn: (follows: Record<string, Follow>) => Record<string, Follow>) =>
    set((s) => {
      const follows = fn(s.follows);
      save(follows);
      return { follows };
    });
  return {
    follows: loadSaved(),
    begin: (key) => update((f) => ({ ...f, [key]: { pending: true } })),
    adopt: (key, runId) => update((f) => ({ ...f, [key]: { ...(f[key] ?? { pending: false }), runId } })),
    finish: (key, { result, error, runId }) =>
      update((f) => ({ ...f, [key]: { ...f[key], pending: false, runId: runId ?? f[key]?.runId, ...(result !== undefined ? { result } : {}), ...(error ? { error } : {}) } })),
    clear: (key) =>
      update((f) => {
        const rest = { ...f };
        delete rest[key];
        return rest;
      }),
  };
});
