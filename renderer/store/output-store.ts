/**
 * Command output of the runs this window watched, by run id, as the engine
 * streams it (host and stream kept per line). Bounded: the newest lines
 * stay, older ones go (the runbook and the report keep the full record).
 */
import { create } from 'zustand';
import type { DrydockEvent } from '../../shared/events';

export interface OutputLine {
  host: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

const MAX_LINES = 400;

interface OutputState {
  byRun: Record<string, OutputLine[]>;
  receive(event: DrydockEvent): void;
}

export const useOutput = create<OutputState>()((set) => ({
  byRun: {},
  receive(event) {
    if (event.type !== 'output' || !event.text) return;
    set((s) => {
      const lines = event.text.replace(/\n$/, '').split('\n').map((text) => ({ host: event.host, stream: event.stream, text }));
      const all = [...(s.byRun[event.runId] ?? []), ...lines];
      return { byRun: { ...s.byRun, [event.runId]: all.length > MAX_LINES ? all.slice(-MAX_LINES) : all } };
    });
  },
}));
