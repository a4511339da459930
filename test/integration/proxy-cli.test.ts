/**
 * `drydock proxy …` and `drydock customize set …` as a script runs them: no
 * TTY, so without --yes they print the plan and stop with exit 3 having
 * written nothing; with --yes they apply, and --json output is stable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { bundleCli, GUIDE_RESTART_ORDER, ORIGINAL, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let cli: ReturnType<typeof bundleCli>;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let originals: Record<string, string | null>;

const drydock = (...args: string[]) => cli.run(args, { DRYDOCK_HOME: w.fx.home });
const sets = (host: string) => w.lab.hosts[host].exec('ls -1 /var/backups/drydock 2>/dev/null').stdout.split('\n').filter(Boolean);

beforeAll(async () => {
  cli = bundleCli();
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  originals = w.snapshot();
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
  cli?.dispose();
});

describe('drydock proxy (CLI)', () => {
  it('plan --json: the documented shape, nothing written', async () => {
    const ran = await drydock('proxy', 'plan', '--proxy', proxy.url, '--aws', '--no-proxy', '.corp.example', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const plan = JSON.parse(ran.stdout);
    expect(Object.keys(plan).sort()).toEqual(['changedFiles', 'defaultVerifyUrl', 'fingerprint', 'hosts', 'httpProxy', 'httpsProxy', 'javaNonProxyHosts', 'leftOut', 'noProxy', 'notes', 'pendingRestarts', 'restarts', 'warnings']);
    expect(plan.changedFiles).toBe(6);
    expect(plan.hosts[0]).toMatchObject({ host: 'services', role: 'services', files: [{ path: '/etc/replicated.conf', action: 'update' }, { path: '/etc/circle-installation-customizations', action: 'update' }] });
    expect(w.snapshot()).toEqual(originals);
  });

  it('apply without --yes and without a TTY prints the plan, exits 3 and writes nothing', async () => {
    const ran = await drydock('proxy', 'apply', '--proxy', proxy.url);
    expect(ran.code).toBe(3);
    expect(ran.stdout).toContain('update    /etc/replicated.conf');
    expect(ran.stdout).toContain(`+  "HttpProxy": "${proxy.url}"`);
    expect(ran.stdout).not.toContain('lab-s3cret-pw');
    expect(ran.stderr).toMatch(/Needs confirmation: nothing was written.*--yes/);
    expect(w.snapshot()).toEqual(originals);
    expect(sets('services')).toEqual([]);
    expect(w.units('services')).toEqual([]);
  });

  it('apply --yes --json applies, restarts in the guide order and verifies through the proxy', async () => {
    const ran = await drydock('proxy', 'apply', '--proxy', proxy.url, '--verify-url', origin.url, '--yes', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const { plan, result } = JSON.parse(ran.stdout);
    expect(plan.changedFiles).toBe(6);
    expect(Object.keys(result).sort()).toEqual(['changed', 'pendingRestarts', 'restarted', 'resumed', 'runId', 'summary', 'verification', 'verifyUrl']);
    expect(result.verification.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, true]);
    expect(w.units('services')).toEqual(GUIDE_RESTART_ORDER);
    expect(ran.stderr).toContain("✓ Restart Replicated in the guide's order");
  });

  it('apply again: nothing changes, and it says so (no confirmation needed)', async () => {
    const ran = await drydock('proxy', 'apply', '--proxy', proxy.url, '--verify-url', origin.url);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('Nothing to change: every host already holds these settings.');
    expect(ran.stdout).toContain('Nothing changed: every host already had these proxy settings');
    expect(w.units('services')).toEqual(GUIDE_RESTART_ORDER);
  });

  it('verify passes through the proxy, and fails with exit 1 when the URL cannot be fetched', async () => {
    const ok = await drydock('proxy', 'verify', '--url', origin.url);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/nomad-2\s+passed\s+curl and wget: HTTP 200 through the proxy 127\.0\.78\.1:\d+, from a fresh login \(pam_env reads \/etc\/environment\)/);
    const bad = await drydock('proxy', 'verify', '--url', 'http://127.0.78.1:9/');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/services\s+FAILED\s+curl: HTTP 502 came back through the proxy/);
    expect(bad.stderr).toContain('could not reach http://127.0.78.1:9/ as the files say');
  });
});

describe('drydock customize set (CLI)', () => {
  const bashReads = (file: string, ...vars: string[]) =>
    w.lab.hosts.services.exec(`bash -c 'set -e; . ${file}; printf "%s\\n" ${vars.map((v) => `"$${v}"`).join(' ')}'`).stdout.trim().split('\n');

  it('needs confirmation without a TTY, then writes CIRCLE_URL and JVM_HEAP_SIZE in place', async () => {
    const asked = await drydock('customize', 'set', 'CIRCLE_URL=https://ci2.example.test', 'JVM_HEAP_SIZE=8g');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toContain('+export CIRCLE_URL="https://ci2.example.test"');
    const ran = await drydock('customize', 'set', 'CIRCLE_URL=https://ci2.example.test', 'JVM_HEAP_SIZE=8g', '--yes');
    expect(ran.code, ran.stderr).toBe(0);
    expect(bashReads('/etc/circle-installation-customizations', 'CIRCLE_URL', 'JVM_HEAP_SIZE', 'HTTP_PROXY')).toEqual(['https://ci2.example.test', '8g', proxy.url]);
  });

  it('writes a container’s own file, and refuses what is not a known customization', async () => {
    const ran = await drydock('customize', 'set', 'JVM_HEAP_SIZE=2g', '--container', 'frontend', '--yes', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout).result).toMatchObject({ path: '/etc/circleconfig/frontend/customizations', changed: true });
    expect(w.lab.hosts.services.readFile('/etc/circleconfig/frontend/customizations')).toBe('export JVM_HEAP_SIZE="2g"\n');
    for (const bad of [['HTTP_PROXY=http://p:1'], ['CIRCLE_URL=ci.example.com'], ['JVM_HEAP_SIZE=8g; reboot'], ['CIRCLE_URL=https://x.test', '--container', 'frontend']]) {
      const refused = await drydock('customize', 'set', ...bad, '--yes');
      expect(refused.code, bad.join(' ')).toBe(2);
      expect(refused.stderr).toContain('nothing was written');
    }
  });
});

describe('drydock proxy rollback (CLI)', () => {
  it('warns about files changed since the apply, needs confirmation, then restores the originals', async () => {
    const asked = await drydock('proxy', 'rollback');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toContain('/etc/circle-installation-customizations   (changed since the apply: that change is lost)');
    expect(asked.stdout).toContain('remove   /etc/systemd/system/docker.service.d/http-proxy.conf');
    const ran = await drydock('proxy', 'rollback', '--yes');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('Restored 6 file(s) on 3 host(s)');
    expect(w.lab.hosts.services.readFile('/etc/circle-installation-customizations')).toBe(ORIGINAL.customizations);
    expect(w.snapshot()).toEqual(originals);
  });
});

describe('drydock proxy restart (CLI)', () => {
  it('apply --no-restart restarts nothing; restart lists what is owed, asks, then restarts exactly that', async () => {
    const unitsBefore = { services: w.units('services'), nomad: w.units('nomad-1') };
    const applied = await drydock('proxy', 'apply', '--proxy', proxy.url, '--verify-url', origin.url, '--yes', '--no-restart');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Still to restart: Replicated on services, Docker on nomad-1, Docker on nomad-2. Run drydock proxy restart when it suits you.');
    expect(applied.stdout).toContain('Files verified; services still run the old settings: Replicated on services, Docker on nomad-1, Docker on nomad-2.');
    expect({ services: w.units('services'), nomad: w.units('nomad-1') }).toEqual(unitsBefore);

    const asked = await drydock('proxy', 'restart');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toContain('Still running the old proxy settings: Replicated on services, Docker on nomad-1, Docker on nomad-2.');
    expect(w.units('services')).toEqual(unitsBefore.services);

    const ran = await drydock('proxy', 'restart', '--yes', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const { result } = JSON.parse(ran.stdout);
    expect(result).toMatchObject({ restarted: { replicated: true, docker: ['nomad-1', 'nomad-2'] }, pendingRestarts: [] });
    expect(w.units('services').slice(unitsBefore.services.length)).toEqual(GUIDE_RESTART_ORDER);
    expect(w.units('nomad-1').slice(unitsBefore.nomad.length)).toEqual(['daemon-reload', 'restart docker']);

    const none = await drydock('proxy', 'restart');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No restart is owed');
  });
});
