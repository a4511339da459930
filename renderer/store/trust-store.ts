/**
 * Trust on first use, done the careful way: read the key the host presents
 * (trusting nothing), let the admin compare its fingerprint with the one the
 * host's console shows, and store it only if the host still presents exactly
 * that fingerprint. A changed key never reaches the dialog: it goes to the
 * red warning instead.
 */
import { create } from 'zustand';
import type { HostKeyScan } from '../../shared/contract';
import { DrydockError, type ErrorPayload } from '../../shared/errors';
import { call } from '../api';
import { useConnection } from './connection-store';
import { useHosts } from './hosts-store';
import { useNotice } from './notice-store';

export type TrustFlow =
  | { phase: 'scanning'; name: string }
  | { phase: 'confirm'; name: string; scan: HostKeyScan; trusting: boolean; error?: ErrorPayload };

interface TrustState {
  flow: TrustFlow | null;
  /** Scan the host's key and, if it is new, ask the admin to confirm it. */
  check(name: string): Promise<void>;
  /** Trust the fingerprint shown in the dialog, and nothing else. */
  confirm(): Promise<void>;
  cancel(): void;
}

export const useTrust = create<TrustState>()((set, get) => ({
  flow: null,

  async check(name) {
    set({ flow: { phase: 'scanning', name } });
    const notice = useNotice.getState();
    try {
      const scan = await call('hosts:scan-key', { name });
      if (get().flow?.name !== name) return;
      if (scan.status === 'changed') {
        set({ flow: null });
        useHosts.getState().noteKeyChanged(name, { stored: scan.storedFingerprint, presented: scan.fingerprint });
      } else if (scan.status === 'trusted') {
        set({ flow: null });
        useHosts.getState().clearKeyChanged(name);
        notice.show('info', `${name} already presents the key Drydock trusts (${scan.fingerprint}).`);
      } else {
        set({ flow: { phase: 'confirm', name, scan, trusting: false } });
      }
    } catch (err) {
      if (get().flow?.name === name) set({ flow: null });
      const payload = useHosts.getState().noteFailure(name, err);
      if (payload.code !== 'HOST_KEY_CHANGED') notice.show('error', `Could not read the host key of ${name}: ${payload.message}`);
    }
  },

  async confirm() {
    const flow = get().flow;
    if (flow?.phase !== 'confirm' || flow.trusting) return;
    const { name, scan } = flow;
    set({ flow: { ...flow, trusting: true, error: undefined } });
    try {
      const trusted = await call('hosts:trust', { name, fingerprint: scan.fingerprint });
      set({ flow: null });
      useHosts.getState().clearKeyChanged(name);
      useNotice.getState().show('info', `Trusted the ${trusted.keyType} key of ${name} (${trusted.fingerprint}).`);
      await useHosts.getState().load();
      // Trusting the key says nothing about the login: try it now, while the admin is here.
      void useConnection.getState().test(name);
    } catch (err) {
      const payload = useHosts.getState().noteFailure(name, err);
      if (err instanceof DrydockError && err.code === 'HOST_KEY_CHANGED') set({ flow: null });
      else set({ flow: { ...flow, trusting: false, error: payload } });
    }
  },

  cancel() {
    set({ flow: null });
  },
}));
