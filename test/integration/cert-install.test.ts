/**
 * Install + verify against a lab Services machine with the Replicated
 * stand-ins (their state under /var/lib/lab/replicated shows what was set).
 * Verify is a real TLS handshake: `openssl s_server` in the Services host,
 * serving what the stand-ins hold, stands in for Replicated's TLS front.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { startTlsServer } from '../lab/pebble';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller } from './cert-helpers';

const HOSTNAME = 'ci.example.test';
const R = '/var/lib/lab/replicated';
let lab: Lab;
let fx: EngineFixture;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  lab = await startLab([
    {
      name: 'services',
      standins: true,
      files: { [`${R}/app-config/hostname.value`]: HOSTNAME, [`${R}/app-config/storage_bucket.value`]: 'ci-bucket', [`${R}/app-config/gh_ca.value`]: 'ca.pem', [`${R}/app-config/gh_ca.data`]: 'eA==', [`${R}/transition-ms`]: '300' },
    },
  ]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  call = caller(fx.engine);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const standinState = () => lab.hosts.services.exec(`cd ${R} && find . -type f | sort | xargs sha256sum`).stdout;

describe('self-signed certificate against the configured hostname', () => {
  it("refuses a CN other than the Services machine's configured hostname", async () => {
    await expect(call('certs:generate', { hostname: 'other.example.test' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not the hostname configured in CircleCI \(ci\.example\.test/) });
  });
});

describe('install into Replicated', () => {
  it('refuses a key that does not match its certificate before writing anything', async () => {
    const a = await call('certs:generate', { hostname: HOSTNAME, days: 5 });
    const b = await call('certs:generate', { hostname: HOSTNAME, days: 5 });
    // Import refuses the pair outright…
    await expect(call('certs:import', { certFile: a.files.cert, keyFile: b.files.key })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/does not belong/) });
    // …and a bundle whose key was swapped on disk afterwards is refused by the install's own check.
    writeFileSync(path.join(a.bundle.dir, 'key.pem'), readFileSync(b.files.key));
    const before = standinState();
    const calls = lab.hosts.services.readFile('/var/log/lab/calls.log');
    const audited = fx.engine.audit.entries().length;
    await expect(call('certs:install', { bundle: a.bundle.id })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/does not belong.*nothing was written/i) });
    expect(standinState()).toBe(before);
    expect(lab.hosts.services.readFile('/var/log/lab/calls.log')).toBe(calls);
    expect(fx.engine.audit.entries().slice(audited).filter((e) => e.kind === 'file' || /set|stop|start|restart/.test(e.command))).toEqual([]);
  });

  let certPem = '';
  it('stops the app, sets console cert and ssl_cert/ssl_private_key, restarts replicated-ui, starts the app', async () => {
    const made = await call('certs:generate', { hostname: HOSTNAME, sans: [lab.hosts.services.ip], days: 30, key: 'rsa2048' });
    certPem = readFileSync(made.files.cert, 'utf8');
    const keyPem = readFileSync(made.files.key, 'utf8');
    lab.hosts.services.exec(': > /var/log/lab/calls.log; : > /var/log/lab/units.log');
    const result = await call('certs:install', { bundle: made.bundle.id });
    expect(result.hostname).toBe(HOSTNAME);
    expect(result.installed.sha256).toBe(made.bundle.chain[0].sha256);

    const host = lab.hosts.services;
    expect(host.readFile(`${R}/app-config/ssl_cert.data`)).toBe(b64(certPem));
    expect(host.readFile(`${R}/app-config/ssl_cert.value`)).toBe('fullchain.pem');
    expect(host.readFile(`${R}/app-config/ssl_private_key.data`)).toBe(b64(keyPem));
    expect(host.readFile(`${R}/console.crt`)).toBe(certPem);
    expect(host.readFile(`${R}/console.key`)).toBe(keyPem);
    expect(host.readFile(`${R}/console.hostname`)).toBe(`${HOSTNAME}\n`);
    expect(host.readFile(`${R}/state`)!.trim()).toBe('started');
    const calls = host.readFile('/var/log/lab/calls.log')!;
    const order = ['replicatedctl app stop', 'replicated console cert set', 'replicatedctl app-config import', 'service replicated-ui restart', 'replicatedctl app start'];
    const at = order.map((c) => calls.indexOf(c));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(host.readFile('/var/log/lab/units.log')).toContain('restart replicated-ui');
    // Issue 7 item 17: the key never was in a command line on the host
    // (calls.log records each stand-in's argv, as /proc/PID/cmdline shows it).
    expect(calls).not.toContain(b64(keyPem).slice(0, 40));
    expect(calls).not.toContain('--data');
    // The settings the install does not touch are still there.
    expect(host.readFile(`${R}/app-config/hostname.value`)).toBe(HOSTNAME);
    expect(host.readFile(`${R}/app-config/storage_bucket.value`)).toBe('ci-bucket');
    expect([host.readFile(`${R}/app-config/gh_ca.value`), host.readFile(`${R}/app-config/gh_ca.data`)]).toEqual(['ca.pem', 'eA==']);
    // The uploaded key is gone, and no trace of it is in the audit log.
    expect(host.exec('ls -d /tmp/drydock-tls.* 2>/dev/null').stdout).toBe('');
    const audit = readFileSync(fx.engine.audit.file, 'utf8');
    expect(audit).not.toContain(b64(keyPem).slice(0, 40));
    expect(audit).not.toContain(keyPem.split('\n')[1]);
  });

  it('verifies the presented certificate from the laptop and from the Services machine', async () => {
    const host = lab.hosts.services;
    const key = host.readFile(`${R}/console.key`)!;
    const app = Buffer.from(host.readFile(`${R}/app-config/ssl_cert.data`)!, 'base64').toString('utf8');
    await startTlsServer(host, { port: 443, certPem: app, keyPem: Buffer.from(host.readFile(`${R}/app-config/ssl_private_key.data`)!, 'base64').toString('utf8'), tag: 'app' });
    await startTlsServer(host, { port: 8800, certPem: host.readFile(`${R}/console.crt`)!, keyPem: key, tag: 'console' });

    for (const from of ['laptop', 'services'] as const) {
      const report = await call('certs:verify', { from, address: host.ip });
      expect(report.hostname).toBe(HOSTNAME);
      expect(report.installed?.pem).toBe(certPem);
      expect(report.endpoints.map((e) => [e.port, e.reachable, e.matchesInstalled, e.hostnameMatches])).toEqual([
        [443, true, true, true],
        [8800, true, true, true],
      ]);
      expect(report.endpoints[0].daysLeft).toBeGreaterThanOrEqual(29);
    }
    const closed = await call('certs:verify', { address: host.ip, ports: [4434] });
    expect(closed.endpoints[0]).toMatchObject({ port: 4434, reachable: false });
  });

  it('keeps the certificate an install replaces, so installing it puts things back', async () => {
    const host = lab.hosts.services;
    const before = host.readFile(`${R}/app-config/ssl_cert.data`);
    const made = await call('certs:generate', { hostname: HOSTNAME, days: 60, key: 'p256' });
    const result = await call('certs:install', { bundle: made.bundle.id });
    expect(result.replaced).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(host.readFile(`${R}/app-config/ssl_cert.data`)).not.toBe(before);

    const back = await call('certs:install', { bundle: result.replaced! });
    expect(host.readFile(`${R}/app-config/ssl_cert.data`)).toBe(before);
    // What that install replaced is the certificate just made, which Drydock already holds: kept once, not copied.
    expect(back.replaced).toBe(made.bundle.id);
    const bundles = await call('certs:bundles', {});
    expect(bundles.find((b) => b.id === result.replaced)).toMatchObject({ hostname: HOSTNAME });
    const chains = bundles.map((b) => b.chain.map((c) => c.sha256).join());
    expect(new Set(chains).size).toBe(chains.length);
  });
});
