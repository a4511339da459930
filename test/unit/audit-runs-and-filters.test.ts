/**
 * Audit entries made inside a run carry its id (so the Audit page can show
 * one run's commands), entries before that change still verify, the tail
 * can be narrowed by host, kind, run and time, and every append is told to
 * live listeners.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/audit';
import { AuditLog } from '../../electron/engine/audit/audit-log';
import { withRun } from '../../electron/engine/audit/run-scope';

const fresh = () => new AuditLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'drydock-audit-')), 'audit.jsonl'));
const rec = (host: string, command: string, time?: string) => ({ host, fingerprint: '', kind: 'command' as const, command, exitCode: 0, durationMs: 1, ...(time ? { time } : {}) });

describe('audit entries and runs', () => {
  it('tags entries made inside a run, across awaits, and the chain still verifies', async () => {
    const log = fresh();
    log.append(rec('services', 'before any run'));
    await withRun('2026-11-29-proxy-apply-abcd1234', async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.append(rec('services', 'inside the run'));
    });
    log.append(rec('services', 'after the run'));
    const [before, inside, after] = log.entries();
    expect(before.run).toBeUndefined();
    expect(inside.run).toBe('2026-11-29-proxy-apply-abcd1234');
    expect(after.run).toBeUndefined();
    expect(log.verify()).toEqual({ ok: true, entries: 3, head: { count: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // An entry without `run` is byte-for-byte what older Drydocks wrote.
    expect(Object.keys(JSON.parse(readFileSync(log.file, 'utf8').split('\n')[0]))).not.toContain('run');
  });

  it('detects a run id that was removed or changed', () => {
    const log = fresh();
    withRun('run-a', () => log.append(rec('services', 'x')));
    const line = JSON.parse(readFileSync(log.file, 'utf8').trim());
    expect(line.run).toBe('run-a');
    delete line.run;
    writeFileSync(log.file, JSON.stringify(line) + '\n');
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 1, reason: expect.stringMatching(/edited/) });
  });

  it('filters the tail by host, kind, run and time', () => {
    const log = fresh();
    log.append(rec('services', 'one', '2026-11-29T10:00:00.000Z'));
    withRun('run-b', () => log.append(rec('nomad-1', 'two', '2026-11-29T11:00:00.000Z')));
    log.append({ ...rec('nomad-1', 'add host nomad-1', '2026-11-29T12:00:00.000Z'), kind: 'inventory' });
    const commands = (f: Parameters<AuditLog['tail']>[1]) => log.tail(100, f).map((e) => e.command);
    expect(commands({ host: 'nomad-1' })).toEqual(['two', 'add host nomad-1']);
    expect(commands({ kind: 'inventory' })).toEqual(['add host nomad-1']);
    expect(commands({ run: 'run-b' })).toEqual(['two']);
    expect(commands({ since: '2026-11-29T10:30:00Z', until: '2026-11-29T11:30:00Z' })).toEqual(['two']);
    expect(log.tail(1, { host: 'nomad-1' }).map((e) => e.command)).toEqual(['add host nomad-1']);
  });

  it('tells live listeners about every append', () => {
    const log = fresh();
    const seen: AuditEntry[] = [];
    const stop = log.onAppend((e) => seen.push(e));
    log.append(rec('services', 'a'));
    stop();
    log.append(rec('services', 'b'));
    expect(seen.map((e) => [e.seq, e.command])).toEqual([[1, 'a']]);
  });
});
