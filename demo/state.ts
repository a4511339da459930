/**
 * One practice installation per machine (its hosts have fixed addresses): the
 * running demo records itself in /run/drydock-demo/demo.json; a second demo
 * reads it and refuses, and `npm run demo -- stop` signals the one recorded.
 */
import fs from 'node:fs';
import path from 'node:path';

export const STATE_DIR = '/run/drydock-demo';
const STATE_FILE = path.join(STATE_DIR, 'demo.json');

export interface DemoState {
  pid: number;
  /** Start time of pid (clock ticks since boot), to tell our demo from a reused pid. */
  started: string;
  dir: string;
  home: string;
  user: string;
  keep: boolean;
  url?: string;
}

function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

export function alive(state: Pick<DemoState, 'pid' | 'started'>): boolean {
  return startTime(state.pid) === state.started;
}

export function readState(): DemoState | null {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as DemoState;
  } catch {
    return null;
  }
}

/**
 * Records this process as the running demo. Returns the demo already running
 * instead, if any (a record whose process is gone is taken over).
 */
export function claim(state: Omit<DemoState, 'pid' | 'started'>): DemoState | null {
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const mine: DemoState = { pid: process.pid, started: startTime(process.pid) ?? '', ...state };
  const tmp = `${STATE_FILE}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(mine, null, 2) + '\n', { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(tmp, STATE_FILE); // atomic: fails if a record exists
        return null;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const other = readState();
      if (other && alive(other)) return other;
      // Stale (its demo was killed): move it aside atomically so only one taker wins.
      try {
        fs.renameSync(STATE_FILE, `${STATE_FILE}.stale-${process.pid}`);
        fs.rmSync(`${STATE_FILE}.stale-${process.pid}`, { force: true });
      } catch {
        /* someone else took it first */
      }
    }
    const other = readState();
    if (other) return other;
    throw new Error(`could not record the demo in ${STATE_FILE}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Adds what became known later (the URL). */
export function update(patch: Partial<DemoState>): void {
  const current = readState();
  if (!current || current.pid !== process.pid) return;
  const tmp = `${STATE_FILE}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ ...current, ...patch }, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, STATE_FILE);
}

/** Forgets a demo that was killed (its record outlived it). */
export function forgetStale(): void {
  const current = readState();
  if (current && !alive(current)) fs.rmSync(STATE_FILE, { force: true });
}

export function release(): void {
  const current = readState();
  if (current && current.pid === process.pid) fs.rmSync(STATE_FILE, { force: true });
  try {
    fs.rmdirSync(STATE_DIR);
  } catch {
    /* not empty or gone */
  }
}
