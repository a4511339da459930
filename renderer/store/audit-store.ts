/**
 * The audit log: every command Drydock ran on a host, hash-chained so an
 * edit or a deleted line shows up when the chain is verified. The page asks
 * the engine for the entries matching its filter, then adds new ones live as
 * the engine reports them.
 */
import { create } from 'zustand';
import { matchesAuditFilter, type AuditEntry, type AuditFilter } from '../../shared/audit';
import type { ResponseOf } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { call } from '../api';

export const AUDIT_TAIL = 200;

interface AuditState {
  entries: AuditEntry[];
  filter: AuditFilter;
  loading: boolean;
  loadError?: ErrorPayload;
  verifying: boolean;
  verdict?: ResponseOf<'audit:verify'>;
  verifyError?: ErrorPayload;
  load(): Promise<void>;
  setFilter(filter: AuditFilter): Promise<void>;
  receive(event: DrydockEvent): void;
  verify(): Promise<void>;
}

export const useAudit = create<AuditState>()((set, get) => ({
  entries: [],
  filter: {},
  loading: false,
  verifying: false,

  async load() {
    set({ loading: true });
    const filter = get().filter;
    try {
      const entries = await call('audit:tail', { limit: AUDIT_TAIL, ...filter });
      // A newer filter may have been chosen meanwhile: its own load wins.
      if (get().filter === filter) set({ entries, loadError: undefined });
    } catch (err) {
      set({ loadError: toErrorPayload(err) });
    } finally {
      set({ loading: false });
    }
  },

  async setFilter(filter) {
    set({ filter });
    await get().load();
  },

  receive(event) {
    if (event.type !== 'audit') return;
    set((s) => {
      if (!matchesAuditFilter(event.entry, s.filter) || s.entries.some((e) => e.seq === event.entry.seq)) return s;
      return { entries: [...s.entries, event.entry].slice(-AUDIT_TAIL) };
    });
  },

  async verify() {
    set({ verifying: true, verdict: undefined, verifyError: undefined });
    try {
      set({ verdict: await call('audit:verify', {}) });
    } catch (err) {
      set({ verifyError: toErrorPayload(err) });
    } finally {
      set({ verifying: false });
    }
  },
}));
