/**
 * The SSH engine against real OpenSSH hosts: trust, facts, a changed key,
 * ProxyJump, sudo with a password, SFTP progress, and OpenSSH reading our
 * known_hosts. No mocks: every assertion is about a real sshd.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { hostFacts } from '../../electron/engine/operations/health/host-facts';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  lab = await startLab([
    { name: 'services', standins: true },
    { name: 'nomad-1', standins: true },
    { name: 'bastion' },
    { name: 'closed-bastion', allowTcpForwarding: false },
    { name: 'inner' },
    { name: 'sudo-host', passwordAuth: true, users: [{ name: 'admin', password: 'correct horse', sudo: 'password' }] },
  ]);
  fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services' },
    { name: 'nomad-1', role: 'nomad' },
    { name: 'bastion', role: 'bastion' },
  ]);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

function commandsRunOn(host: string): number {
  return fx.engine.audit.entries().filter((e) => e.host === host && e.kind === 'command').length;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<DrydockError> {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(DrydockError);
  expect((err as DrydockError).code).toBe(code);
  return err as DrydockError;
}

describe('trust and facts', () => {
  it('reads the facts of two trusted hosts', async () => {
    for (const name of ['services', 'nomad-1']) {
      const { result } = await fx.engine.runner.start<{ hostname: string; cpus: number; disks: unknown[]; software: { replicated: string | null } }>(hostFacts, { host: name });
      expect(result.hostname).toBe(name);
      expect(result.cpus).toBeGreaterThan(0);
      expect(result.disks.length).toBeGreaterThan(0);
      // The stand-ins answer `replicatedctl version` like Replicated 2.38.6.
      expect(result.software.replicated).toBe('2.38.6');
    }
    expect(fx.engine.audit.verify().ok).toBe(true);
  });

  it('reports the Docker daemon apart from the client, and null when the daemon does not answer', async () => {
    // A daemon upgraded apart from its client, as happens: the stand-in answers what the state file says.
    lab.hosts.services.writeFile('/var/lib/lab/docker/server-version', '19.03.15\n');
    const before = fx.engine.audit.entries().length;
    const { result: svc } = await fx.engine.runner.start<{ software: { docker: string | null; dockerServer: string | null } }>(hostFacts, { host: 'services' });
    expect(svc.software).toMatchObject({ docker: '18.09.9', dockerServer: '19.03.15' });

    lab.hosts['nomad-1'].exec('systemctl stop docker');
    try {
      const { result: nomad } = await fx.engine.runner.start<{ software: { docker: string | null; dockerServer: string | null } }>(hostFacts, { host: 'nomad-1' });
      expect(nomad.software).toMatchObject({ docker: '18.09.9', dockerServer: null });
    } finally {
      lab.hosts['nomad-1'].exec('systemctl start docker');
    }
    const asked = fx.engine.audit.entries().slice(before).filter((e) => e.command.includes("docker version --format '{{.Server.Version}}'"));
    expect(asked.map((e) => [e.host, e.exitCode])).toEqual([
      ['services', 0],
      ['nomad-1', 1],
    ]);
  });

  it('shows an unknown key as ssh-keygen prints it and runs nothing before it is confirmed', async () => {
    fx.engine.inventory.add({ name: 'inner', address: lab.hosts.inner.ip, port: 22, user: 'root', role: 'nomad', keyPath: lab.clientKey });
    const scan = await fx.engine.pool.scan('inner');
    expect(scan).toMatchObject({ status: 'unknown', fingerprint: lab.hosts.inner.fingerprint, keyType: 'ssh-ed25519' });
    const keygen = execFileSync('ssh-keygen', ['-lf', lab.hosts.inner.hostKeyPub], { encoding: 'utf8' });
    expect(keygen).toContain(scan.fingerprint);
    await expectCode(fx.engine.pool.session('inner'), 'HOST_KEY_UNKNOWN');
    expect(commandsRunOn('inner')).toBe(0);
    // Confirming some other fingerprint trusts nothing.
    await expectCode(fx.engine.pool.trust('inner', 'SHA256:' + 'A'.repeat(43)), 'HOST_KEY_MISMATCH');
    expect((await fx.engine.pool.scan('inner')).status).toBe('unknown');
  });

  it('writes a known_hosts that OpenSSH itself reads', () => {
    const file = path.join(fx.home, 'known_hosts');
    const found = execFileSync('ssh-keygen', ['-F', lab.hosts.services.ip, '-f', file], { encoding: 'utf8' });
    expect(found).toContain(`# Host ${lab.hosts.services.ip} found`);
    // The real ssh client connects with StrictHostKeyChecking=yes against our file.
    const out = execFileSync(
      'ssh',
      ['-i', lab.clientKey, '-o', `UserKnownHostsFile=${file}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', `root@${lab.hosts.services.ip}`, 'hostname'],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('services');
  });
});

describe('a changed host key', () => {
  it('is refused with both fingerprints, and nothing runs', async () => {
    const session = await fx.engine.pool.session('nomad-1');
    await session.check('true');
    const before = commandsRunOn('nomad-1');
    const stored = lab.hosts['nomad-1'].fingerprint;
    await lab.hosts['nomad-1'].replaceHostKey();
    fx.engine.pool.drop('nomad-1');
    const err = await expectCode(fx.engine.pool.session('nomad-1').then((s) => s.check('touch /root/should-not-exist')), 'HOST_KEY_CHANGED');
    expect(err.message).toContain(stored);
    expect(err.message).toContain(lab.hosts['nomad-1'].fingerprint);
    expect(err.message).toMatch(/man-in-the-middle/);
    expect(err.details).toMatchObject({ stored, presented: lab.hosts['nomad-1'].fingerprint });
    expect(lab.hosts['nomad-1'].readFile('/root/should-not-exist')).toBeNull();
    expect(commandsRunOn('nomad-1')).toBe(before);
    // Trusting over it is refused too, until the admin deliberately forgets the old key.
    await expectCode(fx.engine.pool.trust('nomad-1', lab.hosts['nomad-1'].fingerprint), 'HOST_KEY_CHANGED');
    expect((await fx.engine.pool.scan('nomad-1')).status).toBe('changed');
  });
});

describe('ProxyJump', () => {
  it('reaches a host through a bastion, verifying both keys', async () => {
    fx.engine.inventory.add({ name: 'behind', address: lab.hosts.inner.ip, port: 22, user: 'root', role: 'services', keyPath: lab.clientKey, jump: 'bastion' });
    await fx.engine.pool.trust('behind', lab.hosts.inner.fingerprint);
    const session = await fx.engine.pool.session('behind');
    expect((await session.check('hostname')).trim()).toBe('inner');
  });

  // The same target behind a bastion that refuses forwarding cannot be reached:
  // proof that the route above really went through the jump host.
  it('says which jump host failed when the bastion refuses forwarding', async () => {
    fx.engine.inventory.add({ name: 'closed-bastion', address: lab.hosts['closed-bastion'].ip, port: 22, user: 'root', role: 'bastion', keyPath: lab.clientKey });
    await fx.engine.pool.trust('closed-bastion', lab.hosts['closed-bastion'].fingerprint);
    fx.engine.inventory.add({ name: 'behind-closed', address: lab.hosts.inner.ip, port: 22, user: 'root', role: 'nomad', keyPath: lab.clientKey, jump: 'closed-bastion' });
    const err = await expectCode(fx.engine.pool.scan('behind-closed'), 'CONNECT_FAILED');
    expect(err.message).toMatch(/Jump host closed-bastion could not reach/);
  });
});

describe('sudo and password logins', () => {
  it('logs in with a password and runs sudo with the sudo password, never logging it', async () => {
    fx.engine.inventory.add({ name: 'sudo-host', address: lab.hosts['sudo-host'].ip, port: 22, user: 'admin', role: 'nomad' });
    await fx.engine.pool.trust('sudo-host', lab.hosts['sudo-host'].fingerprint);
    fx.engine.credentials.set('sudo-host', { password: 'correct horse', sudoPassword: 'correct horse' });
    const session = await fx.engine.pool.session('sudo-host');
    expect((await session.check('id -un')).trim()).toBe('admin');
    expect((await session.check('id -u', { asRoot: true })).trim()).toBe('0');
    const log = JSON.stringify(fx.engine.audit.entries());
    expect(log).not.toContain('correct horse');
    expect(log).toContain('sudo id -u');
  });

  it('reports a wrong sudo password clearly', async () => {
    fx.engine.credentials.set('sudo-host', { sudoPassword: 'wrong' });
    const session = await fx.engine.pool.session('sudo-host');
    const err = await expectCode(session.sudo('id -u'), 'SUDO_FAILED');
    expect(err.message).toMatch(/refused the password/);
    fx.engine.credentials.set('sudo-host', { sudoPassword: undefined });
  });

  it('says when sudo wants a password that was not given', async () => {
    const fresh = await engineWithHosts(lab, []);
    try {
      fresh.engine.inventory.add({ name: 'sudo-host', address: lab.hosts['sudo-host'].ip, port: 22, user: 'admin', role: 'nomad', keyPath: lab.clientKey });
      await fresh.engine.pool.trust('sudo-host', lab.hosts['sudo-host'].fingerprint);
      const session = await fresh.engine.pool.session('sudo-host');
      const err = await expectCode(session.sudo('true'), 'SUDO_FAILED');
      expect(err.message).toMatch(/asks for a password/);
    } finally {
      await fresh.dispose();
    }
  });

  it('rejects a wrong login password as AUTH_FAILED', async () => {
    const fresh = await engineWithHosts(lab, []);
    try {
      fresh.engine.inventory.add({ name: 'sudo-host', address: lab.hosts['sudo-host'].ip, port: 22, user: 'admin', role: 'nomad' });
      await fresh.engine.pool.trust('sudo-host', lab.hosts['sudo-host'].fingerprint);
      fresh.engine.credentials.set('sudo-host', { password: 'nope' });
      await expectCode(fresh.engine.pool.session('sudo-host'), 'AUTH_FAILED');
    } finally {
      await fresh.dispose();
    }
  });

  it('uses a passphrase-protected key once given the passphrase', async () => {
    const fresh = await engineWithHosts(lab, []);
    try {
      fresh.engine.inventory.add({ name: 'services', address: lab.hosts.services.ip, port: 22, user: 'root', role: 'services', keyPath: lab.clientKeyEncrypted });
      await fresh.engine.pool.trust('services', lab.hosts.services.fingerprint);
      const err = await expectCode(fresh.engine.pool.session('services'), 'AUTH_FAILED');
      expect(err.message).toMatch(/passphrase/);
      fresh.engine.credentials.set('services', { passphrase: lab.clientKeyPassphrase });
      expect((await (await fresh.engine.pool.session('services')).check('hostname')).trim()).toBe('services');
    } finally {
      await fresh.dispose();
    }
  });
});

describe('SFTP', () => {
  it('uploads with progress and the bytes arrive intact', async () => {
    const local = path.join(mkdtempSync(path.join(os.tmpdir(), 'drydock-put-')), 'bundle.airgap');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(local, data);
    const session = await fx.engine.pool.session('services');
    const seen: number[] = [];
    await session.put(local, '/root/bundle.airgap', (done, total) => {
      expect(total).toBe(data.length);
      seen.push(done);
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe(data.length);
    const remote = (await session.check('sha256sum /root/bundle.airgap')).split(' ')[0];
    expect(remote).toBe(createHash('sha256').update(data).digest('hex'));
    // And back down, with progress too.
    const back = `${local}.back`;
    let last = 0;
    await session.get('/root/bundle.airgap', back, (done) => (last = done));
    expect(last).toBe(data.length);
    expect(readFileSync(back).equals(data)).toBe(true);
  });
});
