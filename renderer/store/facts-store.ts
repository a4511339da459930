/**
 * What each host told us about itself, fetched on request. One fetch at a
 * time: progress events name an operation and a run, not a host, so two
 * concurrent fetches could not be told apart.
 */
import { create } from 'zustand';
import type { ErrorPayload } from '../../shared/errors';
import type { HostFacts } from '../../shared/facts';
import { call } from '../api';
import { useHosts } from './hosts-store';
import { useNotice } from './notice-store';
import { useProgress } from './progress-store';

export const FACTS_OPERATION = 'host-facts';

export type FactsView =
  | { status: 'running' }
  | { status: 'done'; facts: HostFacts; runId: string; at: Date }
  | { status: 'failed'; error: ErrorPayload };

interface FactsState {
  byHost: Record<string, FactsView>;
  /** The host whose facts are being fetched, if any. */
  fetching: string | null;
  fetch(name: string): Promise<void>;
  forget(name: string): void;
}

export const progressKey = (name: string) => `facts:${name}`;

export const useFacts = create<FactsState>()((set, get) => ({
  byHost: {},
  fetching: null,

  async fetch(name) {
    if (get().fetching) return;
    useNotice.getState().dismiss();
    const progress = useProgress.getState();
    progress.watch(progressKey(name), FACTS_OPERATION);
    set((s) => ({ fetching: name, byHost: { ...s.byHost, [name]: { status: 'running' } } }));
    let view: FactsView;
    try {
      const { runId, facts } = await call('hosts:facts', { name });
      progress.settle(progressKey(name), runId);
      view = { status: 'done', facts, runId, at: new Date() };
    } catch (err) {
      progress.settle(progressKey(name));
      view = { status: 'failed', error: useHosts.getState().noteFailure(name, err) };
    }
    set((s) => ({ fetching: null, byHost: { ...s.byHost, [name]: view } }));
  },

  forget(name) {
    set((s) => {
      const byHost = { ...s.byHost };
      delete byHost[name];
      return { byHost };
    });
  },
}));
