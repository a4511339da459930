/**
 * The inventory as the Hosts page shows it, plus the one fact about a host
 * that outranks everything else: its key changed. That is recorded whichever
 * call discovered it (a scan, a trust, facts), and while it stands the page
 * shows the warning instead of anything learnt from the host.
 */
import { create } from 'zustand';
import type { HostSaved, HostView, RequestOf, ResponseOf } from '../../shared/contract';
import type { HostRole } from '../../shared/hosts';
import { DrydockError, toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';
import { useNotice } from './notice-store';

/** The two fingerprints an admin needs to judge a changed key. */
export interface KeyChange {
  stored?: string;
  presented?: string;
}

/** What the previous add used, offered again for the next host (most hosts share a key and a role). */
export interface LastAdd {
  keyPath: string;
  role: HostRole;
}
const LAST_ADD_KEY = 'drydock.last-add';

function loadLastAdd(): LastAdd | null {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_ADD_KEY) ?? 'null') as Partial<LastAdd> | null;
    return v && typeof v.keyPath === 'string' && typeof v.role === 'string' ? { keyPath: v.keyPath, role: v.role as HostRole } : null;
  } catch {
    return null;
  }
}

interface HostsState {
  hosts: HostView[];
  lastAdd: LastAdd | null;
  loaded: boolean;
  loadError?: ErrorPayload;
  keyChanged: Record<string, KeyChange>;
  load(): Promise<void>;
  /** Adds the host; throws the engine's error (INVALID_INPUT carries fields). */
  add(host: RequestOf<'hosts:add'>): Promise<HostSaved>;
  /** Edits in place; CONFLICT with `details.forgetKey` until `forgetKey` is given for a moved host. */
  edit(request: RequestOf<'hosts:edit'>): Promise<ResponseOf<'hosts:edit'>>;
  clearCredentials(name: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  /** Drop the trusted key (after the admin checked the new one on the console). */
  forgetKey(name: string): Promise<number>;
  noteKeyChanged(name: string, change: KeyChange): void;
  clearKeyChanged(name: string): void;
  /** Call after any failed call about a host: records HOST_KEY_CHANGED. */
  noteFailure(name: string, err: unknown): ErrorPayload;
}

export const useHosts = create<HostsState>()((set, get) => ({
  hosts: [],
  lastAdd: loadLastAdd(),
  loaded: false,
  keyChanged: {},

  async load() {
    try {
      const hosts = await call('hosts:list', {});
      set({ hosts, loaded: true, loadError: undefined });
    } catch (err) {
      set({ loaded: true, loadError: toErrorPayload(err) });
    }
  },

  async add(host) {
    const added = await call('hosts:add', host);
    const lastAdd = { keyPath: added.keyPath ?? '', role: added.role };
    try {
      localStorage.setItem(LAST_ADD_KEY, JSON.stringify(lastAdd));
    } catch {
      /* offered again until the window closes, then */
    }
    set({ lastAdd });
    await get().load();
    return added;
  },

  async edit(request) {
    const saved = await call('hosts:edit', request);
    // A moved host's old "changed key" warning no longer applies.
    if (request.changes.address !== undefined || request.changes.port !== undefined) get().clearKeyChanged(request.name);
    await get().load();
    return saved;
  },

  async clearCredentials(name) {
    const { cleared } = await call('hosts:clear-credentials', { name });
    await get().load();
    return cleared;
  },

  async remove(name) {
    await call('hosts:remove', { name });
    get().clearKeyChanged(name);
    await get().load();
  },

  async forgetKey(name) {
    const { removed } = await call('hosts:forget-key', { name });
    get().clearKeyChanged(name);
    await get().load();
    return removed;
  },

  noteKeyChanged(name, change) {
    // Whatever the last message said ("Trusted …") is no longer the news.
    useNotice.getState().dismiss();
    set((s) => ({ keyChanged: { ...s.keyChanged, [name]: change } }));
  },

  clearKeyChanged(name) {
    set((s) => {
      if (!(name in s.keyChanged)) return s;
      const rest = { ...s.keyChanged };
      delete rest[name];
      return { keyChanged: rest };
    });
  },

  noteFailure(name, err) {
    const payload = toErrorPayload(err);
    if (err instanceof DrydockError && err.code === 'HOST_KEY_CHANGED') {
      const details = err.details ?? {};
      get().noteKeyChanged(name, {
        stored: typeof details.stored === 'string' ? details.stored : undefined,
        presented: typeof details.presented === 'string' ? details.presented : undefined,
      });
    }
    return payload;
  },
}));
