/**
 * A run's change-control report holds that run's commands: the ones tagged
 * with its id, and untagged ones in its time window (from a Drydock that did
 * not tag entries yet), never those of another run that ran at the same time.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/engine/audit/audit-log';
import { withRun } from '../../electron/engine/audit/run-scope';
import { Inventory } from '../../electron/engine/inventory/inventory';
import { changeControlContext } from '../../electron/engine/report/change-control';
import type { RunRecord } from '../../electron/engine/runbook/run-store';
import { KnownHosts } from '../../electron/engine/ssh/known-hosts';

const rec = (host: string, command: string) => ({ host, fingerprint: '', kind: 'command' as const, command, exitCode: 0, durationMs: 1 });

function runRecord(id: string, startedAt: string, updatedAt: string): RunRecord {
  return { id, operation: 'proxy-apply', status: 'done', pid: 1, startedAt, updatedAt, input: {}, state: {}, steps: [] };
}

describe('change-control report of one run', () => {
  it('keeps its own and untagged commands in its window, not another run\'s', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-report-'));
    const audit = new AuditLog(path.join(home, 'audit.jsonl'));
    const start = new Date(Date.now() - 1000).toISOString();
    await withRun('run-a', async () => audit.append(rec('services', 'echo mine')));
    await withRun('run-b', async () => audit.append(rec('nomad-1', 'echo theirs')));
    audit.append(rec('services', 'echo untagged'));
    const end = new Date(Date.now() + 1000).toISOString();
    const runs = new Map([['run-a', runRecord('run-a', start, end)]]);
    const ctx = changeControlContext(
      { audit, runs: { load: (id: string) => runs.get(id) ?? null, list: () => [...runs.values()] }, inventory: new Inventory(home), knownHosts: new KnownHosts(path.join(home, 'known_hosts')), version: 'test' },
      { runId: 'run-a' },
    );
    expect(ctx.entries.map((e) => e.command)).toEqual(['echo mine', 'echo untagged']);
    expect(ctx.hosts.map((h) => h.name)).toEqual(['services']);
  });
});
