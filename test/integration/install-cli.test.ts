/**
 * `drydock install services` as a script runs it (no TTY): its exit codes
 * (2 bad usage, 3 needs confirmation with nothing changed, 1 a file not yet
 * pushed), and a CLI killed while it waits for the app to start: the run is
 * resumed with `drydock runs resume`, and the installer, which had
 * finished, is not run again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../electron/engine/runbook/run-store';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { FRESH_SERVICES_FILES, laptopFiles, putInBundle, type LaptopFiles } from './install-fixture';
import { bundleCli } from './proxy-fixture';

let lab: Lab;
let files: LaptopFiles;
let fx: EngineFixture;
let fx2: EngineFixture;
let cli: ReturnType<typeof bundleCli>;
const PASSWORD = 'console-pw-cli-1';

beforeAll(async () => {
  files = laptopFiles();
  cli = bundleCli();
  lab = await startLab([
    { name: 'services', standins: true, files: FRESH_SERVICES_FILES },
    { name: 'svc-kill', standins: true, files: FRESH_SERVICES_FILES },
  ]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
  fx2 = await engineWithHosts(lab, [{ name: 'svc-kill', role: 'services' }]);
}, 60_000);

afterAll(async () => {
  await fx?.dispose();
  await fx2?.dispose();
  await lab?.stop();
  files?.dispose();
  cli?.dispose();
});

const env = (extra: Record<string, string> = {}) => ({ DRYDOCK_HOME: fx.home, ...extra });
const base = () => ['install', 'services', '--license', files.license, '--bundle', files.bundle, '--installer', files.installer];
const installRuns = () => (lab.hosts.services.readFile('/var/log/lab/install-runs') ?? '').split('\n').filter(Boolean);

describe('drydock install services', () => {
  it('exit 2 without the LDAP answer (with the warning), and without the console password', async () => {
    const r = await cli.run(base(), env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ldap yes\|no is required: LDAP can only be enabled on a clean installation/);
    const r2 = await cli.run([...base(), '--ldap', 'no'], env());
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('DRYDOCK_CONSOLE_PASSWORD');
  }, 60_000);

  it('files not on the host yet: the plan says they will be pushed first; without --yes exit 3 and nothing sent', async () => {
    const r = await cli.run([...base(), '--ldap', 'no', '--json'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD }));
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { plan: { installs: string[] } };
    expect(out.plan.installs[0]).toMatch(/^push circleci\.rli to /);
    expect(lab.hosts.services.exec('ls /var/lib/drydock/bundle 2>/dev/null').stdout.trim()).toBe('');
    expect(installRuns()).toEqual([]);
  }, 60_000);

  it('exit 3 without --yes: the plan is printed (JSON with needsConfirmation), nothing is changed', async () => {
    for (const f of [files.license, files.bundle, files.installer]) putInBundle(lab.hosts.services, f);
    const r = await cli.run([...base(), '--ldap', 'no', '--json'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD }));
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { plan: { installerArgs: string[] }; needsConfirmation: boolean };
    expect(out.needsConfirmation).toBe(true);
    expect(out.plan.installerArgs).toEqual(['airgap', `private-address=${lab.hosts.services.ip}`, 'no-docker', 'no-proxy']);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(lab.hosts.services.readFile('/etc/replicated.conf')).toBeNull();
    expect(installRuns()).toEqual([]);
  }, 60_000);

  it('killed while install.sh runs: the installer goes on on the host; `runs resume` follows it instead of starting a second one', async () => {
    const host = lab.hosts['svc-kill'];
    for (const f of [files.license, files.bundle, files.installer]) putInBundle(host, f);
    host.writeFile('/var/lib/lab/replicated/install-step-ms', '1500\n');
    host.writeFile('/var/lib/lab/replicated/start-delay-ms', '300\n');
    const { child, done } = cli.start([...base(), '--ldap', 'no', '--yes', '--host', 'svc-kill', '--wait', '1'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD, DRYDOCK_HOME: fx2.home }));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the installer never started:\n${stderr}`)), 45_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/svc-kill\| Loading replicated and replicated-ui images/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await done;
    const [run] = new RunStore(fx2.home).list().filter((r) => r.operation === 'install-services');
    expect(run.steps.find((s) => s.name === 'install')!.status).toBe('running');
    // The resume lists what it would still do and asks for it.
    const asked = await cli.run(['runs', 'resume', run.id], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD, DRYDOCK_HOME: fx2.home }));
    expect(asked.code).toBe(3);
    expect(asked.stderr).toMatch(/the Replicated installer on svc-kill/);
    const resumed = await cli.run(['runs', 'resume', run.id, '--yes'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD, DRYDOCK_HOME: fx2.home }));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((host.readFile('/var/log/lab/install-runs') ?? '').split('\n').filter(Boolean)).toHaveLength(1);
    expect(new RunStore(fx2.home).load(run.id)!.status).toBe('done');
    expect(host.exec('replicatedctl app status inspect').stdout).toContain('"State":"started"');
  }, 90_000);

  it('killed while waiting for the app: `runs resume` finishes without running the installer again', async () => {
    lab.hosts.services.writeFile('/var/lib/lab/replicated/start-delay-ms', '5000\n');
    const { child, done } = cli.start([...base(), '--ldap', 'yes', '--yes', '--wait', '1'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD }));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the wait never started:\n${stderr}`)), 45_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/… Wait for the CircleCI app to report started/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(stderr).toContain('services| Loading replicated and replicated-ui images from package');
    child.kill('SIGKILL');
    await done;
    expect(installRuns()).toHaveLength(1);

    const [run] = new RunStore(fx.home).list().filter((r) => r.operation === 'install-services');
    expect(run.status).toBe('interrupted');
    expect(run.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'skipped', 'done', 'done', 'running']);
    expect(JSON.stringify(run)).not.toContain(PASSWORD);

    // Without the password again: refused (runbooks never keep it).
    const lacking = await cli.run(['runs', 'resume', run.id, '--yes'], env());
    expect(lacking.code).toBe(2);
    expect(lacking.stderr).toContain('DRYDOCK_CONSOLE_PASSWORD');

    const resumed = await cli.run(['runs', 'resume', run.id, '--yes', '--json'], env({ DRYDOCK_CONSOLE_PASSWORD: PASSWORD }));
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = new RunStore(fx.home).load(run.id)!;
    expect(after.status).toBe('done');
    expect(after.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'skipped', 'done', 'done', 'done']);
    expect(installRuns()).toHaveLength(1);
    expect(lab.hosts.services.exec('replicatedctl app status inspect').stdout).toContain('"State":"started"');
  }, 90_000);
});
