/**
 * What the Certificates wizard knows about the installation on the Services
 * machine (Replicated there or not, the hostname CircleCI is set up for),
 * read once when the wizard opens and again on request. Read-only: no run.
 */
import { create } from 'zustand';
import type { Installation } from '../../../shared/channels/certs';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';

export type InstallationView =
  | { status: 'loading' }
  | { status: 'ok'; installation: Installation }
  /** No Services machine in the inventory. */
  | { status: 'none'; error: ErrorPayload }
  | { status: 'failed'; error: ErrorPayload };

interface InstallationState {
  view: InstallationView;
  load(): Promise<void>;
}

export const useInstallation = create<InstallationState>()((set) => ({
  view: { status: 'loading' },
  async load() {
    set({ view: { status: 'loading' } });
    try {
      set({ view: { status: 'ok', installation: await call('certs:installation', {}) } });
    } catch (err) {
      const error = toErrorPayload(err);
      set({ view: { status: error.code === 'NOT_FOUND' && /No Services machine/.test(error.message) ? 'none' : 'failed', error } });
    }
  },
}));

/** The hostname CircleCI is configured for, when known. */
export function configuredHostname(view: InstallationView): string | null {
  return view.status === 'ok' ? view.installation.hostname : null;
}

export function whereConfigured(installation: Installation): string {
  return installation.hostnameFrom === 'app-config' ? `the app config on ${installation.services}` : `CIRCLE_URL on ${installation.services}`;
}
