/**
 * Runbooks on disk: one JSON file per run under DRYDOCK_HOME/runs, rewritten
 * atomically after every step, so a crash or a closed laptop loses at most
 * the step that was running, and that step is re-checked on resume.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../../shared/errors';
import type { RunSummary, StepStatus } from '../../../shared/runs';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';

export interface RunRecord {
  id: string;
  operation: string;
  status: 'running' | 'done' | 'failed' | 'interrupted' | 'aborted';
  /** An abort is under way (or stopped half-way): resuming carries on undoing, never re-applies. */
  aborting?: boolean;
  /** The process running it, so a run left 'running' by a crash shows as interrupted. */
  pid: number;
  /** Linux boot id when the pid was recorded: after a reboot, the same pid is another process. */
  boot?: string;
  startedAt: string;
  updatedAt: string;
  /** Who started it: local user @ machine (for the change-control report). */
  by?: string;
  input: unknown;
  state: unknown;
  steps: { name: string; title: string; status: StepStatus; startedAt?: string; endedAt?: string; message?: string }[];
  error?: string;
  errorCode?: ErrorCode;
  /** Set when the run stops (done, failed or interrupted). */
  endedAt?: string;
  /** The answer the run's call gave (for a window that reloaded meanwhile); only for channels whose answers hold no secrets. */
  outcome?: { channel: string; value: unknown };
  /** Salted hashes of the secret inputs (secret-input.ts), to notice a resume with other ones. */
  secretHashes?: Record<string, string>;
  /** The run that replaced this one (started afresh): this one is not resumed any more. */
  supersededBy?: string;
  notice?: string;
}

/** This boot's id where the OS tells it (Linux), so pids from an earlier boot are not mistaken for live ones. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number, boot: string | undefined): boolean {
  if (boot && boot !== bootId()) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'runs');
  }

  private file(id: string): string {
    if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`bad run id ${id}`);
    return path.join(this.dir, `${id}.json`);
  }

  save(run: RunRecord): void {
    run.updatedAt = new Date().toISOString();
    writeFileAtomic(this.file(run.id), JSON.stringify(run, null, 2) + '\n');
  }

  load(id: string): RunRecord | null {
    const run = readJsonFile<RunRecord | null>(this.file(id), null);
    if (run && run.status === 'running' && run.pid !== process.pid && !alive(run.pid, run.boot)) run.status = 'interrupted';
    return run;
  }

  list(): RunRecord[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names
      .map((n) => this.load(n.slice(0, -5)))
      .filter((r): r is RunRecord => r !== null)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}

export function summarize(run: RunRecord, title?: string): RunSummary {
  return {
    id: run.id,
    operation: run.operation,
    ...(title ? { title } : {}),
    status: run.status,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    // A run found 'interrupted' (its process died) ended at its last save.
    ...(run.status !== 'running' ? { endedAt: run.endedAt ?? run.updatedAt } : {}),
    steps: run.steps.map((s) => ({ ...s })),
    ...(run.error ? { error: run.error } : {}),
    ...(run.error && run.errorCode ? { errorCode: run.errorCode } : {}),
    ...(run.notice ? { notice: run.notice } : {}),
    ...(run.aborting ? { aborting: true } : {}),
  };
}
