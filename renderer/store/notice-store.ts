/**
 * One line telling the admin how the last action went ("Trusted services1's
 * key", "Could not reach nomad-3: …"). Shown in a live region, so screen
 * readers hear it without focus moving.
 */
import { create } from 'zustand';

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

interface NoticeState {
  notice: Notice | null;
  show(kind: Notice['kind'], text: string): void;
  dismiss(): void;
}

export const useNotice = create<NoticeState>()((set) => ({
  notice: null,
  show: (kind, text) => set({ notice: { kind, text } }),
  dismiss: () => set({ notice: null }),
}));
