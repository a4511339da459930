/**
 * Custom root CA for GHE against real lab hosts: a "GHE" host serving TLS
 * (openssl s_server, certificate from a test CA made by openssl), the
 * Services machine and a Nomad client. Before: the Services machine's
 * `openssl s_client -verify_return_error` fails; after the operation it succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { startLab, type Lab } from '../lab/lab';
import { makeTestCa, startTlsServer, type TestCa } from '../lab/pebble';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller } from './cert-helpers';
import { readFileSync } from 'node:fs';

let lab: Lab;
let ca: TestCa;
let fx: EngineFixture;
let call: ReturnType<typeof caller>;

const verifyCmd = 'openssl s_client -connect ghe:443 -servername ghe -verify_return_error </dev/null >/dev/null 2>&1';

beforeAll(async () => {
  lab = await startLab([{ name: 'services', standins: true }, { name: 'ghe' }, { name: 'nomad1', standins: true }]);
  ca = makeTestCa();
  const leaf = ca.issue('ghe');
  await startTlsServer(lab.hosts.ghe, { port: 443, certPem: leaf.certPem, keyPem: readFileSync(leaf.keyFile, 'utf8'), chainPem: ca.rootPem, tag: 'ghe' });
  fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services' },
    { name: 'nomad1', role: 'nomad' },
  ]);
  call = caller(fx.engine);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  ca?.dispose();
});

describe('trust the GHE certificate', () => {
  it('shows the chain as the Services machine sees it', async () => {
    expect(lab.hosts.services.exec(verifyCmd).code).not.toBe(0);
    const { services, chain } = await call('certs:ghe-fetch', { gheHost: 'ghe' });
    expect(services).toBe('services');
    expect(chain.map((c) => c.commonName)).toEqual(['ghe', 'Test GHE Root CA']);
    expect(chain[1].selfSigned).toBe(true);
    expect(chain[0].sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('refuses to install a chain other than the one confirmed, writing nothing', async () => {
    const bogus = 'AA:' + '00:'.repeat(30) + '00';
    await expect(call('certs:trust-ghe', { gheHost: 'ghe', fingerprints: [bogus] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(lab.hosts.services.exec('ls /usr/local/share/ca-certificates/').stdout).not.toMatch(/drydock-ghe/);
    const writes = fx.engine.audit.entries().filter((e) => e.kind === 'file' || /update-ca-certificates/.test(e.command));
    expect(writes).toEqual([]);
  });

  it('installs one certificate per .crt file, updates the bundle, verifies, and pushes to Nomad clients', async () => {
    const { chain } = await call('certs:ghe-fetch', { gheHost: 'ghe' });
    const result = await call('certs:trust-ghe', { gheHost: 'ghe', fingerprints: chain.map((c) => c.sha256) });
    expect(result.verified).toBe(true);
    expect(result.files).toEqual(['/usr/local/share/ca-certificates/drydock-ghe-ghe-0.crt', '/usr/local/share/ca-certificates/drydock-ghe-ghe-1.crt']);
    expect(result.nomadClients).toEqual([{ host: 'nomad1', ok: true }]);
    for (const host of [lab.hosts.services, lab.hosts.nomad1]) {
      expect(host.readFile(result.files[1])).toBe(ca.rootPem);
      expect(host.readFile(result.files[0])!.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
      expect(host.readFile('/etc/ssl/certs/ca-certificates.crt')).toContain(ca.rootPem.trim().split('\n')[1]);
    }
    // The Services machine's own openssl now trusts GHE, where it failed before; so does the client's.
    expect(lab.hosts.services.exec(verifyCmd).code).toBe(0);
    expect(lab.hosts.nomad1.exec(verifyCmd).code).toBe(0);
    // Backed up through the file-change engine (reversible).
    expect(lab.hosts.services.exec('cat /var/backups/drydock/*-trust-ghe/manifest.json').stdout).toContain('drydock-ghe-ghe-0.crt');
  });

  it('is idempotent: a second run changes no file', async () => {
    const before = fx.engine.audit.entries().length;
    const { chain } = await call('certs:ghe-fetch', { gheHost: 'ghe' });
    const result = await call('certs:trust-ghe', { gheHost: 'ghe', fingerprints: chain.map((c) => c.sha256), nomadClients: false });
    expect(result.verified).toBe(true);
    expect(fx.engine.audit.entries().slice(before).filter((e) => e.kind === 'file')).toEqual([]);
  });

  it('names the host when GHE cannot be reached', async () => {
    const err = await call('certs:ghe-fetch', { gheHost: 'ghe', port: 8443 }).catch((e: DrydockError) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).message).toMatch(/services could not get a certificate from ghe:8443/);
  });

  it('is undone by untrust-ghe: files gone, bundle rebuilt, GHE untrusted again', async () => {
    const { hosts } = await call('certs:trust-ghe-rollback', {});
    expect(hosts.map((h) => [h.host, h.files.length])).toEqual([
      ['services', 2],
      ['nomad1', 2],
    ]);
    for (const host of [lab.hosts.services, lab.hosts.nomad1]) {
      expect(host.exec('ls /usr/local/share/ca-certificates/').stdout).not.toMatch(/drydock-ghe/);
      expect(host.readFile('/etc/ssl/certs/ca-certificates.crt')).not.toContain(ca.rootPem.trim().split('\n')[1]);
    }
    expect(lab.hosts.services.exec(verifyCmd).code).not.toBe(0);
    // Nothing left to undo: said plainly, not an error.
    expect((await call('certs:trust-ghe-rollback', {})).hosts.every((h) => h.set === null)).toBe(true);
  });
});
