/** The headless path an automation script takes, against a real lab host. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
let lab: Lab;
let home: string;

const drydock = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: home }, encoding: 'utf8', input: '' });

beforeAll(async () => {
  lab = await startLab([{ name: 'services', standins: true }]);
  home = mkdtempSync(path.join(os.tmpdir(), 'drydock-cli-'));
});
afterAll(async () => {
  await lab?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('drydock hosts (CLI)', () => {
  it('adds, refuses to trust without confirmation (exit 3), trusts by fingerprint, reads facts as JSON', () => {
    const svc = lab.hosts.services;
    expect(drydock('hosts', 'add', 'services', '--address', `${svc.ip}:22`, '--user', 'root', '--key', lab.clientKey, '--role', 'services').status).toBe(0);

    const facts0 = drydock('hosts', 'facts', 'services');
    expect(facts0.status).toBe(4);
    expect(facts0.stderr).toMatch(/not trusted yet/);

    const ask = drydock('hosts', 'trust', 'services');
    expect(ask.status).toBe(3);
    expect(ask.stdout.trim()).toBe(`${svc.ip} ssh-ed25519 ${svc.fingerprint}`);
    expect(drydock('hosts', 'list', '--json').stdout).toContain('"trusted":false');

    const wrong = drydock('hosts', 'trust', 'services', '--fingerprint', 'SHA256:' + 'B'.repeat(43));
    expect(wrong.status).toBe(4);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

    expect(drydock('hosts', 'trust', 'services', '--fingerprint', svc.fingerprint).status).toBe(0);
    const list = JSON.parse(drydock('hosts', 'list', '--json').stdout);
    expect(list).toEqual([expect.objectContaining({ name: 'services', role: 'services', trusted: true, fingerprint: svc.fingerprint, port: 22 })]);

    const facts = drydock('hosts', 'facts', 'services', '--json');
    expect(facts.status).toBe(0);
    const parsed = JSON.parse(facts.stdout);
    expect(parsed.runId).toMatch(/host-facts/);
    expect(parsed.facts).toMatchObject({ hostname: 'services', os: { id: 'debian' }, software: { replicated: '2.38.6' } });

    const audit = drydock('audit', 'verify');
    expect(audit.status).toBe(0);
    expect(audit.stdout).toMatch(/intact: \d+ entries/);
    // Item 14: the head is printed, and cutting the log's end is detected.
    const head = /Head: entry (\d+), sha256 ([0-9a-f]{64})/.exec(audit.stdout);
    expect(head).not.toBeNull();
    const logFile = path.join(home, 'audit.jsonl');
    const full = readFileSync(logFile, 'utf8');
    writeFileSync(logFile, full.split('\n').filter(Boolean).slice(0, -1).join('\n') + '\n');
    const cut = drydock('audit', 'verify');
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(new RegExp(`head records ${head![1]} entries: the end of the log was removed`));
    writeFileSync(logFile, full);
  });

  it('rejects bad input with a one-line reason and exit 2, writing nothing', () => {
    const bad = drydock('hosts', 'add', 'x', '--address', '10.0.0.1:99999', '--user', 'root', '--role', 'services');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/port/);
    expect(JSON.parse(drydock('hosts', 'list', '--json').stdout).map((h: { name: string }) => h.name)).toEqual(['services']);
    expect(drydock('hosts', 'frobnicate').status).toBe(2);
  });

  it('imports hosts from an ssh config', () => {
    const cfg = path.join(home, 'ssh_config');
    writeFileSync(cfg, `Host nomad-7\n  HostName ${lab.hosts.services.ip}\n  User root\n  IdentityFile ${lab.clientKey}\n`);
    const out = drydock('hosts', 'import-ssh-config', '--file', cfg, '--json');
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout).imported).toEqual(['nomad-7']);
    expect(JSON.parse(drydock('hosts', 'list', '--json').stdout).find((h: { name: string }) => h.name === 'nomad-7')).toMatchObject({ role: 'nomad', keyPath: lab.clientKey });
  });

  it('issue 7 item 11: a bad ProxyJump is skipped with a reason; a bad hosts.json entry is named and the rest works', () => {
    const cfg = path.join(home, 'ssh_config_bad');
    writeFileSync(cfg, `Host nomad-8\n  HostName ${lab.hosts.services.ip}\n  User root\n  ProxyJump admin@jump.example.com:99999\n`);
    const out = drydock('hosts', 'import-ssh-config', '--file', cfg, '--json');
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout).imported).toEqual([]);
    expect(out.stderr).toMatch(/skipped jump\.example\.com: ProxyJump admin@jump\.example\.com:99999 .*port/);
    expect(out.stderr).toMatch(/skipped nomad-8: its jump host "jump.example.com" was skipped/);

    // A hand edit breaks one entry: every command names it, the others still run.
    const file = path.join(home, 'hosts.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.hosts.push({ name: 'nomad-9', address: '10.0.0.1', port: 'twenty-two', user: 'root', role: 'nomad' });
    writeFileSync(file, JSON.stringify(data));
    const list = drydock('hosts', 'list', '--json');
    expect(list.status).toBe(0);
    expect(list.stderr).not.toMatch(/drydock: \[/);
    expect(list.stderr).toContain(`drydock: warning: ${file}: entry ${data.hosts.length} ("nomad-9") skipped: port: `);
    expect(JSON.parse(list.stdout).map((h: { name: string }) => h.name)).toContain('services');
    const facts = drydock('hosts', 'facts', 'services', '--json');
    expect(facts.status).toBe(0);
    expect(JSON.parse(facts.stdout).facts.hostname).toBe('services');
    const bad = drydock('hosts', 'facts', 'nomad-9');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/entry \d+ \("nomad-9"\) skipped: port/);
  });
});
