/**
 * The audit log: every command Drydock ran on a host, hash-chained so an
 * edit or a deleted line shows up when the chain is verified.
 */
import { create } from 'zustand';
import type { AuditEntry, ResponseOf } from '../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';

export const AUDIT_TAIL = 200;

interface AuditState {
  entries: AuditEntry[];
  loading: boolean;
  loadError?: ErrorPayload;
  verifying: boolean;
  verdict?: ResponseOf<'audit:verify'>;
  verifyError?: ErrorPayload;
  load(): Promise<void>;
  verify(): Promise<void>;
}

export const useAudit = create<AuditState>()((set) => ({
  entries: [],
  loading: false,
  verifying: false,

  async load() {
    set({ loading: true });
    try {
      set({ entries: await call('audit:tail', { limit: AUDIT_TAIL }), loadError: undefined });
    } catch (err) {
      set({ loadError: toErrorPayload(err) });
    } finally {
      set({ loading: false });
    }
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
