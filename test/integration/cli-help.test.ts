/**
 * `drydock --help`, `--version`, `COMMAND [SUB] --help` for every command,
 * and a wrong option answered with that command's usage and exit 2, run as
 * an admin's script would run the built CLI (no host is needed or touched).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../electron/cli';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-cli-help-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const drydock = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: home }, encoding: 'utf8', input: '' });

describe('drydock help and version (CLI)', () => {
  it('prints its version from package.json', () => {
    const { version } = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = drydock(flag);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(`drydock ${version}`);
    }
  });

  it('lists every command in drydock --help, with the exit codes', () => {
    const r = drydock('--help');
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\s+${c.summary.slice(0, 20).replace(/[()]/g, '.')}`, 'm'));
    expect(r.stdout).toContain('3 needs confirmation');
    // No command at all is a usage mistake: same text, exit 2.
    expect(drydock().status).toBe(2);
  });

  it('answers COMMAND --help and COMMAND SUB --help for every command and subcommand, touching nothing', () => {
    for (const c of COMMANDS) {
      const top = drydock(c.name, '--help');
      expect(top.status, `${c.name} --help`).toBe(0);
      if (c.usage) expect(top.stdout).toContain(`Usage: drydock ${c.usage.usage}`);
      for (const [sub, help] of Object.entries(c.subcommands ?? {})) {
        expect(top.stdout).toContain(`drydock ${help.usage}`);
        const r = drydock(c.name, sub, '--help');
        expect(r.status, `${c.name} ${sub} --help`).toBe(0);
        expect(r.stdout.split('\n')[0]).toBe(`Usage: drydock ${help.usage}`);
        for (const option of Object.keys(help.options ?? {})) expect(r.stdout).toContain(option);
      }
    }
    // The case the issue reported: once an error, now its help. -h works too.
    const add = drydock('hosts', 'add', '-h');
    expect(add.status).toBe(0);
    expect(add.stdout).toContain('--role ROLE');
    expect(drydock('help', 'cert', 'trust-ca').stdout).toMatch(/^Usage: drydock cert trust-ca NAME/);
    expect(drydock('hosts', 'list', '--json').stdout.trim()).toBe('[]');
    // One CLI process per command and subcommand (dozens): seconds each on a loaded 2-core machine.
  }, 300_000);

  it('answers an unknown option with the usage of that command and exit 2', () => {
    const r = drydock('hosts', 'add', 'svc', '--adress', '10.0.0.1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('drydock hosts add: unknown option --adress');
    expect(r.stderr).toContain('Usage: drydock hosts add NAME --address HOST[:PORT]');
    expect(r.stdout).toBe('');

    const serve = drydock('serve', '--prot', '1');
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('Usage: drydock serve [--port N]');

    const missing = drydock('cert', 'self-signed', '--out', home);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('Usage: drydock cert self-signed --host H');

    // Subcommands that take nothing refuse what they would otherwise ignore.
    const list = drydock('hosts', 'list', '--all');
    expect(list.status).toBe(2);
    expect(list.stderr).toContain('drydock hosts list: unknown option --all');
    expect(list.stderr).toContain('Usage: drydock hosts list [--json]');
    expect(drydock('runs', 'list', 'extra').status).toBe(2);

    const sub = drydock('hosts', 'ad', 'svc');
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain('drydock hosts: unknown subcommand "ad"');
    expect(sub.stderr).toContain('  drydock hosts add NAME --address HOST[:PORT]');

    const unknown = drydock('launch');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "launch"');
  });

  it('keeps the other exit codes: trust-ca without a terminal or --yes needs confirmation (3) and changes nothing', () => {
    const env = { ...process.env, DRYDOCK_HOME: home, DRYDOCK_CA_PASSPHRASE: 'correct horse battery staple' };
    expect(spawnSync(process.execPath, [CLI, 'cert', 'ca', 'create', 'lab'], { env, encoding: 'utf8', input: '' }).status).toBe(0);
    const none = drydock('cert', 'trust-ca', 'lab');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('No Nomad clients in the inventory');
    expect(drydock('hosts', 'add', 'nomad1', '--address', '192.0.2.10', '--user', 'root', '--role', 'nomad').status).toBe(0);
    const ask = drydock('cert', 'trust-ca', 'lab');
    expect(ask.status).toBe(3);
    expect(ask.stderr).toMatch(/sha256\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(ask.stderr).toContain('Nomad clients: nomad1');
    expect(drydock('runs', 'list', '--json').stdout.trim()).toBe('[]');
  });
});
