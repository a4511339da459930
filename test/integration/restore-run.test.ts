/**
 * Restore onto the hot spare, end to end over the channels the GUI and CLI
 * call: real lab hosts (primary, spare, two Nomad clients), the EC2
 * simulator swapping the spare's root, and the re-image glue of
 * restore-fixture.ts. The spare's files are read as the shell reads them,
 * the clients' config.hcl parsed, the host key rule tested in its three
 * cases, and an abort puts the spare back as it was.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { CUSTOMIZATIONS, DOCKER_DROP_IN, ENVIRONMENT } from '../../shared/proxy/render';
import { parseHcl, startRestoreWorld, type RestoreWorld } from './restore-fixture';

let w: RestoreWorld | undefined;
afterEach(async () => {
  await w?.dispose();
  w = undefined;
});

const spareCalls = (world: RestoreWorld) => (world.lab.hosts.spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean);

/** NO_PROXY of a Docker drop-in's Environment= words (systemd's quoting), split on commas. */
function dropInNoProxy(text: string): string[] {
  const words = /^Environment=(.*)$/m.exec(text)![1].match(/"[^"]*"/g)!.map((w) => w.slice(1, -1));
  return words.find((w) => w.startsWith('NO_PROXY='))!.slice('NO_PROXY='.length).split(',');
}

/** The bypass lists as the shell and systemd read them: the old private address replaced by `now`, every other entry as it was. */
function expectBypassSwapped(world: RestoreWorld, now: string, publicNow = '203.0.113.11') {
  const { services, spare, nomad1, nomad2 } = world.lab.hosts;
  const expected = ['127.0.0.1', 'localhost', now, publicNow, 'ghe.restore-test.invalid', `${services.ip}0`];
  for (const c of [nomad1, nomad2]) {
    const env = world.defaults(c, ENVIRONMENT);
    expect(env.NO_PROXY.split(',')).toEqual(expected);
    expect(env.no_proxy.split(',')).toEqual(expected);
    expect(env.HTTP_PROXY).toBe('http://ci-bot:p%40ss@127.0.81.250:3128');
    expect(env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(dropInNoProxy(c.readFile(DOCKER_DROP_IN)!)).toEqual(expected);
  }
  if (now === services.ip) return;
  const custom = world.defaults(spare, CUSTOMIZATIONS);
  expect(custom.NO_PROXY.split(',')).toEqual(expected);
  const flag = custom.JVM_OPTS.split(' ').find((w) => w.startsWith('-Dhttp.nonProxyHosts='))!;
  expect(flag.slice(flag.indexOf('=') + 1).split('|')).toEqual(['127.0.0.1', 'localhost', now, 'ghe.restore-test.invalid']);
  expect(custom.CIRCLE_URL).toBe('https://ci.restore-test.invalid');
}

/** `identityFixedHere`: false when an earlier refresh-spare run fixed the files (its report has the diffs). */
async function expectRestored(world: RestoreWorld, runId: string, identityFixedHere = true) {
  const { spare, nomad1, nomad2 } = world.lab.hosts;
  const replicated = world.defaults(spare, '/etc/default/replicated');
  expect(replicated.PRIVATE_ADDRESS).toBe(spare.ip);
  expect(replicated.PUBLIC_ADDRESS).toBe('203.0.113.11');
  expect(replicated.REPLICATED_OPTS).toBe(' -e LOG_LEVEL=info -e NODENAME=services');
  const operator = world.defaults(spare, '/etc/default/replicated-operator');
  expect(operator).toMatchObject({ DAEMON_ENDPOINT: `[${spare.ip}]:9879`, DAEMON_HOST: `[${spare.ip}]`, PRIVATE_ADDRESS: spare.ip });
  expect(spare.readFile('/opt/nomad/data/server/raft.db')).toBeNull();
  expect(spare.exec('replicatedctl app status').stdout).toMatch(/started/);
  for (const c of [nomad1, nomad2]) {
    const cfg = parseHcl(c.readFile('/etc/nomad/config.hcl')!);
    expect(cfg.client?.servers).toEqual([`${spare.ip}:4647`]);
    expect(cfg.telemetry?.statsd_address).toBe(`${spare.ip}:8125`);
    expect(cfg.advertise).toEqual({ http: c.ip, rpc: c.ip, serf: c.ip });
  }
  expectBypassSwapped(world, spare.ip);
  const nodes = spare.exec('docker exec nomad nomad node-status').stdout;
  expect(nodes).toMatch(/nomad1\s.*ready/);
  expect(nodes).toMatch(/nomad2\s.*ready/);
  // The spare's own root is kept, tagged; only the restored volume is attached as root.
  expect(world.rootsAttached()).toHaveLength(1);
  const kept = world.sim.world.volume(world.spareRoot)!;
  expect(kept.state).toBe('available');
  expect(kept.tags).toContainEqual({ Key: 'drydock:kept-root-of', Value: world.spareId });

  const md = (await world.call('restore:report', { runId, format: 'md' })).text;
  const run = await world.call('runs:get', { id: runId });
  for (const s of run.steps) expect(md).toContain(s.title);
  expect(md).toMatch(/Recovery point/);
  expect(md).toMatch(/\*\*Recovery time:\*\* \d/);
  if (identityFixedHere) {
    expect(md).toContain('/etc/default/replicated-operator');
    expect(md).toContain(`-DAEMON_HOST=[${world.lab.hosts.services.ip}]`);
    expect(md).toContain(`+DAEMON_HOST=[${spare.ip}]`);
    expect(md).toContain('rm -rf /opt/nomad');
  }
  // The proxy files' diffs (the URL's password masked) and the Docker restart left to the admin.
  expect(md).toContain(DOCKER_DROP_IN);
  expect(md).not.toContain('p%40ss');
  const html = (await world.call('restore:report', { runId, format: 'html' })).text;
  expect(html).toContain('<table');
  return md;
}

describe('restore onto the hot spare (AWS)', () => {
  it('previews without touching anything, then restores: new key proven by the console, identity fixed, app started, clients re-pointed, report', async () => {
    w = await startRestoreWorld();
    const world = w;
    const callsBefore = world.sim.requests.filter((r) => !/^Describe|GetConsoleOutput/.test(r.action)).length;
    const plan = await world.call('restore:plan', { spare: 'spare' });
    expect(plan.blocking).toEqual([]);
    expect(plan.backup).toMatchObject({ id: world.backup.id, snapshotId: world.backup.snapshotId, state: 'completed' });
    expect(plan.spare).toMatchObject({ machineId: world.spareId, rootDevice: '/dev/sda1', rootDisk: world.spareRoot });
    expect(plan.lineChanges).toContainEqual({ host: 'spare', file: '/etc/default/replicated-operator', key: 'DAEMON_HOST', old: `[${world.lab.hosts.services.ip}]`, new: `[${world.lab.hosts.spare.ip}]`, readAfterBoot: false });
    expect(plan.nomadClients.map((c) => c.host)).toEqual(['nomad1', 'nomad2']);
    expect(plan.steps.find((s) => s.name === 'copy-snapshot')?.skipped).toBe(true);
    // A failover does not cut the spare off: it becomes production.
    expect(plan.isolation).toMatchObject({ needed: false });
    expect(plan.steps.filter((s) => /spare-network|isolate-spare/.test(s.name)).map((s) => [s.name, s.skipped])).toEqual([['isolate-spare', true], ['release-spare-network', true]]);
    const ownGroups = world.spareGroups();
    expect(world.sim.requests.filter((r) => !/^Describe|GetConsoleOutput/.test(r.action)).length).toBe(callsBefore);
    expect(world.reimages).toBe(0);

    await expect(world.call('restore:run', { spare: 'spare', confirmed: true } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/Review the plan first/) });
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    const result = await world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true });
    expect(result.run.status).toBe('done');
    expect(result.hostKeys).toEqual([{ fingerprint: world.keys.spareNow(), keyType: 'ssh-ed25519', proof: 'console' }]);
    expect(result.recoveryTimeMs).toBeGreaterThan(0);
    expect(result.leftToAdmin.join('\n')).toMatch(/Point ci\.restore-test\.invalid at the spare/);
    expect(result.leftToAdmin.join('\n')).toMatch(/nomad1: NO_PROXY in \/etc\/systemd\/system\/docker\.service\.d\/http-proxy\.conf now names the spare.*systemctl restart docker/);
    // Nothing restarted docker behind the admin's back.
    expect(world.lab.hosts.nomad1.readFile('/var/log/lab/units.log') ?? '').not.toMatch(/restart docker/);
    const md = await expectRestored(world, result.runId);
    expect(md).toMatch(/printed by cloud-init on the spare's console/);
    // Its groups untouched: it booted the restored disk with its own, nothing made or changed at EC2.
    expect(world.spareBoots.at(-1)!.groups.map((g) => g.id)).toEqual(ownGroups);
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.sim.calls('CreateSecurityGroup')).toEqual([]);
    expect(world.sim.calls('ModifyInstanceAttribute')).toEqual([]);
    // The start asked for EC2's status checks before reconnecting (the simulator's test shows initializing → ok).
    expect(world.sim.calls('DescribeInstanceStatus').length).toBeGreaterThanOrEqual(1);
    expect(md).toMatch(/status checks ok/);
    // One restore at a time, and this one is finished: the lock is gone.
    expect(await world.call('restore:lock', {})).toBeNull();
  });

  it("accepts the primary's known key when the spare keeps it", async () => {
    w = await startRestoreWorld();
    w.keyMode = 'primary';
    // The hostname from the Nomad clients' resolvers: nomad1 already sees the spare, nomad2 a cached old record.
    const { nomad1, nomad2, services, spare } = w.lab.hosts;
    nomad1.exec(`echo '${spare.ip} ci.restore-test.invalid' >>/etc/hosts`);
    nomad2.exec(`echo '${services.ip} ci.restore-test.invalid' >>/etc/hosts`);
    const result = await w.runFromPlan({ spare: 'spare' });
    expect(result.hostKeys).toEqual([{ fingerprint: w.keys.primary, keyType: 'ssh-ed25519', proof: 'primary' }]);
    const md = await expectRestored(w, result.runId);
    // Both answers reported, the disagreement shown; this computer cannot resolve the test name (NXDOMAIN where a
    // resolver answers; no answer at all inside the test suite's network namespace, which has no route to one).
    const laptop = /this computer: (does not resolve|no DNS server answered)/;
    const left = result.leftToAdmin.find((l) => l.startsWith('Point ci.restore-test.invalid at the spare'))!;
    expect(left).toMatch(laptop);
    expect(left).toContain(`nomad1: ${spare.ip} (the spare)`);
    expect(left).toContain(`nomad2: ${services.ip} (not the spare)`);
    expect(left).toMatch(/the answers disagree/);
    expect(md).toMatch(new RegExp(`\\*\\*Where the hostname led:\\*\\* ${laptop.source}; nomad1: ${spare.ip.replace(/\./g, '\\.')}; nomad2: ${services.ip.replace(/\./g, '\\.')}`));
    // The admin fixes nomad2's resolver; asked again, every answer that resolves leads to the spare.
    nomad2.exec(`sed -i '/ci.restore-test.invalid/d' /etc/hosts && echo '${spare.ip} ci.restore-test.invalid' >>/etc/hosts`);
    const check = await w.call('restore:check-traffic', { runId: result.runId });
    expect(check).toMatchObject({ hostname: 'ci.restore-test.invalid', resolved: [], ok: true, fromClients: [{ host: 'nomad1', resolved: [spare.ip] }, { host: 'nomad2', resolved: [spare.ip] }] });
    expect(check.message).toMatch(/traffic reaches the spare/);
  });

  it('refuses a key that is neither the primary\'s nor on the console: nothing runs on the spare, the run waits; confirmed, it finishes', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.keyMode = 'unproven';
    const err = await world.runFromPlan({ spare: 'spare' }).catch((e: DrydockError) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('CONFIRMATION_REQUIRED');
    expect((err as DrydockError).message).toMatch(/neither the primary's known key nor a fingerprint cloud-init printed/);
    const runId = (err as DrydockError).details!.runId as string;
    const run = await world.call('runs:get', { id: runId });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'CONFIRMATION_REQUIRED', resumable: true });
    expect(run.steps.find((s) => s.name === 'reconnect')?.status).toBe('failed');
    // Nothing ran on the spare after it booted the restored disk (the stand-ins log every call).
    expect(spareCalls(world).filter((l) => /^(replicatedctl|systemctl|rm|docker)/.test(l))).toEqual([]);
    expect(world.fx.engine.audit.tail(1000, { host: 'spare' }).filter((e) => e.kind === 'command')).toEqual([]);

    // A resume lists what it stops and starts: unconfirmed, it is refused; confirmed, it stops at the same place (the key).
    expect(run.restartsOnResume?.join('\n')).toMatch(/stops the CircleCI app on spare[^]*restarts Replicated on spare[^]*restarts nomad on nomad1, nomad2/);
    await expect(world.call('runs:resume', { id: runId })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED', message: expect.stringMatching(/^Resuming run .* stops the CircleCI app/) });
    await expect(world.call('runs:resume', { id: runId, confirmRestarts: true })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED', message: expect.stringMatching(/neither the primary's known key/) });
    await expect(world.call('restore:trust-key', { runId, fingerprint: world.keys.primary, confirmed: true })).rejects.toMatchObject({ code: 'HOST_KEY_MISMATCH' });
    await world.call('restore:trust-key', { runId, fingerprint: world.keys.spareNow(), confirmed: true });
    const resumed = await world.call('runs:resume', { id: runId, confirmRestarts: true });
    expect(resumed.status).toBe('done');
    const md = await expectRestored(world, runId);
    expect(md).toMatch(/REFUSED/);
    expect(md).toMatch(/confirmed by the admin/);
  });

  it('a backup in error is blocked at plan; nothing is touched', async () => {
    w = await startRestoreWorld({ backupState: 'error' });
    const plan = await w.call('restore:plan', { spare: 'spare', backup: w.backup.id });
    expect(plan.blocking.map((b) => b.code)).toContain('backup-not-completed');
    await expect(w.runFromPlan({ spare: 'spare', backup: w.backup.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/only a completed backup can be restored/) });
    expect(w.sim.calls('CreateVolume')).toEqual([]);
    expect(w.fx.engine.runner.store.list()).toEqual([]);
  });

  it('a volume stuck creating times out with a clear message; abort leaves the spare as it was', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.sim.stickNextVolumes(1);
    process.env.DRYDOCK_RESTORE_TIMEOUT_MS = '1500';
    try {
      await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/Volume vol-\S+ is still creating after 2 s\. EC2 has not finished creating it from snap-\S+\. Nothing on the spare has been touched yet/);
    } finally {
      delete process.env.DRYDOCK_RESTORE_TIMEOUT_MS;
    }
    const [run] = world.fx.engine.runner.store.list();
    expect(run.errorCode).toBe('TIMEOUT');
    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    expect(world.sim.calls('StopInstances')).toEqual([]);
    expect(world.reimages).toBe(0);
  });

  it('rides out RequestLimitExceeded bursts; an abort after the swap puts the spare back on its own root and key', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.sim.throttle(3);
    world.sim.throttle(2, 'AttachVolume');
    world.sim.throttle(2, 'StartInstances');
    // Stop at the identity fix: the app refuses to stop (stand-in's fail file), so the run stops there.
    world.sim.onAction = (action) => {
      if (action === 'StartInstances' && world.reimages > 0) world.lab.hosts.spare.writeFile('/var/lib/lab/fail/replicatedctl', 'Error: daemon busy\n');
    };
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/daemon busy/);
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'start-spare')?.status).toBe('done');
    expect(world.rootsAttached()).toHaveLength(1);
    expect(world.rootsAttached()[0]).not.toBe(world.spareRoot);

    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(aborted.steps.filter((s) => s.status === 'undone').map((s) => s.name)).toEqual(['stop-spare', 'detach-root', 'attach-root', 'isolate-spare', 'start-spare', 'reconnect']);
    // In a failover the isolation step cut nothing off, and its undo says so.
    expect(aborted.steps.find((s) => s.name === 'isolate-spare')?.message).toBe('Nothing to put back: a failover cuts nothing off');
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    // The restored volume is kept for inspection.
    expect(world.sim.world.volume(run.state && (run.state as { volumeId: string }).volumeId)!.state).toBe('available');
    // The spare is back: its own files and its own key, trusted again.
    expect(world.defaults(world.lab.hosts.spare, '/etc/default/replicated').PRIVATE_ADDRESS).toBe(world.lab.hosts.spare.ip);
    const scan = await world.call('hosts:scan-key', { name: 'spare' });
    expect(scan).toMatchObject({ fingerprint: world.keys.spareOwn, status: 'trusted' });
  });
  it('SSH dropped during the identity fix: the run stops with what happened, and a resume completes it', async () => {
    w = await startRestoreWorld();
    const world = w;
    const spare = world.lab.hosts.spare;
    let dropped = false;
    let stopping: Promise<void> | undefined;
    // The moment the file engine starts on /etc/default/replicated*, the spare vanishes (every session killed).
    const off = world.fx.engine.audit.onAppend((e) => {
      if (!dropped && e.host === 'spare' && /drydock|\/etc\/default\/replicated/.test(e.command) && !/^(sudo )?(replicatedctl|test )/.test(e.command)) {
        const run = world.fx.engine.runner.store.list()[0];
        if (run?.steps.find((s) => s.name === 'fix-identity')?.status !== 'running') return;
        dropped = true;
        stopping = spare.stop();
      }
    });
    const err = await world.runFromPlan({ spare: 'spare' }).catch((e: Error) => e);
    off();
    expect(dropped).toBe(true);
    expect(err).toBeInstanceOf(Error);
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'fix-identity')?.status).toBe('failed');
    expect(run.error).toMatch(/Give the spare its own addresses/);
    await stopping;
    await spare.start();
    await expect(world.call('runs:resume', { id: run.id })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    const resumed = await world.call('runs:resume', { id: run.id, confirmRestarts: true });
    expect(resumed.status).toBe('done');
    await expectRestored(world, run.id);
    expect(world.rootsAttached()).toHaveLength(1);
  });
  it('refresh-spare then a failover: the preview names the backup the spare holds and skips the volume steps; its recovery time is measured and reported', async () => {
    w = await startRestoreWorld();
    const world = w;
    // The full path, for comparison, is measured in the first test; here the refresh first.
    const ownGroups = world.spareGroups();
    const refresh = await world.runFromPlan({ spare: 'spare', mode: 'refresh-spare' });
    expect(refresh.run.status).toBe('done');
    // Cut off while it booted production's disk (restore-isolation.test.ts), its own network back at the end.
    expect(world.spareBoots.at(-1)!.groups.map((g) => g.name)).toEqual([`drydock-isolate-${world.spareId}`]);
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(refresh.summary).toMatch(/now holds backup/);
    expect(world.lab.hosts.spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
    expect(world.defaults(world.lab.hosts.spare, '/etc/default/replicated').PRIVATE_ADDRESS).toBe(world.lab.hosts.spare.ip);
    expect(refresh.run.steps.filter((s) => s.status === 'skipped').map((s) => s.name)).toEqual(['copy-snapshot', 'drill-block-write', 'drill-block-load', 'no-proxy', 'start-app', 'verify-app', 'repoint-nomad', 'switch-traffic', 'drill-block-remove', 'drill-put-back']);
    const restoredRoot = world.rootsAttached()[0];
    expect(restoredRoot).not.toBe(world.spareRoot);

    const plan = await world.call('restore:plan', { spare: 'spare' });
    expect(plan.blocking).toEqual([]);
    expect(plan.spare.holds).toMatchObject({ backup: world.backup.id });
    expect(plan.steps.filter((s) => s.skipped).map((s) => s.name)).toEqual(['copy-snapshot', 'create-volume', 'stop-spare', 'detach-root', 'attach-root', 'isolate-spare', 'drill-block-write', 'drill-block-load', 'drill-block-remove', 'drill-put-back', 'release-spare-network']);
    const stops = world.sim.calls('StopInstances').length;
    const failover = await world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true });
    expect(failover.run.status).toBe('done');
    expect(world.sim.calls('StopInstances').length).toBe(stops);
    expect(world.sim.calls('CreateVolume')).toHaveLength(1);
    expect(world.rootsAttached()).toEqual([restoredRoot]);
    expect(failover.recoveryTimeMs).toBeGreaterThan(0);
    const report = await expectRestored(world, failover.runId, false);
    const refreshReport = (await world.call('restore:report', { runId: refresh.runId, format: 'md' })).text;
    expect(refreshReport).toContain(`+DAEMON_HOST=[${world.lab.hosts.spare.ip}]`);
    expect(refreshReport).toContain('rm -rf /opt/nomad');
    expect(report).toMatch(/the spare already held backup .* so the volume steps were skipped/);
    expect(report).toMatch(/\*\*Recovery time:\*\* \d/);
  });
  it('abort of a failover onto a refreshed spare that was stopped: the app stopped and the spare stopped again, its held disk in place', async () => {
    w = await startRestoreWorld();
    const world = w;
    const refresh = await world.runFromPlan({ spare: 'spare', mode: 'refresh-spare' });
    expect(refresh.run.status).toBe('done');
    const [heldRoot] = world.rootsAttached();
    // The admin stops the refreshed spare until it is needed.
    await world.provider.stopMachine(await world.provider.findMachine(world.spareId));
    for (let i = 0; i < 600 && (await world.provider.findMachine(world.spareId)).state !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(world.sim.world.instance(world.spareId)!.state).toBe('stopped');

    const plan = await world.call('restore:plan', { spare: 'spare' });
    expect(plan.spare.holds).toMatchObject({ backup: world.backup.id });
    expect(plan.steps.find((s) => s.name === 'stop-spare')?.skipped).toBe(true);
    world.healthy = false;
    const err = await world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true }).catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('COMMAND_FAILED');
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'verify-app')?.status).toBe('failed');
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');

    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(aborted.steps.find((s) => s.name === 'start-spare')).toMatchObject({ status: 'undone', message: expect.stringMatching(/Stopped again/) });
    expect(world.sim.world.instance(world.spareId)!.state).toBe('stopped');
    expect(world.rootsAttached()).toEqual([heldRoot]);
    expect(world.sim.calls('CreateVolume')).toHaveLength(1);
  });
  it('NO_PROXY rewritten on the clients and the spare is put back by an abort before the traffic switch', async () => {
    w = await startRestoreWorld();
    const world = w;
    const { nomad1, nomad2, services } = world.lab.hosts;
    const before = [nomad1, nomad2].map((c) => [c.readFile(ENVIRONMENT), c.readFile(DOCKER_DROP_IN)]);
    const plan = await world.call('restore:plan', { spare: 'spare' });
    expect(plan.noProxy.filter((n) => n.host === 'nomad1').map((n) => n.file)).toEqual([ENVIRONMENT, ENVIRONMENT, ENVIRONMENT, DOCKER_DROP_IN]);
    expect(plan.noProxy.map((n) => n.entry).join('\n')).not.toContain('p%40ss');
    world.healthy = false;
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true })).rejects.toThrow(/not healthy/);
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'no-proxy')?.status).toBe('done');
    // Written before the app started, the clients' lists name the spare now.
    expectBypassSwapped(world, world.lab.hosts.spare.ip);
    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(aborted.steps.find((s) => s.name === 'no-proxy')?.status).toBe('undone');
    expect([nomad1, nomad2].map((c) => [c.readFile(ENVIRONMENT), c.readFile(DOCKER_DROP_IN)])).toEqual(before);
    expectBypassSwapped(world, services.ip, '203.0.113.10');
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
  });
  it('NO_PROXY on a resume: a proxy file changed since the step first planned it is not written (conflict); an abort puts back what the step wrote', async () => {
    w = await startRestoreWorld();
    const world = w;
    const { nomad1, nomad2, services, spare } = world.lab.hosts;
    // nomad2 is down when the step reaches it: the spare and nomad1 are written, the step stops there.
    world.sim.onAction = (action) => {
      if (action === 'StartInstances' && world.reimages > 0) void nomad2.stop();
    };
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/nomad2/);
    world.sim.onAction = undefined;
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'no-proxy')?.status).toBe('failed');
    expect(world.defaults(nomad1, ENVIRONMENT).NO_PROXY.split(',')).toContain(spare.ip);
    // Meanwhile someone edits nomad1's file (the old address back, and a new entry): not what the step planned.
    const edited = (nomad1.readFile(ENVIRONMENT) ?? '').replace(/^NO_PROXY=.*$/m, `NO_PROXY="127.0.0.1,${services.ip},added.by.hand"`);
    nomad1.writeFile(ENVIRONMENT, edited);
    await nomad2.start();
    await expect(world.call('runs:resume', { id: run.id, confirmRestarts: true })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/nomad1: \/etc\/environment changed since the plan was reviewed; nothing was written/) });
    expect(nomad1.readFile(ENVIRONMENT)).toBe(edited);
    // An abort puts back what the step wrote, from its backups.
    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expectBypassSwapped(world, services.ip, '203.0.113.10');
  });
  it('an impaired status check after the start stops the run with a clear message, nothing run on the spare; abort puts it back', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.sim.impairStatus(world.spareId, 'system');
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/Instance i-\S+ started on the restored volume vol-\S+ but its system status check is impaired \(system impaired, instance ok\)\. Nothing was run on it/);
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'start-spare')?.status).toBe('failed');
    expect(run.steps.find((s) => s.name === 'reconnect')?.status).toBe('pending');
    expect(world.fx.engine.audit.tail(1000, { host: 'spare' }).filter((e) => e.kind === 'command')).toEqual([]);
    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
  });
  it('a spare reached through a jump host: its new key is proven by the console through the tunnel, and the restore completes', async () => {
    w = await startRestoreWorld({ spareBehindBastion: true });
    const world = w;
    const bastion = world.lab.hosts.bastion;
    // sshd logs each forwarding request at DEBUG1: the proof the route went through the bastion.
    bastion.exec(`sed -i 's/^LogLevel .*/LogLevel DEBUG1/' /etc/ssh/sshd_config && kill -HUP 1`);
    world.fx.engine.pool.drop('bastion');
    const result = await world.runFromPlan({ spare: 'spare' });
    expect(result.run.status).toBe('done');
    // The rule applies to the spare's key (a new one, printed on its console), never to the bastion's.
    expect(result.hostKeys).toEqual([{ fingerprint: world.keys.spareNow(), keyType: 'ssh-ed25519', proof: 'console' }]);
    expect(world.keys.spareNow()).not.toBe(bastion.fingerprint);
    await expectRestored(world, result.runId);
    // The route went through the bastion: its sshd opened forwarding channels to the spare.
    const log = readFileSync(bastion.log, 'utf8');
    const forwards = log.split('\n').filter((l) => l.includes(`server_request_direct_tcpip: originator 127.0.0.1 port 0, target ${world.lab.hosts.spare.ip} port 22`));
    // At least the key scans of the reconnect step and the sessions after the re-image.
    expect(forwards.length).toBeGreaterThanOrEqual(2);
  });
  it('status checks that never finish: the wait times out with what it waited for and what to do', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.sim.impairStatus(world.spareId, 'initializing');
    process.env.DRYDOCK_RESTORE_TIMEOUT_MS = '1500';
    try {
      await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(
        /Instance i-\S+ status checks: system initializing, instance initializing \(waiting for both ok\) after 2 s\. Look at the instance in the EC2 console \(Status checks, Get system log\), then resume the run/,
      );
    } finally {
      delete process.env.DRYDOCK_RESTORE_TIMEOUT_MS;
    }
    const [run] = world.fx.engine.runner.store.list();
    expect(run.errorCode).toBe('TIMEOUT');
    // Checks done: a resume finds the instance running and waits for them again, starting nothing twice.
    world.sim.impairStatus(world.spareId, null);
    const starts = world.sim.calls('StartInstances').length;
    const resumed = await world.call('runs:resume', { id: run.id, confirmRestarts: true });
    expect(resumed.status).toBe('done');
    expect(world.sim.calls('StartInstances').length).toBe(starts);
  });
  it('a failed verification can be skipped (its consequence recorded); a step that may not be skipped is refused', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.healthy = false;
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/not healthy: .*health-check answered 503/);
    const [run] = world.fx.engine.runner.store.list();
    const summary = await world.call('runs:get', { id: run.id });
    expect(summary.steps.find((s) => s.name === 'verify-app')).toMatchObject({ status: 'failed', skipConsequence: expect.stringMatching(/not verified/) });
    expect(summary.steps.find((s) => s.name === 'start-app')?.skipConsequence).toBeUndefined();
    await expect(world.call('runs:skip', { id: run.id, step: 'verify-app', confirmed: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    await expect(world.call('runs:skip', { id: run.id, step: 'start-app', confirmed: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    const done = await world.call('runs:skip', { id: run.id, step: 'verify-app', confirmed: true });
    expect(done.status).toBe('done');
    expect(done.steps.find((s) => s.name === 'verify-app')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^Skipped by the admin: the app on the spare is not verified/) });
    const nomad = parseHcl(world.lab.hosts.nomad1.readFile('/etc/nomad/config.hcl')!);
    expect(nomad.client?.servers).toEqual([`${world.lab.hosts.spare.ip}:4647`]);
    const result = await world.call('runs:get', { id: run.id });
    expect(result.status).toBe('done');
  });
});
