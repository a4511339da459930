/**
 * The support bundle from three lab hosts (the Services machine on a real
 * Docker daemon, a Nomad client, and a Nomad client that is down): the
 * archive opens with `tar`, `sha256sum -c` passes, secrets planted in config
 * files, environment, Replicated's logs and a container's log never appear,
 * the down host is listed in the manifest, and progress came per host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrydockEvent } from '../../shared/events';
import { LAB_IMAGE } from '../lab/docker-daemon';
import { bundleCli } from './proxy-fixture';
import { startHealthWorld, type HealthWorld } from './health-fixture';

const KEY = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], { encoding: 'utf8' });
const PLANTED = {
  password: 'planted-Pa55word-9f1',
  token: 'ghp_plantedTOKENabcdefghijklmnop123456',
  logToken: 'planted-log-token-77a',
  proxyPassword: 'planted-proxy-pw-3c2',
  containerPassword: 'planted-container-pw-5d4',
  keyBody: KEY.split('\n')[1],
};

let w: HealthWorld;
let tmp: string;
let cli: ReturnType<typeof bundleCli>;

beforeAll(async () => {
  cli = bundleCli();
  w = await startHealthWorld({
    specs: [
      { name: 'nomad-1', standins: true, files: { '/etc/environment': `PATH="/usr/bin:/bin"\nHTTP_PROXY="http://proxyuser:${PLANTED.proxyPassword}@10.0.0.9:3128"\nGITHUB_TOKEN=${PLANTED.token}\n`, '/etc/nomad/config.hcl': 'client { enabled = true }\n' } },
      { name: 'nomad-2', standins: true },
    ],
    roles: [{ name: 'nomad-1', role: 'nomad' }, { name: 'nomad-2', role: 'nomad' }],
  });
  const s = w.lab.hosts.services;
  s.writeFile('/etc/replicated.conf', `{\n  "DaemonAuthenticationType": "password",\n  "DaemonAuthenticationPassword": "${PLANTED.password}",\n  "LicenseFileLocation": "/etc/license.rli"\n}\n`, 0o600);
  s.writeFile('/etc/circle-installation-customizations', `export HTTP_PROXY=http://proxyuser:${PLANTED.proxyPassword}@10.0.0.9:3128\n`);
  s.writeFile('/var/log/replicated/replicated.log', `INFO started\nDEBUG auth token=${PLANTED.logToken}\nDEBUG loaded key\n${KEY}INFO done\n`);
  w.dockerd.docker('rm', '-f', 'legacy-notifier');
  w.dockerd.docker('run', '-d', '--name', 'legacy-notifier', '--network', 'none', LAB_IMAGE, '/bin/sh', '-c',
    `echo "connecting with password=${PLANTED.containerPassword}"; trap "exit 0" TERM; while :; do sleep 1; done`);
  await w.lab.hosts['nomad-2'].stop(); // down: listed, not fatal
  tmp = mkdtempSync(path.join(os.tmpdir(), 'drydock-bundle-'));
});

afterAll(async () => {
  await w?.dispose();
  cli?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function allText(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('support bundle', () => {
  it('three hosts: opens with tar, sha256sum -c passes, no planted secret, the down host in the manifest', async () => {
    const out = path.join(tmp, 'bundle.tar.gz');
    const events: DrydockEvent[] = [];
    const r = await w.call('support:bundle', { out, tailLines: 50 }, (e) => events.push(e));

    expect(r.hosts.map((h) => [h.host, h.ok])).toEqual([['services', true], ['nomad-1', true], ['nomad-2', false]]);
    expect(r.hosts[2].error).toMatch(/nomad-2/);
    // Progress per host: running, then done or failed.
    const perHost = (h: string) => events.filter((e) => e.type === 'step' && e.step === h).map((e) => (e.type === 'step' ? e.status : ''));
    expect(perHost('services')[0]).toBe('running');
    expect(perHost('services').at(-1)).toBe('done');
    expect(perHost('nomad-2')).toEqual(['running', 'failed']);

    const x = path.join(tmp, 'x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('tar', ['-xzf', out, '-C', x]);
    const [top] = readdirSync(x);
    expect(top).toMatch(/^drydock-support-\d{8}T\d{6}Z$/);
    const root = path.join(x, top);
    const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: root, encoding: 'utf8' });
    expect(check).toMatch(/manifest\.json: OK/);
    expect(check).not.toMatch(/FAILED/);

    const text = allText(root) + execFileSync('sh', ['-c', `gzip -dc ${out}`]).toString('latin1');
    for (const [what, secret] of Object.entries(PLANTED)) expect(text.includes(secret), `${what} leaked`).toBe(false);

    const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
    expect(manifest.hosts.find((h: { host: string }) => h.host === 'nomad-2')).toMatchObject({ ok: false, files: [] });
    const services = manifest.hosts.find((h: { host: string }) => h.host === 'services');
    for (const f of ['services/files/etc/replicated.conf', 'services/files/var/log/replicated/replicated.log', 'services/docker/ps-a.txt', 'services/docker/logs/postgres.log', 'services/docker/logs/legacy-notifier.log', 'services/replicated/app-status-inspect.json', 'services/nomad/status.txt', 'services/system/df.txt']) {
      expect(services.files).toContain(f);
    }
    const where = (file: string) => services.redactions.filter((x: { file: string }) => x.file === file).map((x: { what: string }) => x.what);
    expect(where('services/files/etc/replicated.conf')).toEqual(['password, secret or token']);
    expect(where('services/files/var/log/replicated/replicated.log')).toEqual(expect.arrayContaining(['private key', 'password, secret or token']));
    expect(where('services/files/etc/circle-installation-customizations')).toEqual(['credentials in a URL (proxy)']);
    expect(where('services/docker/logs/legacy-notifier.log')).toEqual(['password, secret or token']);
    const nomad1 = manifest.hosts.find((h: { host: string }) => h.host === 'nomad-1');
    expect(nomad1.redactions.filter((x: { file: string }) => x.file === 'nomad-1/files/etc/environment').map((x: { what: string }) => x.what).sort())
      // A `…_PASSWORD=` variable is caught by the audit log's own key=value rule, which runs first.
      .toEqual(['credentials in a URL (proxy)', 'password, secret or token']);
    expect(nomad1.files).toContain('nomad-1/files/etc/nomad/config.hcl');
    // What remains is still useful: the redacted file keeps its shape.
    expect(readFileSync(path.join(root, 'services/files/etc/replicated.conf'), 'utf8')).toContain('"DaemonAuthenticationPassword": "***"');
    expect(readFileSync(path.join(root, 'services/docker/logs/legacy-notifier.log'), 'utf8')).toContain('connecting with password=***');
  });

  it('drydock support-bundle: a down host is reported, not fatal (exit 0)', async () => {
    const out = path.join(tmp, 'cli.tar.gz');
    const ran = await cli.run(['support-bundle', '--out', out, '--hosts', 'services,nomad-2'], { DRYDOCK_HOME: w.fx.home });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/services: \d+ files, \d+ secrets redacted/);
    expect(ran.stdout).toMatch(/nomad-2: FAILED/);
    expect(ran.stderr).toMatch(/Collect from services/);
    expect(ran.stderr).toMatch(/1 host\(s\) could not be collected.*nomad-2/);
    expect(execFileSync('tar', ['-tzf', out], { encoding: 'utf8' })).toMatch(/SHA256SUMS/);
  });
});
