/**
 * `sudo npm run demo` end to end: the compiled demo in a child process prints
 * its URL, DRYDOCK_HOME and the hosts' fingerprints; the app it serves (as an
 * ordinary account) trusts the Services machine with the printed fingerprint
 * and reads its facts; the CLI plans a proxy over the demo's inventory, the
 * Nomad clients through the bastion; the printed exports back up the
 * Services machine with the profile `demo` against the EC2 simulator, and a
 * DR drill restores it onto the spare (its firewall kept off this computer's);
 * the Health page shows the real Docker daemon's containers; a second demo
 * refuses; Drydock's
 * processes reached nothing but loopback and the inventory; Ctrl-C leaves no
 * host process, mount, address lock or temporary folder behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { readConnections, violations } from '../air-gap/connections';
import { mountsUnder } from '../lab/lab';
import { cliAsUser, runDemo, startDemo, type DemoRun } from '../demo/run-demo';

const EC2_ENDPOINT = 'http://127.0.79.22:8773/';
const DEMO_ADDRESSES = ['127.0.79.2', '127.0.79.3', '127.0.79.4', '127.0.79.5', '127.0.79.6', '127.0.79.7'];

test.describe.configure({ mode: 'serial' });

let demo: DemoRun;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  demo = await startDemo([], undefined, 100_000);
});

test.afterAll(async () => {
  if (demo && demo.child.exitCode === null && demo.child.signalCode === null) await demo.interrupt();
  demo?.dispose();
});

test('prints its URL, DRYDOCK_HOME (owned by the app\'s user) and every host\'s fingerprint', () => {
  expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  expect(demo.home).toBe(`${demo.dir}/home`);
  expect(statSync(demo.home).uid, 'DRYDOCK_HOME belongs to the account the app runs as (nobody)').toBe(65534);
  expect(Object.keys(demo.fingerprints).sort()).toEqual(['bastion', 'ghe', 'nomad-1', 'nomad-2', 'services', 'spare']);
  // Keys are not pre-trusted: the user's known_hosts does not exist yet.
  expect(readdirSync(demo.home)).not.toContain('known_hosts');
  expect(demo.output()).toMatch(/browser mode, as nobody/);
  // Only the lab runs as root: the app's server (the process with the demo's DRYDOCK_HOME) is nobody's.
  const servers = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DRYDOCK_HOME=${demo.home}`);
    } catch {
      return false;
    }
  });
  expect(servers.length).toBeGreaterThan(0);
  for (const pid of servers) expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\t65534\t65534\t65534\t65534$/m);
  // The app reads the demo's AWS files (not the user's ~/.aws): the same ones the banner exports for the CLI.
  for (const pid of servers) expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`AWS_SHARED_CREDENTIALS_FILE=${demo.dir}/files/aws/credentials`);
});

test('the app trusts the Services machine with the printed fingerprint and reads its facts', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(demo.url);
  await page.getByRole('button', { name: 'Trust services…' }).click({ timeout: 10_000 });
  const dialog = page.getByRole('dialog', { name: 'Confirm the host key of services' });
  await expect(dialog.getByTestId('presented-fingerprint')).toHaveText(demo.fingerprints.services!, { timeout: 10_000 });
  await dialog.getByRole('button', { name: 'Trust', exact: true }).click();
  await page.getByRole('button', { name: 'Facts for services' }).click();
  const facts = page.getByRole('region', { name: 'Facts: services' });
  await expect(facts.getByTestId('fact-hostname')).toHaveText('services', { timeout: 10_000 });
  expect(problems).toEqual([]);
});

test('a proxy plan over the demo inventory covers the Services machine and both Nomad clients, through the bastion', async () => {
  for (const host of ['bastion', 'nomad-1', 'nomad-2']) {
    const trusted = await cliAsUser(demo.home, ['hosts', 'trust', host, '--fingerprint', demo.fingerprints[host]!], demo.connectionLog);
    expect(trusted.stderr + trusted.stdout).toContain(`Trusted ${host}`);
    expect(trusted.code).toBe(0);
  }
  const bastionLog = `${demo.dir}/lab/hosts/bastion/sshd.log`;
  const before = (readFileSync(bastionLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
  const plan = await cliAsUser(demo.home, ['proxy', 'plan', '--proxy', demo.proxyUrl, '--json'], demo.connectionLog);
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  const text = plan.stdout;
  for (const host of ['services', 'nomad-1', 'nomad-2']) expect(text).toContain(`"${host}"`);
  // The Nomad clients were reached through the bastion: it accepted Drydock's key for them.
  const after = (readFileSync(bastionLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
  expect(after).toBeGreaterThan(before);
});

test('the printed exports back up the Services machine with the profile "demo" against the EC2 simulator', async () => {
  // The AWS keys are in the demo's folder, the user's own, not in any ~/.aws.
  expect(demo.exports.AWS_SHARED_CREDENTIALS_FILE).toBe(`${demo.dir}/files/aws/credentials`);
  expect(demo.exports.AWS_CONFIG_FILE).toBe(`${demo.dir}/files/aws/config`);
  expect(statSync(demo.exports.AWS_SHARED_CREDENTIALS_FILE!).uid).toBe(65534);
  expect(statSync(demo.exports.AWS_SHARED_CREDENTIALS_FILE!).mode & 0o077).toBe(0);
  const ran = await cliAsUser(demo.home, ['backup', 'run', '--profile', 'demo', '--wait', '--yes'], demo.connectionLog, demo.exports);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stderr).toContain('Credentials: credentials from profile drydock-demo');
  // The simulator's instance is the demo's Services machine: found by its address, read over SSH.
  expect(ran.stderr).toMatch(/Machine: services \(i-\S+\) 127\.0\.79\.3 running/);
  expect(ran.stderr).toContain('Addresses recorded for restore: private 127.0.79.3');
  expect(ran.stderr).toMatch(/completed 100%/);
  const list = await cliAsUser(demo.home, ['backup', 'list', '--profile', 'demo', '--json'], demo.connectionLog, demo.exports);
  expect(list.code, list.stderr).toBe(0);
  const { backups } = JSON.parse(list.stdout) as { backups: { ours: boolean; state: string }[] };
  expect(backups).toHaveLength(1);
  expect(backups[0]).toMatchObject({ ours: true, state: 'completed' });
  // The profile names the spare for restore; the simulator keeps its world under the demo folder (--keep continues it).
  const profiles = await cliAsUser(demo.home, ['backup', 'profile', 'list', '--json']);
  const state = JSON.parse(readFileSync(`${demo.dir}/services/ec2/state.json`, 'utf8')) as { instances: { id: string; privateIp: string }[]; snapshots: unknown[] };
  const spare = state.instances.find((i) => i.privateIp === '127.0.79.6')!;
  expect(JSON.parse(profiles.stdout)[0]).toMatchObject({ name: 'demo', provider: 'aws', instance: 'services', spareInstance: spare.id, imds: false });
  expect(state.snapshots.length).toBeGreaterThan(0);
});

test('a DR drill onto the spare from that backup: the spare boots the Services machine\'s disk, its new key is proven by the console, and this computer\'s firewall is never touched', async () => {
  test.setTimeout(240_000);
  const trusted = await cliAsUser(demo.home, ['hosts', 'trust', 'spare', '--fingerprint', demo.fingerprints.spare!], demo.connectionLog);
  expect(trusted.code, trusted.stderr).toBe(0);
  const firewall = () => execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' });
  const before = firewall();
  const exports = { ...demo.exports, DRYDOCK_RESTORE_POLL_MS: '300' };
  const plan = await cliAsUser(demo.home, ['restore', 'plan', '--spare', 'spare', '--profile', 'demo', '--drill', '--json'], demo.connectionLog, exports);
  expect(plan.code, plan.stderr).toBe(0);
  expect((JSON.parse(plan.stdout) as { blocking: unknown[] }).blocking).toEqual([]);
  // While the drill runs, this computer's own rules never carry Drydock's chains (they go to the spare's own namespace).
  let sawDrydock = false;
  const watch = setInterval(() => (sawDrydock ||= firewall().includes('DRYDOCK')), 200);
  const ran = await cliAsUser(demo.home, ['restore', 'run', '--spare', 'spare', '--profile', 'demo', '--drill', '--yes', '--json'], demo.connectionLog, exports).finally(() => clearInterval(watch));
  expect(ran.code, ran.stderr).toBe(0);
  const result = JSON.parse(ran.stdout) as { mode: string; summary: string; hostKeys: { proof: string }[]; run: { steps: { name: string; status: string }[] } };
  expect(result.mode).toBe('drill');
  expect(result.hostKeys.map((k) => k.proof)).toContain('console');
  expect(result.summary).toContain('the spare is back on its own root');
  const status = Object.fromEntries(result.run.steps.map((s) => [s.name, s.status]));
  expect(status['drill-block-load']).toBe('done');
  expect(status['verify-app']).toBe('done');
  expect(sawDrydock, 'Drydock chains in this computer\'s iptables during the drill').toBe(false);
  expect(firewall()).toBe(before);
  // Back on its own disk: the spare answers with its own key again (the demo's known_hosts, strictly checked) and its own address.
  const own = execFileSync('ssh', ['-F', '/dev/null', '-i', `${demo.dir}/files/id_ed25519`, '-o', `UserKnownHostsFile=${demo.home}/known_hosts`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', 'root@127.0.79.6', 'cat /etc/default/replicated'], { encoding: 'utf8' });
  expect(own).toContain('PRIVATE_ADDRESS=127.0.79.6');
});

test('Health shows the real Docker daemon\'s containers: postgres stopped there is down in the app, started again it is up', async ({ page }) => {
  test.setTimeout(120_000); // two full health checks (47 containers, 9 endpoints) on a busy machine
  const dockerDir = /^ {2}Docker\s+real dockerd \((\/tmp\/drydock-dk-[^)]+)\)/m.exec(demo.output())?.[1];
  expect(dockerDir, 'the banner names the real daemon').toBeTruthy();
  const docker = (...args: string[]) => execFileSync('docker', ['-H', `unix://${dockerDir}/sock/docker.sock`, ...args], { encoding: 'utf8' });
  docker('stop', 'postgres');
  try {
    await page.goto(demo.url);
    await page.getByRole('link', { name: 'Health' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Something severe or moderate is down' })).toBeVisible({ timeout: 30_000 });
    const severe = page.getByRole('region', { name: /Severe/ });
    await expect(severe.getByRole('listitem').filter({ hasText: /^postgres/ })).toContainText('down');
    await expect(page.getByRole('region', { name: /^Nomad/ })).toContainText('nomad-1');
  } finally {
    docker('start', 'postgres');
  }
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Healthy.' })).toBeVisible({ timeout: 30_000 });
  // The CLI with the printed exports sees the same (the guide's endpoints answer at the Services machine's address).
  const health = await cliAsUser(demo.home, ['health'], demo.connectionLog, demo.exports);
  expect(health.code, health.stderr).toBe(0);
  expect(health.stdout).toMatch(/Endpoints: 9\/9 answer 200/);
});

test('a second demo refuses while the first runs, and leaves it running', async () => {
  const second = await runDemo(['--user', 'nobody', '--dir', `${demo.base}/second`]);
  expect(second.code).toBe(2);
  expect(second.stderr).toContain('already running');
  expect(existsSync(`${demo.base}/second`)).toBe(false);
  expect((await fetch(demo.url)).status).toBe(200);
});

test('Drydock\'s processes reached nothing but loopback and the inventory\'s hosts', () => {
  const records = readConnections(demo.connectionLog);
  // The recorder ran in the app's server and in the CLI: their SSH connections are there.
  expect(records.some((r) => r.kind === 'tcp' && r.host === '127.0.79.3' && r.port === 22 && /cli\.js$/.test(r.main))).toBe(true);
  expect(violations(records)).toEqual([]);
});

test('Ctrl-C stops everything: no host process, mount, address lock or temporary folder is left', async () => {
  const { code } = await demo.interrupt();
  expect(code).toBe(0);
  expect(demo.output()).toContain('nothing of the practice installation is left');
  const leftovers = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(demo.dir);
    } catch {
      return false;
    }
  });
  const dockerDir = /^ {2}Docker\s+real dockerd \((\/tmp\/drydock-dk-[^)]+)\)/m.exec(demo.output())![1]!;
  const dockerd = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dockerDir);
    } catch {
      return false;
    }
  });
  expect(leftovers, 'processes of the demo (the EC2 simulator\'s --state is in its folder)').toEqual([]);
  expect(dockerd, 'the Docker daemon and its containers\' shims').toEqual([]);
  expect(existsSync(dockerDir), 'the Docker daemon\'s folder').toBe(false);
  expect(mountsUnder(dockerDir)).toEqual([]);
  // The EC2 simulator's endpoint answers no more.
  await expect(fetch(EC2_ENDPOINT, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  expect(mountsUnder(demo.dir)).toEqual([]);
  for (const ip of DEMO_ADDRESSES) expect(existsSync(`/tmp/drydock-lab/ips/${ip}`), `address lock ${ip}`).toBe(false);
  expect(existsSync(demo.dir), 'the demo folder (hosts, home, temporary files)').toBe(false);
  expect(existsSync('/run/drydock-demo/demo.json')).toBe(false);
  // The app's server ended too: its URL answers no more.
  await expect(fetch(demo.url)).rejects.toThrow();
});
