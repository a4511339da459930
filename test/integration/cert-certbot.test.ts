/**
 * certbot end to end against Pebble + pebble-challtestsrv (real ACME, run
 * by this test): Drydock runs certbot in a PTY on the lab Services machine,
 * which reaches Pebble over the shared loopback. The test plays the admin by
 * publishing the TXT value Drydock shows; Drydock then collects and installs
 * the certificate into the Replicated stand-ins. A wrong value must end in
 * certbot's own failure message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrydockEvent } from '../../shared/events';
import { startLab, type Lab } from '../lab/lab';
import { startPebble, type Pebble } from '../lab/pebble';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller } from './cert-helpers';

const HOSTNAME = 'ci.example.test';
const R = '/var/lib/lab/replicated';
let lab: Lab;
let pebble: Pebble;
let fx: EngineFixture;
let call: ReturnType<typeof caller>;
const events: DrydockEvent[] = [];

beforeAll(async () => {
  [lab, pebble] = await Promise.all([
    startLab([
      { name: 'services', standins: true, files: { [`${R}/app-config/hostname.value`]: HOSTNAME, [`${R}/transition-ms`]: '200' } },
      { name: 'services-sudo', standins: true, users: [{ name: 'admin', password: 'pw-for-sudo', sudo: 'password' }] },
    ]),
    startPebble(),
  ]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  call = caller(fx.engine, events);
});

afterAll(async () => {
  await fx?.dispose();
  await Promise.all([lab?.stop(), pebble?.stop()]);
});

describe('certbot DNS-01 through Drydock', () => {
  it('shows the TXT record, continues once it is published, collects and installs the certificate', async () => {
    const started = await call('certs:certbot-start', { hostname: HOSTNAME, server: pebble.directory, caBundle: pebble.listenerCaPem, email: 'admin@example.test' });
    expect(started.records).toHaveLength(1);
    const [record] = started.records;
    expect(record.name).toBe(`_acme-challenge.${HOSTNAME}`);
    expect(record.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Before publishing, the Services machine does not see it; after, it does.
    const early = await call('certs:certbot-check-dns', { runId: started.runId, resolver: pebble.dnsServer });
    expect(early.records[0]).toMatchObject({ found: false });
    await pebble.setTxt(record.name, record.value);
    const ready = await call('certs:certbot-check-dns', { runId: started.runId, resolver: pebble.dnsServer });
    expect(ready).toMatchObject({ checked: true, records: [{ name: record.name, found: true, seen: [record.value] }] });

    const { bundle } = await call('certs:certbot-continue', { runId: started.runId });
    await pebble.clearTxt(record.name);
    expect(bundle.source).toBe('certbot');
    expect(bundle.chain[0].sans).toContain(HOSTNAME);
    expect(bundle.chain.length).toBeGreaterThanOrEqual(2);
    expect(bundle.chain[0].daysLeft).toBeGreaterThan(30);
    expect(new Date(bundle.renewBy).getTime()).toBeLessThan(new Date(bundle.chain[0].notAfter).getTime());
    expect(events.some((e) => e.type === 'step' && /manual certificates do not renew themselves/.test(e.message ?? ''))).toBe(true);
    // certbot's state stays on the host.
    expect(lab.hosts.services.readFile(`/etc/letsencrypt/live/${HOSTNAME}/fullchain.pem`)).toContain('BEGIN CERTIFICATE');

    const installed = await call('certs:install', { bundle: bundle.id });
    expect(installed.installed.sha256).toBe(bundle.chain[0].sha256);
    const host = lab.hosts.services;
    const fullchain = host.readFile(`/etc/letsencrypt/live/${HOSTNAME}/fullchain.pem`)!;
    expect(Buffer.from(host.readFile(`${R}/app-config/ssl_cert.data`)!, 'base64').toString()).toBe(fullchain);
    expect(Buffer.from(host.readFile(`${R}/app-config/ssl_private_key.data`)!, 'base64').toString()).toBe(host.readFile(`/etc/letsencrypt/live/${HOSTNAME}/privkey.pem`));
    expect(host.readFile(`${R}/console.crt`)).toBe(fullchain);
  });

  it("reports certbot's own failure when the published value is wrong", async () => {
    const started = await call('certs:certbot-start', { hostname: HOSTNAME, server: pebble.directory, caBundle: pebble.listenerCaPem });
    await pebble.setTxt(started.records[0].name, 'not-the-value-certbot-asked-for');
    const err = await call('certs:certbot-continue', { runId: started.runId }).catch((e: Error & { code?: string }) => e);
    await pebble.clearTxt(started.records[0].name);
    expect(err).toMatchObject({ code: 'COMMAND_FAILED' });
    expect(err.message).toMatch(/^certbot on services failed:/);
    expect(err.message).toMatch(/Incorrect TXT record|unauthorized/i);
    expect(err.message).not.toMatch(/community\.letsencrypt/);
  });

  it('cancels a waiting certbot', async () => {
    const started = await call('certs:certbot-start', { hostname: HOSTNAME, server: pebble.directory, caBundle: pebble.listenerCaPem });
    expect(await call('certs:certbot-cancel', { runId: started.runId })).toEqual({ cancelled: true });
    await expect(call('certs:certbot-continue', { runId: started.runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // certbot is not left running on the host.
    await new Promise((r) => setTimeout(r, 500));
    expect(lab.hosts.services.exec('pgrep -f "certbot certonly"').stdout.trim()).toBe('');
  });

  it('runs certbot through sudo with a password when the login is not root', async () => {
    const sudoFx = await engineWithHosts(lab, [{ name: 'services-sudo', role: 'services', user: 'admin' }]);
    try {
      sudoFx.engine.credentials.set('services-sudo', { sudoPassword: 'pw-for-sudo' });
      const sudoCall = caller(sudoFx.engine);
      const started = await sudoCall('certs:certbot-start', { hostname: HOSTNAME, server: pebble.directory, caBundle: pebble.listenerCaPem });
      await pebble.setTxt(started.records[0].name, started.records[0].value);
      const { bundle } = await sudoCall('certs:certbot-continue', { runId: started.runId });
      await pebble.clearTxt(started.records[0].name);
      expect(bundle.chain[0].sans).toContain(HOSTNAME);
      // certbot ran as root: its state is root's, under /etc/letsencrypt.
      expect(lab.hosts['services-sudo'].exec(`stat -c %U /etc/letsencrypt/live/${HOSTNAME}/privkey.pem`).stdout.trim()).toBe('root');
      expect(JSON.stringify(sudoFx.engine.audit.entries())).not.toContain('pw-for-sudo');
    } finally {
      await sudoFx.dispose();
    }
  });
});
