import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/engine/audit/audit-log';
import { redact } from '../../electron/engine/audit/redact';

function freshLog(): AuditLog {
  const log = new AuditLog(path.join(mkdtempSync(path.join(os.tmpdir(), 'drydock-audit-')), 'audit.jsonl'));
  for (let i = 0; i < 5; i++) {
    log.append({ host: 'services', fingerprint: 'SHA256:abc', kind: 'command', command: `replicatedctl app status ${i}`, exitCode: 0, durationMs: 12 });
  }
  return log;
}

function editLine(log: AuditLog, index: number, edit: (entry: Record<string, unknown>) => void): void {
  const lines = readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
  const entry = JSON.parse(lines[index]);
  edit(entry);
  lines[index] = JSON.stringify(entry);
  writeFileSync(log.file, lines.join('\n') + '\n');
}

describe('audit log chain', () => {
  it('verifies an untouched log', () => {
    const log = freshLog();
    expect(log.verify()).toMatchObject({ ok: true, entries: 5 });
    expect(log.tail(2).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('detects an edited line', () => {
    const log = freshLog();
    editLine(log, 2, (e) => (e.exitCode = 1));
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 3, reason: expect.stringMatching(/edited/) });
  });

  it('detects an edited line whose hash was recomputed naively (the next line no longer follows)', () => {
    const log = freshLog();
    editLine(log, 1, (e) => {
      e.command = 'nothing to see';
      e.hash = 'f'.repeat(64);
    });
    expect(log.verify().ok).toBe(false);
    expect(log.verify().brokenAt).toBe(2);
  });

  it('detects a removed line', () => {
    const log = freshLog();
    const lines = readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
    lines.splice(3, 1);
    writeFileSync(log.file, lines.join('\n') + '\n');
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('keeps appending the chain across instances (CLI and GUI share the file)', () => {
    const log = freshLog();
    const again = new AuditLog(log.file);
    again.append({ host: 'nomad-1', fingerprint: 'SHA256:def', kind: 'file', command: 'write /etc/environment', exitCode: 0, durationMs: 3 });
    expect(again.verify()).toMatchObject({ ok: true, entries: 6 });
  });

  it('redacts secrets before they are written', () => {
    const log = freshLog();
    const entry = log.append(
      { host: 'services', fingerprint: 'x', kind: 'command', command: "curl --proxy http://bob:hunter2@10.0.0.33:3128 https://ghe; echo DaemonAuthenticationPassword=s3cret", exitCode: 0, durationMs: 1 },
      ['sudo-pw-123'],
    );
    expect(entry.command).not.toContain('hunter2');
    expect(entry.command).not.toContain('s3cret');
    expect(readFileSync(log.file, 'utf8')).not.toContain('hunter2');
    expect(redact('echo sudo-pw-123', ['sudo-pw-123'])).toBe('echo ***');
    expect(redact('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).toBe('[private key redacted]');
  });
});

describe('audit log under stress', () => {
  it('keeps one chain when two processes append at once', async () => {
    const { spawn } = await import('node:child_process');
    const log = freshLog();
    // Two real processes (the window and the CLI) appending 200 entries each;
    // the module is bundled so plain `node` can load it.
    const bundle = path.join(path.dirname(log.file), 'audit.cjs');
    (await import('esbuild')).buildSync({ entryPoints: [path.resolve(__dirname, '../../electron/engine/audit/audit-log.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle });
    const child = (tag: string) =>
      new Promise<number>((resolve) => {
        const p = spawn(process.execPath, ['-e', `const { AuditLog } = require(${JSON.stringify(bundle)}); const l = new AuditLog(${JSON.stringify(log.file)}); for (let i = 0; i < 200; i++) l.append({ host: '${tag}', fingerprint: 'x', kind: 'command', command: 'c' + i, exitCode: 0, durationMs: 1 });`]);
        p.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([child('gui'), child('cli')])).toEqual([0, 0]);
    expect(log.verify()).toMatchObject({ ok: true, entries: 405, head: { count: 405 } });
  });

  it('goes on appending after a line torn by a crash, and verify points at the tear', () => {
    const log = freshLog();
    writeFileSync(log.file, readFileSync(log.file, 'utf8') + '{"seq":6,"time":"2026-');
    const entry = log.append({ host: 'services', fingerprint: 'x', kind: 'command', command: 'after the crash', exitCode: 0, durationMs: 1 });
    expect(entry.seq).toBe(6);
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 6 });
  });
});

describe('issue 7 item 14: the head beside the log catches a cut-off end', () => {
  it('detects lines removed from the end, which the chain alone cannot', () => {
    const log = freshLog();
    const lines = readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(log.file, lines.slice(0, 3).join('\n') + '\n');
    expect(log.verify()).toMatchObject({ ok: false, entries: 3, reason: expect.stringMatching(/ends at entry 3 but its head records 5 entries/) });
  });

  it('detects an emptied or deleted log', () => {
    const log = freshLog();
    writeFileSync(log.file, '');
    expect(log.verify()).toMatchObject({ ok: false, entries: 0 });
  });

  it('detects the end replaced by a rebuilt chain of the same length', () => {
    const log = freshLog();
    const lines = readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(log.file, lines.slice(0, 4).join('\n') + '\n');
    // Rebuild entry 5 with other contents, chained properly: only the head tells.
    const forged = new AuditLog(log.file + '.forged');
    writeFileSync(forged.file, lines.slice(0, 4).join('\n') + '\n');
    forged.append({ host: 'services', fingerprint: 'SHA256:abc', kind: 'command', command: 'nothing happened', exitCode: 0, durationMs: 1 });
    writeFileSync(log.file, readFileSync(forged.file));
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 5, reason: expect.stringMatching(/rewritten/) });
  });

  it('keeps the head current with each append and reports it', () => {
    const log = freshLog();
    const last = log.append({ host: 'nomad-1', fingerprint: 'x', kind: 'command', command: 'true', exitCode: 0, durationMs: 1 });
    expect(log.head()).toEqual({ count: 6, hash: last.hash });
    expect(log.verify()).toEqual({ ok: true, entries: 6, head: { count: 6, hash: last.hash } });
  });

  it('takes over at once a lock left by a process killed mid-append (its pid is gone); waits for a live holder', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drydock-audit-lock-')), 'audit.jsonl');
    const log = new AuditLog(file);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${file}.lock`, dead);
    // The lock is fresh (a stale one by age would wait 10 s, longer than a writer waits): only its dead pid frees it.
    log.append({ host: 'h', fingerprint: '', kind: 'local', command: 'after a kill -9', exitCode: 0, durationMs: 0 });
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(log.verify()).toMatchObject({ ok: true, entries: 1 });
    // A fresh lock held by a live process (the parent shell) is waited for, then refused.
    writeFileSync(`${file}.lock`, String(process.ppid));
    expect(() => log.append({ host: 'h', fingerprint: '', kind: 'local', command: 'blocked', exitCode: 0, durationMs: 0 })).toThrow(/locked by another Drydock process/);
  });
});
