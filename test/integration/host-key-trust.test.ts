/**
 * Issue 7 items 12 and 13, against a real sshd: known_hosts bookkeeping
 * (hashed entries, @revoked keys) and a host that offers only a key type
 * other than the one Drydock trusts.
 */
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
let lab: Lab;
let home: string;

const drydock = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DRYDOCK_HOME: home }, encoding: 'utf8', input: '' });
const hostKey = () => readFileSync(lab.hosts.services.hostKeyPub, 'utf8').trim().split(/\s+/).slice(0, 2);
const knownHosts = () => path.join(home, 'known_hosts');
const trusted = () => JSON.parse(drydock('hosts', 'list', '--json').stdout).find((h: { name: string }) => h.name === 'services').trusted as boolean;

/** The `|1|salt|hash` form `ssh-keygen -H` writes. */
function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

beforeAll(async () => {
  lab = await startLab([{ name: 'services' }]);
  home = mkdtempSync(path.join(os.tmpdir(), 'drydock-keys-'));
  const svc = lab.hosts.services;
  expect(drydock('hosts', 'add', 'services', '--address', svc.ip, '--user', 'root', '--key', lab.clientKey, '--role', 'services').status).toBe(0);
});
afterAll(async () => {
  await lab?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('known_hosts bookkeeping (item 12)', () => {
  it('forget-key removes a hashed entry for the host too', () => {
    const [type, key] = hostKey();
    appendFileSync(knownHosts(), `${hashed(lab.hosts.services.ip)} ${type} ${key}\n${hashed('other.example.com')} ${type} ${key}\n`);
    expect(trusted()).toBe(true);
    expect(drydock('hosts', 'facts', 'services').status).toBe(0);

    const forget = drydock('hosts', 'forget-key', 'services');
    expect(forget.status).toBe(0);
    expect(forget.stderr).toMatch(/Forgot 1 key\(s\) of services/);
    expect(trusted()).toBe(false);
    expect(drydock('hosts', 'facts', 'services').status).toBe(4);
    // Another host's hashed line is not touched.
    expect(readFileSync(knownHosts(), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('refuses to trust a key marked @revoked, with exit 4 and a clear message', () => {
    const [type, key] = hostKey();
    appendFileSync(knownHosts(), `@revoked ${lab.hosts.services.ip} ${type} ${key}\n`);
    const out = drydock('hosts', 'trust', 'services', '--fingerprint', lab.hosts.services.fingerprint);
    expect(out.status).toBe(4);
    expect(out.stderr).not.toMatch(/Trusted/);
    expect(out.stderr).toMatch(/marked @revoked/);
    expect(trusted()).toBe(false);
    const facts = drydock('hosts', 'facts', 'services');
    expect(facts.status).toBe(4);
    expect(facts.stderr).toMatch(/@revoked/);
  });
});

describe('a host that offers only another key type (item 13)', () => {
  it('exits 4 with "host key changed/unknown type", not 1 with "Handshake failed"', async () => {
    const svc = lab.hosts.services;
    rmSync(knownHosts(), { force: true });
    expect(drydock('hosts', 'trust', 'services', '--fingerprint', svc.fingerprint).status).toBe(0);
    expect(drydock('hosts', 'facts', 'services').status).toBe(0);

    // The host now serves an ECDSA key only (a rebuilt host, or a MITM).
    svc.exec('rm -f /etc/ssh/drydock_test_ecdsa_key* && ssh-keygen -q -t ecdsa -N "" -f /etc/ssh/drydock_test_ecdsa_key && sed -i "s|^HostKey .*|HostKey /etc/ssh/drydock_test_ecdsa_key|" /etc/ssh/sshd_config && kill -HUP 1');
    const ecdsaFp = svc.exec('ssh-keygen -lf /etc/ssh/drydock_test_ecdsa_key.pub').stdout.split(/\s+/)[1];
    for (let i = 0; i < 100; i++) {
      if (!spawnSync('ssh-keyscan', ['-T', '2', svc.ip], { encoding: 'utf8' }).stdout.includes('ssh-ed25519')) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const facts = drydock('hosts', 'facts', 'services');
    expect(facts.stderr).not.toMatch(/Handshake failed/);
    expect(facts.stderr).toMatch(/host key changed\/unknown type/i);
    expect(facts.stderr).toContain(ecdsaFp);
    expect(facts.stderr).toContain(svc.fingerprint);
    expect(facts.status).toBe(4);
  });
});
