/**
 * The internal CA on real lab Nomad clients (openssl and
 * update-ca-certificates there), what the certificate paths read about the
 * installation (Replicated stand-ins, CIRCLE_URL file), and certificate
 * bundles kept once and deletable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller } from './cert-helpers';

const R = '/var/lib/lab/replicated';
const CUSTOMIZATIONS = '/etc/circle-installation-customizations';
const TRUSTED = '/usr/local/share/ca-certificates/drydock-ca-lab.crt';
let lab: Lab;
let fx: EngineFixture;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  lab = await startLab([
    { name: 'services', standins: true, files: { [`${R}/app-config/hostname.value`]: 'ci.example.test', [CUSTOMIZATIONS]: 'export CIRCLE_URL=https://ci-old.example.test\n' } },
    { name: 'bare', files: { [CUSTOMIZATIONS]: 'CIRCLE_URL="https://ci.bare.test"\n' } },
    { name: 'nomad1' },
    { name: 'nomad2' },
  ]);
  fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services' },
    { name: 'bare', role: 'services' },
    { name: 'nomad1', role: 'nomad' },
    { name: 'nomad2', role: 'nomad' },
  ]);
  call = caller(fx.engine);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

const trustsCa = (host: string, caCert: string) => {
  lab.hosts[host].writeFile('/tmp/ca-under-test.crt', caCert);
  return lab.hosts[host].exec('openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt /tmp/ca-under-test.crt').code === 0;
};

describe('what the certificate paths know about the installation', () => {
  it("reads the app config's hostname, and CIRCLE_URL beside it", async () => {
    expect(await call('certs:installation', { services: 'services' })).toEqual({
      services: 'services',
      replicated: true,
      hostname: 'ci.example.test',
      hostnameFrom: 'app-config',
      appConfigHostname: 'ci.example.test',
      circleUrlHostname: 'ci-old.example.test',
    });
  });

  it('says Replicated is not installed where replicatedctl is missing (exit 127), not that the host did not answer', async () => {
    expect(await call('certs:installation', { services: 'bare' })).toMatchObject({ replicated: false, hostname: 'ci.bare.test', hostnameFrom: 'CIRCLE_URL' });
    const made = await call('certs:generate', { hostname: 'ci.bare.test', services: 'bare' });
    expect(made.notes).toContain("replicatedctl is not installed on bare: the hostname was not compared with CircleCI's setting.");
    expect(made.notes.join()).not.toMatch(/did not answer/);
    await expect(call('certs:install', { services: 'bare', bundle: made.bundle.id })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^replicatedctl is not installed on bare/) });
  });
});

describe('TLS errors in the admin\'s words, against a real port that is not TLS (sshd)', () => {
  it('says port 22 does not speak TLS, from the laptop, from the Services machine and when fetching a chain', async () => {
    const ip = lab.hosts.services.ip;
    for (const from of ['laptop', 'services'] as const) {
      const report = await call('certs:verify', { services: 'services', from, address: ip, ports: [22] });
      expect(report.endpoints[0]).toMatchObject({ port: 22, reachable: false, error: expect.stringMatching(new RegExp(`^port 22 on ${ip.replace(/\./g, '\\.')} does not speak TLS`)) });
    }
    await expect(call('certs:ghe-fetch', { services: 'services', gheHost: ip, port: 22 })).rejects.toMatchObject({ message: expect.stringContaining(`port 22 on ${ip} does not speak TLS`) });
  });
});

describe('certificate bundles', () => {
  it('keeps an identical certificate and key once, and deletes one with its key', async () => {
    const made = await call('certs:generate', { hostname: 'ci.example.test', services: 'services' });
    const certPem = readFileSync(made.files.cert, 'utf8');
    const keyPem = readFileSync(made.files.key, 'utf8');
    const again = await call('certs:import', { certPem: certPem.replace(/\n/g, '\r\n'), keyPem });
    expect(again.id).toBe(made.bundle.id);
    const listed = await call('certs:bundles', {});
    expect(listed.filter((b) => b.chain[0].sha256 === made.bundle.chain[0].sha256)).toHaveLength(1);

    expect(await call('certs:bundle-delete', { id: made.bundle.id })).toEqual({ deleted: made.bundle.id });
    expect(existsSync(made.bundle.dir)).toBe(false);
    expect((await call('certs:bundles', {})).map((b) => b.id)).not.toContain(made.bundle.id);
    await expect(call('certs:bundle-delete', { id: made.bundle.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fx.engine.audit.entries().some((e) => e.command.startsWith(`deleted certificate ${made.bundle.id}`))).toBe(true);
  });
});

describe("the internal CA on the Nomad clients' trust store", () => {
  it('installs ca.crt on exactly the confirmed clients, proves the system bundle holds it, and undoes it', async () => {
    const ca = await call('certs:ca-create', { name: 'lab', passphrase: 'correct horse battery staple' });
    const caPem = readFileSync(ca.certPath, 'utf8');
    expect(trustsCa('nomad1', caPem)).toBe(false);

    // A fingerprint other than the CA's: refused before any client is touched.
    const wrong = ca.sha256.replace(/^../, ca.sha256.startsWith('00') ? '11' : '00');
    await expect(call('certs:trust-ca', { ca: 'lab', sha256: wrong, hosts: ['nomad1'] })).rejects.toMatchObject({ code: 'CONFLICT' });
    // A host that is not a Nomad client: refused too.
    await expect(call('certs:trust-ca', { ca: 'lab', sha256: ca.sha256, hosts: ['nomad1', 'services'] })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/services is no longer a Nomad client/) });
    expect(lab.hosts.nomad1.exec(`test -e ${TRUSTED}`).code).not.toBe(0);

    const result = await call('certs:trust-ca', { ca: 'lab', sha256: ca.sha256, hosts: ['nomad1'] });
    expect(result.file).toBe(TRUSTED);
    expect(result.clients).toEqual([{ host: 'nomad1', ok: true, changed: true }]);
    expect(lab.hosts.nomad1.readFile(TRUSTED)).toBe(caPem);
    expect(trustsCa('nomad1', caPem)).toBe(true);
    // Only what was confirmed: nomad2 was not in the list.
    expect(trustsCa('nomad2', caPem)).toBe(false);

    const again = await call('certs:trust-ca', { ca: 'lab', sha256: ca.sha256, hosts: ['nomad1'] });
    expect(again.clients).toEqual([{ host: 'nomad1', ok: true, changed: false }]);

    const undone = await call('certs:untrust-ca', { hosts: ['nomad1', 'nomad2'] });
    expect(undone.hosts.find((h) => h.host === 'nomad1')).toMatchObject({ files: [TRUSTED] });
    expect(undone.hosts.find((h) => h.host === 'nomad2')).toEqual({ host: 'nomad2', set: null, files: [] });
    expect(lab.hosts.nomad1.exec(`test -e ${TRUSTED}`).code).not.toBe(0);
    expect(trustsCa('nomad1', caPem)).toBe(false);
  });
});
