/**
 * `drydock cert …` as a script runs it: no TTY, secrets and confirmation by
 * environment and flags, exit codes as documented (0 ok, 2 bad input, 3
 * needs confirmation). The CLI is bundled with esbuild and run as a child
 * process against lab hosts and a Pebble ACME server.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { startPebble, type Pebble } from '../lab/pebble';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const ROOT = path.resolve(__dirname, '../..');
const HOSTNAME = 'ci.example.test';
const R = '/var/lib/lab/replicated';
let lab: Lab;
let pebble: Pebble;
let fx: EngineFixture;
let tmp: string;
let cli: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'drydock-cert-cli-'));
  cli = path.join(tmp, 'drydock.cjs');
  execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [path.join(ROOT, 'electron/cli.ts'), '--bundle', '--platform=node', '--format=cjs', '--packages=external', `--outfile=${cli}`, '--log-level=warning']);
  [lab, pebble] = await Promise.all([
    startLab([{ name: 'services', standins: true, files: { [`${R}/app-config/hostname.value`]: HOSTNAME, [`${R}/transition-ms`]: '200' } }]),
    startPebble(),
  ]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  await fx.engine.close();
});

afterAll(async () => {
  await fx?.dispose();
  await Promise.all([lab?.stop(), pebble?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function drydock(args: string[], env: Record<string, string> = {}, onStdout?: (text: string) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH!, NODE_PATH: path.join(ROOT, 'node_modules'), DRYDOCK_HOME: fx.home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('drydock cert (CLI)', () => {
  it('self-signed: writes cert.pem and key.pem checked against the configured hostname', async () => {
    const out = path.join(tmp, 'ss');
    const ok = await drydock(['cert', 'self-signed', '--host', HOSTNAME, '--san', '10.1.2.3', '--days', '7', '--key', 'p256', '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(execFileSync('openssl', ['verify', '-CAfile', path.join(out, 'cert.pem'), path.join(out, 'cert.pem')], { encoding: 'utf8' })).toContain('OK');
    const refused = await drydock(['cert', 'self-signed', '--host', 'other.example.test', '--out', path.join(tmp, 'bad')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not the hostname configured in CircleCI \(ci\.example\.test/);
    expect(existsSync(path.join(tmp, 'bad'))).toBe(false);
  });

  it('internal CA: passphrase from DRYDOCK_CA_PASSPHRASE, leaf verifies against the CA', async () => {
    const env = { DRYDOCK_CA_PASSPHRASE: 'cli passphrase 1' };
    const created = await drydock(['cert', 'ca', 'create', 'corp'], env);
    expect(created.code, created.stderr).toBe(0);
    const caFile = created.stdout.trim();
    const out = path.join(tmp, 'ca-issued');
    expect((await drydock(['cert', 'self-signed', '--host', HOSTNAME, '--ca', 'corp', '--out', out], env)).code).toBe(0);
    expect(execFileSync('openssl', ['verify', '-CAfile', caFile, path.join(out, 'cert.pem')], { encoding: 'utf8' })).toContain('OK');
    const wrong = await drydock(['cert', 'self-signed', '--host', HOSTNAME, '--ca', 'corp', '--out', out], { DRYDOCK_CA_PASSPHRASE: 'nope nope' });
    expect(wrong.stderr).toMatch(/Wrong passphrase/);
    expect(wrong.code).toBe(2);
  });

  it('install: exit 3 without --yes on no TTY (nothing written), installs with --yes', async () => {
    const out = path.join(tmp, 'ss');
    const calls = lab.hosts.services.readFile('/var/log/lab/calls.log');
    const asked = await drydock(['cert', 'install', '--cert', path.join(out, 'cert.pem'), '--key', path.join(out, 'key.pem')]);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toMatch(/Needs confirmation/);
    expect(lab.hosts.services.readFile('/var/log/lab/calls.log')).toBe(calls);
    const done = await drydock(['cert', 'install', '--cert', path.join(out, 'cert.pem'), '--key', path.join(out, 'key.pem'), '--yes']);
    expect(done.code, done.stderr).toBe(0);
    expect(lab.hosts.services.readFile(`${R}/console.crt`)).toBe(readFileSync(path.join(out, 'cert.pem'), 'utf8'));
  });

  it('certbot: refuses to start with no TTY and no automation option', async () => {
    const r = await drydock(['cert', 'certbot', '--host', HOSTNAME, '--yes']);
    expect(r.code).toBe(3);
  });

  it('certbot: prints the record, continues when --dns-ready-file appears, installs', async () => {
    const caBundle = path.join(tmp, 'pebble-ca.pem');
    writeFileSync(caBundle, pebble.listenerCaPem);
    const ready = path.join(tmp, 'dns-ready');
    let published = false;
    const run = await drydock(
      ['cert', 'certbot', '--host', HOSTNAME, '--server', pebble.directory, '--ca-bundle', caBundle, '--dns-ready-file', ready, '--install', '--yes'],
      {},
      (stdout) => {
        const m = /^(_acme-challenge\.\S+) (\S+)$/m.exec(stdout);
        if (m && !published) {
          published = true;
          void pebble.setTxt(m[1], m[2]).then(() => writeFileSync(ready, ''));
        }
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Manual certificates do not renew themselves/);
    expect(run.stderr).toMatch(/Installed for ci\.example\.test/);
    expect(lab.hosts.services.readFile(`${R}/console.crt`)).toBe(lab.hosts.services.readFile(`/etc/letsencrypt/live/${HOSTNAME}/fullchain.pem`));
  });
});
