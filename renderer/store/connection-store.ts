/**
 * "Test connection" results per host: key trusted, login works, root works,
 * each kept apart because each is fixed somewhere else.
 */
import { create } from 'zustand';
import type { ConnectionTest } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';

export type ConnectionView = { status: 'testing' } | { status: 'done'; test: ConnectionTest; at: Date } | { status: 'failed'; error: ErrorPayload };

interface ConnectionState {
  byHost: Record<string, ConnectionView>;
  /** The host whose result is on show. */
  shown: string | null;
  test(name: string): Promise<void>;
  hide(): void;
}

export const useConnection = create<ConnectionState>()((set) => ({
  byHost: {},
  shown: null,

  async test(name) {
    set((s) => ({ shown: name, byHost: { ...s.byHost, [name]: { status: 'testing' } } }));
    let view: ConnectionView;
    try {
      view = { status: 'done', test: await call('hosts:test', { name }), at: new Date() };
    } catch (err) {
      view = { status: 'failed', error: toErrorPayload(err) };
    }
    set((s) => ({ byHost: { ...s.byHost, [name]: view } }));
  },

  hide() {
    set({ shown: null });
  },
}));
