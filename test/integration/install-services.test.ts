/**
 * The Services machine's headless install against lab hosts: the install.sh
 * and replicatedctl stand-ins see the right files and arguments (the
 * installer's own usage decides private-address= or local-address=; the
 * proxy the proxy feature configured becomes http-proxy=), replicated.conf
 * is valid JSON with the expected fields, Docker comes from the bundle's
 * .debs when missing, the wait loop follows stopped -> started and times out
 * with the last status, and a file missing on the host is sent first by the
 * offline bundle push (hash-checked on both ends).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { waitForAppStarted } from '../../electron/engine/operations/install/services/wait';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller, FRESH_SERVICES_FILES, laptopFiles, putInBundle, type LaptopFiles } from './install-fixture';

let lab: Lab;
let files: LaptopFiles;
const engines: EngineFixture[] = [];
const PASSWORD = 'console-pw-lab-1';

beforeAll(async () => {
  files = laptopFiles();
  lab = await startLab([
    { name: 'svc-a', standins: true, files: FRESH_SERVICES_FILES },
    {
      name: 'svc-b',
      standins: true,
      files: {
        ...FRESH_SERVICES_FILES,
        // What the proxy feature leaves before an install (the guide: configure the proxy first on fresh VMs).
        '/etc/replicated.conf': { content: '{\n  "HttpProxy": "http://10.0.0.33:3128"\n}\n', mode: 0o600 },
        '/etc/circle-installation-customizations': 'export HTTP_PROXY="http://10.0.0.33:3128"\nexport NO_PROXY="127.0.0.1,localhost,ghe.example.test"\n',
      },
    },
    { name: 'svc-push', standins: true, files: FRESH_SERVICES_FILES },
    { name: 'svc-c', standins: true, files: { ...FRESH_SERVICES_FILES, '/var/lib/lab/docker/not-installed': '' } },
    { name: 'svc-sudo', standins: true, users: [{ name: 'admin', password: 'admin-pw', sudo: 'password' }], files: FRESH_SERVICES_FILES },
  ]);
}, 60_000);

afterAll(async () => {
  for (const e of engines) await e.dispose();
  await lab?.stop();
  files?.dispose();
});

async function engineFor(name: string) {
  const fx = await engineWithHosts(lab, [{ name, role: 'services' }]);
  engines.push(fx);
  return { fx, call: caller(fx.engine) };
}

const args = (name: string) => (lab.hosts[name].readFile('/var/log/lab/install-args') ?? '').split('\n').filter(Boolean);

describe('headless install', () => {
  it('sends what the host lacks with the bundle push (the bytes the plan hashed), then installs from it', async () => {
    const host = lab.hosts['svc-push'];
    const { call } = await engineFor('svc-push');
    const request = { license: files.license, bundle: files.bundle, installer: files.installer, ldap: true, consolePassword: PASSWORD, pollSeconds: 0.3, waitMinutes: 1 };
    const plan = await call('install:services-plan', request);
    expect(plan.files.filter((f) => !f.onHost).map((f) => f.role).sort()).toEqual(['bundle', 'installer', 'license']);
    expect(plan.installs[0]).toMatch(/^push circleci\.rli to svc-push/);
    const result = await call('install:services-run', { request, confirm: true, planFingerprint: plan.fingerprint });
    expect(result.installerRan).toBe(true);
    for (const local of [files.license, files.bundle, files.installer]) {
      const name = local.split('/').pop()!;
      const onHost = host.exec(`sha256sum /var/lib/drydock/bundle/${name}`).stdout.split(' ')[0];
      const laptop = createHash('sha256').update(readFileSync(local)).digest('hex');
      expect(onHost, name).toBe(laptop);
    }
    expect(host.exec('stat -c %U:%a /var/lib/drydock/bundle').stdout.trim()).toBe('root:700');
    expect(args('svc-push')[0]).toBe('airgap');
  });

  it('installs with the pushed files: replicated.conf and settings as JSON, install.sh airgap private-address= no-docker no-proxy, waits stopped -> started', async () => {
    const host = lab.hosts['svc-a'];
    for (const f of [files.license, files.bundle, files.installer]) putInBundle(host, f);
    host.writeFile('/var/lib/lab/replicated/start-delay-ms', '5000\n'); // long enough that the first poll sees it stopped on a loaded machine
    const { call } = await engineFor('svc-a');
    const request = { license: files.license, bundle: files.bundle, installer: files.installer, hostname: 'ci.example.test', ldap: true, consolePassword: PASSWORD, pollSeconds: 0.3, waitMinutes: 1 };
    const plan = await call('install:services-plan', request);
    expect(plan.blockers).toEqual([]);
    expect(plan.files.every((f) => f.onHost)).toBe(true);
    expect(plan.installerArgs).toEqual(['airgap', `private-address=${host.ip}`, 'no-docker', 'no-proxy']);
    expect(plan.ldapWarning).toMatch(/only be enabled on a clean installation/);
    expect(JSON.stringify(plan)).not.toContain(PASSWORD);

    await expect(call('install:services-run', { request, confirm: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(host.readFile('/etc/replicated.conf')).toBeNull();

    const notes: string[] = [];
    const output: string[] = [];
    const emit = (e: DrydockEvent) => {
      if (e.type === 'step' && e.step === 'wait' && e.message) notes.push(e.message);
      if (e.type === 'output') output.push(e.text);
    };
    const result = await call('install:services-run', { request, confirm: true, planFingerprint: plan.fingerprint }, emit);
    expect(result.summary).toMatch(/reports started/);
    expect(result.installerRan).toBe(true);

    // What the installer was given and saw.
    expect(args('svc-a')).toEqual(['airgap', `private-address=${host.ip}`, 'no-docker', 'no-proxy']);
    const conf = JSON.parse(host.readFile('/etc/replicated.conf')!) as Record<string, unknown>;
    expect(conf).toMatchObject({
      DaemonAuthenticationType: 'password',
      DaemonAuthenticationPassword: PASSWORD,
      LicenseFileLocation: '/var/lib/drydock/bundle/circleci.rli',
      LicenseBootstrapAirgapPackagePath: '/var/lib/drydock/bundle/circleci-2.17.airgap',
      ImportSettingsFrom: '/etc/replicated-settings.json',
      TlsBootstrapType: 'self-signed',
      TlsBootstrapHostname: 'ci.example.test',
    });
    expect(host.exec('stat -c %a /etc/replicated.conf').stdout.trim()).toBe('600');
    expect(JSON.parse(host.readFile('/etc/replicated-settings.json')!)).toEqual({ hostname: { value: 'ci.example.test' }, ldap_enabled: { value: '1' } });
    // Replicated imported them: replicatedctl reads them back.
    const exported = JSON.parse(host.exec('replicatedctl app-config export').stdout) as Record<string, { value: string }>;
    expect(exported.hostname.value).toBe('ci.example.test');
    expect(host.readFile('/etc/default/replicated')).toContain(`PRIVATE_ADDRESS=${host.ip}`);
    // The installer's output was streamed; the wait saw the app stopped, then started.
    expect(output.join('')).toContain('Loading replicated and replicated-ui images');
    expect(notes.some((n) => /State stopped/.test(n))).toBe(true);
    expect(notes[notes.length - 1]).toBe('State started');
    // The password never reached the runbook on disk.
    const run = fx(0).engine.runner.store.load(result.runId)!;
    expect(JSON.stringify(run)).not.toContain(PASSWORD);
  }, 60_000);

  it('a second install is refused: Replicated runs there already', async () => {
    const { call } = await engineFor('svc-a');
    const plan = await call('install:services-plan', { license: files.license, bundle: files.bundle, installer: files.installer, ldap: false, consolePassword: PASSWORD });
    expect(plan.alreadyInstalled).toBe(true);
    expect(plan.blockers.join()).toMatch(/already installed/);
  });

  it("reads the older installer's usage (local-address=) and passes the configured proxy", async () => {
    const host = lab.hosts['svc-b'];
    for (const f of [files.license, files.bundle, files.installerLocal]) putInBundle(host, f);
    const { call } = await engineFor('svc-b');
    const request = { license: files.license, bundle: files.bundle, installer: files.installerLocal, ldap: false, consolePassword: PASSWORD, pollSeconds: 0.3, waitMinutes: 1 };
    const plan = await call('install:services-plan', request);
    expect(plan.installerArgs).toEqual(['airgap', `local-address=${host.ip}`, 'no-docker', 'http-proxy=http://10.0.0.33:3128', 'additional-no-proxy=127.0.0.1,localhost,ghe.example.test']);
    await call('install:services-run', { request, confirm: true, planFingerprint: plan.fingerprint });
    expect(args('svc-b')).toEqual(plan.installerArgs);
    const conf = JSON.parse(host.readFile('/etc/replicated.conf')!) as Record<string, unknown>;
    // The proxy feature's key is kept beside the install's.
    expect(conf.HttpProxy).toBe('http://10.0.0.33:3128');
    expect(conf.LicenseFileLocation).toBe('/var/lib/drydock/bundle/circleci.rli');
    expect(JSON.parse(host.readFile('/etc/replicated-settings.json')!).ldap_enabled).toEqual({ value: '0' });
  }, 60_000);
});

describe('as a login user with sudo (the usual ubuntu@ login)', () => {
  it('installs through sudo: the files root\'s, the installer detached and followed, the app started', async () => {
    const host = lab.hosts['svc-sudo'];
    for (const f of [files.license, files.bundle, files.installer]) putInBundle(host, f);
    host.writeFile('/var/lib/lab/replicated/start-delay-ms', '300\n');
    const fx = await engineWithHosts(lab, [{ name: 'svc-sudo', role: 'services', user: 'admin' }]);
    engines.push(fx);
    fx.engine.credentials.set('svc-sudo', { sudoPassword: 'admin-pw' });
    const call = caller(fx.engine);
    const request = { license: files.license, bundle: files.bundle, installer: files.installer, ldap: false, consolePassword: PASSWORD, pollSeconds: 0.3, waitMinutes: 1 };
    const result = await call('install:services-run', { request, confirm: true });
    expect(result.summary).toMatch(/reports started/);
    expect(args('svc-sudo')).toEqual(['airgap', `private-address=${host.ip}`, 'no-docker', 'no-proxy']);
    expect(host.exec('stat -c %U:%a /etc/replicated.conf /var/lib/drydock/install').stdout.split('\n').filter(Boolean)).toEqual(['root:600', 'root:700']);
    // The sudo password is in neither the audit log nor the runbook.
    expect(JSON.stringify(fx.engine.runner.store.load(result.runId))).not.toContain('admin-pw');
  }, 60_000);
});

describe('console mode, Docker from the bundle', () => {
  it("installs Docker from the bundle folder's .debs, runs the installer, and stops at the console upload", async () => {
    const host = lab.hosts['svc-c'];
    for (const f of [files.license, files.bundle, files.installer, ...files.dockerDebs]) putInBundle(host, f);
    const { call } = await engineFor('svc-c');
    const request = { license: files.license, bundle: files.bundle, installer: files.installer, ldap: false, mode: 'console' as const };
    const plan = await call('install:services-plan', request);
    expect(plan.docker).toEqual({ installed: false, fromBundle: true });
    expect(plan.files.filter((f) => f.role === 'docker-deb').map((f) => f.remote.split('/').pop()).sort()).toEqual(['lab-docker-ce-cli_18.09.9_all.deb', 'lab-docker-ce_18.09.9_all.deb']);
    expect(plan.fileChanges).toEqual([]);
    const result = await call('install:services-run', { request, confirm: true });
    expect(result.dockerFromBundle).toBe(true);
    expect(result.summary).toMatch(/Open https:\/\/.*:8800 and upload/);
    expect(result.upload?.[1]).toContain('/var/lib/drydock/bundle/circleci-2.17.airgap');
    expect(host.exec('dpkg-query -W -f=\'${Status}\' lab-docker-ce').stdout).toBe('install ok installed');
    expect(host.readFile('/var/lib/lab/docker/not-installed')).toBeNull();
    expect(args('svc-c')).toEqual(['airgap', `private-address=${host.ip}`, 'no-docker', 'no-proxy']);
    expect(host.readFile('/etc/replicated.conf')).toBeNull();
  }, 60_000);

  it('the wait loop times out showing the last status (no license: the app stays stopped)', async () => {
    const { fx: f } = await engineFor('svc-c');
    const session = await f.engine.pool.session('svc-c');
    const seen: string[] = [];
    const started = Date.now();
    const err = await waitForAppStarted(session, { timeoutMs: 1500, pollMs: 300, onStatus: (s) => seen.push(s) }).catch((e: DrydockError) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('TIMEOUT');
    expect((err as DrydockError).message).toMatch(/did not report started within 2 s; last status: State stopped/);
    expect(seen.length).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

function fx(i: number): EngineFixture {
  return engines[i + 1];
}
