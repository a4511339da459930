/**
 * `drydock hosts edit` against a real lab host: a change that keeps the
 * address keeps the trusted key; moving the host needs --yes (exit 3 and
 * nothing changed without it) and then forgets the old key; the audit log
 * records each change and its chain stays intact.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
let lab: Lab;
let home: string;

const drydock = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: home }, encoding: 'utf8', input: '' });
const listed = (name: string) => (JSON.parse(drydock('hosts', 'list', '--json').stdout) as { name: string }[]).find((h) => h.name === name) as Record<string, unknown>;

beforeAll(async () => {
  lab = await startLab([{ name: 'edited', standins: true }]);
  home = mkdtempSync(path.join(os.tmpdir(), 'drydock-cli-edit-'));
});
afterAll(async () => {
  await lab?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('drydock hosts edit (CLI)', () => {
  it('edits in place, asks for --yes before forgetting a moved host key, and audits every change', () => {
    const host = lab.hosts.edited;
    expect(drydock('hosts', 'add', 'svc', '--address', host.ip, '--user', 'nobody', '--role', 'services').status).toBe(0);
    expect(drydock('hosts', 'trust', 'svc', '--fingerprint', host.fingerprint).status).toBe(0);

    // Same address: the key stays trusted, and the host works with the new login.
    const login = drydock('hosts', 'edit', 'svc', '--user', 'root', '--key', lab.clientKey);
    expect(login.status, login.stderr).toBe(0);
    expect(listed('svc')).toMatchObject({ user: 'root', keyPath: lab.clientKey, trusted: true, fingerprint: host.fingerprint });
    expect(drydock('hosts', 'facts', 'svc', '--json').status).toBe(0);

    // Moving it forgets the old key: refused without --yes, nothing changed.
    const ask = drydock('hosts', 'edit', 'svc', '--port', '2222');
    expect(ask.status).toBe(3);
    expect(ask.stderr).toContain(`forget the key it trusted for ${host.ip} (${host.fingerprint})`);
    expect(ask.stderr).toMatch(/--yes/);
    expect(ask.stderr.trim().split('\n')).toHaveLength(1);
    expect(listed('svc')).toMatchObject({ port: 22, trusted: true });

    const moved = drydock('hosts', 'edit', 'svc', '--port', '2222', '--yes', '--json');
    expect(moved.status, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({ port: 2222, trusted: false, forgotKeys: 1 });

    // Back to port 22: nothing was trusted for :2222, so no question; the key must be confirmed again.
    expect(drydock('hosts', 'edit', 'svc', '--address', `${host.ip}:22`).status).toBe(0);
    expect(listed('svc')).toMatchObject({ port: 22, trusted: false });
    expect(drydock('hosts', 'facts', 'svc').status).toBe(4);
    expect(drydock('hosts', 'trust', 'svc', '--fingerprint', host.fingerprint).status).toBe(0);
    expect(drydock('hosts', 'facts', 'svc', '--json').status).toBe(0);

    const tail = JSON.parse(drydock('audit', 'tail', '-n', '200', '--kind', 'inventory', '--host', 'svc', '--json').stdout) as { kind: string; command: string }[];
    expect(tail.map((e) => e.command)).toEqual([
      `add host svc: nobody@${host.ip}:22 (services)`,
      `edit host svc: user nobody → root, key none → ${lab.clientKey}`,
      'edit host svc: port 22 → 2222',
      'edit host svc: port 2222 → 22',
    ]);
    const forgot = JSON.parse(drydock('audit', 'tail', '--kind', 'trust', '--json').stdout) as { command: string }[];
    expect(forgot.map((e) => e.command)).toContain(`forget keys for ${host.ip} (svc moved to [${host.ip}]:2222)`);
    const facts = JSON.parse(drydock('runs', 'list', '--json').stdout) as { id: string; operation: string }[];
    const runEntries = JSON.parse(drydock('audit', 'tail', '--run', facts[0].id, '--json').stdout) as { run: string; kind: string }[];
    expect(runEntries.length).toBeGreaterThan(0);
    expect(runEntries.every((e) => e.run === facts[0].id && e.kind === 'command')).toBe(true);
    expect(drydock('audit', 'tail', '--kind', 'nonsense').status).toBe(2);
    expect(drydock('audit', 'verify').status).toBe(0);
  });

  it('refuses bad edits with exit 2 and changes nothing', () => {
    expect(drydock('hosts', 'add', 'other', '--address', '10.9.9.9', '--user', 'root', '--role', 'nomad').status).toBe(0);
    const second = drydock('hosts', 'edit', 'other', '--role', 'services');
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/svc is already the Services machine/);
    expect(drydock('hosts', 'edit', 'other', '--port', 'abc').status).toBe(2);
    expect(drydock('hosts', 'edit', 'other').status).toBe(2);
    expect(drydock('hosts', 'edit', 'nope', '--user', 'x').status).toBe(1);
    expect(listed('other')).toMatchObject({ role: 'nomad', port: 22 });

    const twin = drydock('hosts', 'edit', 'other', '--address', lab.hosts.edited.ip);
    expect(twin.status).toBe(0);
    expect(twin.stderr).toMatch(/warning: svc already uses/);
  });
});
