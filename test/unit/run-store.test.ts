import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootId, RunStore, type RunRecord } from '../../electron/engine/runbook/run-store';

function record(pid: number, boot: string | undefined): RunRecord {
  const now = new Date().toISOString();
  return { id: `run-${pid}`, operation: 'host-facts', status: 'running', pid, boot, startedAt: now, updatedAt: now, input: {}, state: {}, steps: [] };
}

describe('run store', () => {
  const store = new RunStore(mkdtempSync(path.join(os.tmpdir(), 'drydock-runs-')));

  it('shows a run whose process is gone as interrupted', () => {
    // pid 1 of this container lives, a reboot's pid does not: it belongs to the boot recorded with it.
    store.save(record(1, 'an-earlier-boot'));
    expect(store.load('run-1')!.status).toBe(bootId() ? 'interrupted' : 'running');
    store.save(record(2 ** 22 + 7, bootId()));
    expect(store.load(`run-${2 ** 22 + 7}`)!.status).toBe('interrupted');
  });

  it('keeps a run of a live process running', () => {
    store.save(record(process.ppid, bootId()));
    expect(store.load(`run-${process.ppid}`)!.status).toBe('running');
  });
});
