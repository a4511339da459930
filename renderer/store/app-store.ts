/** Which Drydock this is and where it keeps its files, for the sidebar footer. */
import { create } from 'zustand';
import type { ResponseOf } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';

interface AppState {
  info?: ResponseOf<'app:info'>;
  error?: ErrorPayload;
  load(): Promise<void>;
}

export const useApp = create<AppState>()((set) => ({
  async load() {
    try {
      set({ info: await call('app:info', {}), error: undefined });
    } catch (err) {
      set({ error: toErrorPayload(err) });
    }
  },
}));
