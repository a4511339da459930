/**
 * The DR drill end to end over the channels the GUI and CLI call, with the
 * EC2 simulator and the restore lab (restore-fixture.ts): the spare is
 * restored from the backup, its outbound traffic blocked before the app
 * starts, the app verified, the RTO measured and reported, the block
 * removed and the spare put back on its own root. Nothing is re-pointed.
 *
 * The firewall is never loaded in this machine's network namespace (lab
 * hosts and other helpers share it). The drill's root shell for the block is
 * injected (setDrillShellForTests, in this process only): the very scripts
 * the drill runs go, as root, into the spare lab host's filesystem (its mount
 * namespace and root) but a throw-away network namespace of its own, where
 * the block is really loaded, read back with iptables -S and removed. (The
 * block itself is proven against traffic in restore-drill-firewall.test.ts.)
 * Each script first logs one line to the spare's calls.log, so the order of
 * the block and the app's start is read from the same log as the stand-ins'.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RestorePlan } from '../../shared/channels/restore';
import { bundleCli } from './backup-fixture';
import { setDrillShellForTests } from '../../electron/engine/operations/restore/drill-target';
import { CHAIN, FWD_CHAIN, RULES_FILE } from '../../electron/engine/operations/restore/drill-firewall/rules';
import { parseHcl, startRestoreWorld, type RestoreWorld } from './restore-fixture';

const NS = `ddr${process.pid % 100000}`;
let w: RestoreWorld | undefined;
let cli: ReturnType<typeof bundleCli>;
beforeAll(() => {
  cli = bundleCli();
});
afterAll(() => cli?.dispose());
afterEach(async () => {
  setDrillShellForTests(undefined);
  spawnSync('ip', ['netns', 'del', NS]);
  await w?.dispose();
  w = undefined;
});

function useSpareNamespace(world: RestoreWorld): (cmd: string) => string {
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  // The spare lab host's process changes when it restarts (a re-image, a key change): look it up each time.
  const pidOf = () => /^\/proc\/(\d+)\/root/.exec(world.lab.hosts.spare.path('/'))![1];
  const label = (script: string) => (script.includes('-restore --noflush') ? 'load' : script.includes('-D OUTPUT') ? 'remove' : 'show');
  const run = (script: string) => {
    const pid = pidOf();
    return spawnSync('nsenter', [`--net=/run/netns/${NS}`, `--mount=/proc/${pid}/ns/mnt`, `--root=/proc/${pid}/root`, `--wd=/proc/${pid}/root`, '--', 'sh', '-c', script], { encoding: 'utf8', timeout: 30_000 });
  };
  setDrillShellForTests((host) =>
    host === 'spare'
      ? async (script) => {
          run(`echo 'drill-firewall ${label(script)}' >>/var/log/lab/calls.log`);
          const r = run(script);
          return { code: r.status, stdout: r.stdout, stderr: r.stderr };
        }
      : undefined,
  );
  return (cmd) => run(cmd).stdout;
}

describe('DR drill (AWS, EC2 simulator)', () => {
  it('restores onto the spare behind the outbound block, verifies, reports the RTO, re-points nothing, and puts the spare back', async () => {
    w = await startRestoreWorld();
    const world = w;
    const { spare, services, nomad1, nomad2 } = world.lab.hosts;
    const inSpareNs = useSpareNamespace(world);
    const nomadBefore = [nomad1, nomad2].map((c) => c.readFile('/etc/nomad/config.hcl'));

    // The CLI: the drill's preview writes nothing; run --drill without --yes and without a terminal does nothing (exit 3);
    // a drill is scheduled headless like a backup.
    const env = { ...world.awsEnv, DRYDOCK_HOME: world.fx.home, HOME: world.fx.home };
    const cliPlan = await cli.start(['restore', 'plan', '--spare', 'spare', '--drill', '--json'], env).done;
    expect(cliPlan.code, cliPlan.stderr).toBe(0);
    const previewed = JSON.parse(cliPlan.stdout) as RestorePlan;
    expect(previewed.mode).toBe('drill');
    expect(previewed.steps.filter((s) => !s.skipped).map((s) => s.name)).toContain('drill-block-load');
    const noYes = await cli.start(['restore', 'run', '--spare', 'spare', '--drill'], env).done;
    expect(noYes.code).toBe(3);
    expect(noYes.stderr).toMatch(/Restore \(drill\) onto spare/);
    expect(world.sim.calls('CreateVolume')).toEqual([]);
    expect(world.fx.engine.runner.store.list()).toEqual([]);
    const sched = await cli.start(['restore', 'schedule', '--spare', 'spare', '--every', '1w', '--drill', '--json'], env).done;
    expect(sched.code, sched.stderr).toBe(0);
    const files = JSON.parse(sched.stdout) as { unitName: string; service: string; timer: string };
    expect(files.unitName).toBe('drydock-restore-drill-spare');
    expect(files.service).toMatch(/^ExecStart=\S+ restore run --spare spare --drill --yes$/m);
    expect(files.timer).toContain('Persistent=true');

    const plan = await world.call('restore:plan', { spare: 'spare', mode: 'drill' });
    expect(plan.blocking).toEqual([]);
    expect(plan.mode).toBe('drill');
    const skipped = plan.steps.filter((s) => s.skipped).map((s) => s.name);
    expect(skipped).toEqual(['copy-snapshot', 'no-proxy', 'repoint-nomad', 'switch-traffic']);
    const names = plan.steps.map((s) => s.name);
    expect(names.indexOf('drill-block-load')).toBeLessThan(names.indexOf('start-app'));
    expect(names.slice(-3)).toEqual(['drill-block-remove', 'drill-put-back', 'release-spare-network']);
    expect(names.indexOf('isolate-spare')).toBe(names.indexOf('start-spare') - 1);
    expect(plan.isolation).toEqual({ needed: true, available: true, acknowledged: false, how: expect.stringMatching(/no egress/) });
    expect(plan.traffic.instructions).toEqual(['drill: nothing is re-pointed']);
    const ownGroups = world.spareGroups();
    expect(ownGroups).toHaveLength(2);

    const result = await world.call('restore:run', { spare: 'spare', mode: 'drill', planFingerprint: plan.fingerprint, confirmed: true });
    expect(result.run.status).toBe('done');
    expect(result.mode).toBe('drill');
    expect(result.recoveryTimeMs).toBeGreaterThan(0);
    expect(result.summary).toMatch(/DR drill .* measured recovery time \d+ s; nothing re-pointed.*the spare is back on its own root/);
    expect(world.reimages).toBe(1);

    // The spare BOOTED the restored disk with one group only, Drydock's: no egress at all, nothing in but tcp/22.
    const restored = (world.fx.engine.runner.store.load(result.runId)!.state as { volumeId?: string; isolation?: { detail: { groupId: string; originalGroups: string[] } } });
    expect(restored.isolation?.detail.originalGroups).toEqual(ownGroups);
    const boot = world.spareBoots.find((b) => b.rootVolumeId === restored.volumeId)!;
    expect(boot.groups.map((g) => g.id)).toEqual([restored.isolation!.detail.groupId]);
    expect(boot.groups[0].egress).toEqual([]);
    expect(boot.groups[0].ingress.length).toBeGreaterThan(0);
    expect(boot.groups[0].ingress.every((r) => r.protocol === 'tcp' && r.fromPort === 22 && r.toPort === 22)).toBe(true);
    expect(world.sim.world.instance(world.spareId)!.boots!.find((b) => b.rootVolumeId === restored.volumeId)!.groups).toEqual([restored.isolation!.detail.groupId]);
    // After the drill: its own groups back, Drydock's group gone, made once.
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.isolatingGroups()).toEqual([]);
    expect(world.sim.calls('CreateSecurityGroup')).toHaveLength(1);

    // The block was loaded (and read back) before Replicated restarted and the app started.
    const calls = (spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean);
    const first = (re: RegExp) => calls.findIndex((l) => re.test(l));
    const load = first(/^drill-firewall load/);
    const restart = first(/^systemctl restart replicated/);
    const appStart = first(/^replicatedctl app start/);
    expect(load).toBeGreaterThanOrEqual(0);
    expect(restart).toBeGreaterThan(load);
    expect(appStart).toBeGreaterThan(restart);
    expect(calls.slice(load, restart).some((l) => l === 'drill-firewall show')).toBe(true);
    // Removed after the app was verified; the spare's namespace holds nothing of it; the machine's own was never touched.
    const remove = calls.findIndex((l, i) => i > appStart && /^drill-firewall remove/.test(l));
    expect(remove).toBeGreaterThan(appStart);
    expect(inSpareNs('iptables -S; ip6tables -S')).not.toMatch(new RegExp(`${CHAIN}|${FWD_CHAIN}|DOCKER-USER`));
    expect(execFileSync('iptables', ['-S'], { encoding: 'utf8' })).not.toMatch(/DRYDOCK/);

    // Nothing re-pointed: the clients' configs are byte for byte as before, and still name the primary (parsed).
    expect([nomad1, nomad2].map((c) => c.readFile('/etc/nomad/config.hcl'))).toEqual(nomadBefore);
    for (const c of [nomad1, nomad2]) {
      expect(parseHcl(c.readFile('/etc/nomad/config.hcl')!).client?.servers).toEqual([`${services.ip}:4647`]);
      expect(c.readFile('/var/log/lab/units.log') ?? '').not.toMatch(/restart nomad/);
    }

    // The spare is back as it was: its own root, running, its own files and key; the restored volume kept.
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
    const inst = world.sim.world.instance(world.spareId)!;
    expect(inst.state).toBe('running');
    expect(world.sim.calls('CreateVolume')).toHaveLength(1);
    const restoredId = (world.fx.engine.runner.store.load(result.runId)!.state as { volumeId?: string }).volumeId!;
    expect(restoredId).not.toBe(world.spareRoot);
    expect(world.sim.world.volume(restoredId)?.state).toBe('available');
    expect(world.keys.spareNow()).toBe(world.keys.spareOwn);
    expect(world.defaults(spare, '/etc/default/replicated')).toMatchObject({ PRIVATE_ADDRESS: spare.ip });
    expect(spare.readFile('/var/lib/lab/replicated/state')).toMatch(/stopped/);

    // The report: every step, the recovery point and the measured recovery time.
    const md = (await world.call('restore:report', { runId: result.runId, format: 'md' })).text;
    const run = await world.call('runs:get', { id: result.runId });
    for (const s of run.steps) expect(md).toContain(s.title);
    expect(md).toMatch(/\*\*Recovery time:\*\* \d/);
    expect(md).toMatch(/Recovery point/);
    expect(run.steps.find((s) => s.name === 'drill-put-back')?.status).toBe('done');
    expect(spare.exec(`ls ${RULES_FILE.v4} 2>&1 || true`).stdout).toMatch(/No such file/);
  });

  it('a drill whose app fails verification is aborted: the block comes out while the spare still runs the restored disk, then the spare is put back', async () => {
    w = await startRestoreWorld();
    const world = w;
    const inSpareNs = useSpareNamespace(world);
    world.healthy = false;
    const ownGroups = world.spareGroups();
    const err = await world.runFromPlan({ spare: 'spare', mode: 'drill' }).catch((e: Error & { code?: string; details?: Record<string, unknown> }) => e);
    expect((err as { code?: string }).code).toBe('COMMAND_FAILED');
    const [run] = world.fx.engine.runner.store.list();
    expect(run.steps.find((s) => s.name === 'verify-app')?.status).toBe('failed');
    // The app ran behind the block, and the block is still there while the run waits for the admin.
    expect(inSpareNs('iptables -S')).toMatch(/-A OUTPUT -j DRYDOCK-DRILL/);

    const aborted = await world.call('restore:abort', { runId: run.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(inSpareNs('iptables -S; ip6tables -S')).not.toMatch(/DRYDOCK|DOCKER-USER/);
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    expect(world.keys.spareNow()).toBe(world.keys.spareOwn);
    // The spare had booted the restored disk cut off; the abort gave it its own groups back before it started on its own root.
    expect(world.spareBoots[0].groups.map((g) => g.id)).toEqual([(world.fx.engine.runner.store.load(run.id)!.state as { isolation?: { detail: { groupId: string } } }).isolation?.detail.groupId ?? 'none']);
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.spareBoots.at(-1)!.groups.map((g) => g.id)).toEqual(ownGroups);
    expect(world.isolatingGroups()).toEqual([]);
    expect((await world.call('runs:get', { id: run.id })).steps.find((s) => s.name === 'isolate-spare')?.status).toBe('undone');
    // The abort ran the block's undo (chains out, rules files put back as they were: none); the restored volume is kept.
    expect(world.lab.hosts.spare.exec(`ls ${RULES_FILE.v4} 2>&1 || true`).stdout).toMatch(/No such file/);
    const calls = (world.lab.hosts.spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean);
    expect(calls.some((l) => /^drill-firewall remove/.test(l))).toBe(true);
    expect(world.sim.calls('CreateVolume')).toHaveLength(1);
    const restoredId = (world.fx.engine.runner.store.load(run.id)!.state as { volumeId?: string }).volumeId!;
    expect(world.sim.world.volume(restoredId)?.state).toBe('available');
  });

  it('a drill on a refreshed spare restores a fresh copy and puts the held disk back: the app stopped there, its network its own again', async () => {
    w = await startRestoreWorld();
    const world = w;
    const inSpareNs = useSpareNamespace(world);
    const ownGroups = world.spareGroups();
    const refresh = await world.runFromPlan({ spare: 'spare', mode: 'refresh-spare' });
    expect(refresh.run.status).toBe('done');
    const [heldRoot] = world.rootsAttached();
    expect(heldRoot).not.toBe(world.spareRoot);

    const plan = await world.call('restore:plan', { spare: 'spare', mode: 'drill' });
    expect(plan.blocking).toEqual([]);
    expect(plan.spare.holds).toMatchObject({ backup: world.backup.id });
    // Not the held disk: a fresh copy, which the put-back swaps out again.
    expect(plan.steps.filter((s) => s.skipped).map((s) => s.name)).toEqual(['copy-snapshot', 'no-proxy', 'repoint-nomad', 'switch-traffic']);
    expect(plan.warnings.join('\n')).toMatch(/holds backup .*the drill restores a fresh copy and puts that root back/);

    const drill = await world.call('restore:run', { spare: 'spare', mode: 'drill', planFingerprint: plan.fingerprint, confirmed: true });
    expect(drill.run.status).toBe('done');
    expect(drill.summary).toMatch(/DR drill .* measured recovery time \d+ s; nothing re-pointed.*the spare is back on its own root/);
    expect(world.sim.calls('CreateVolume')).toHaveLength(2);
    const drillRoot = (world.fx.engine.runner.store.load(drill.runId)!.state as { volumeId?: string }).volumeId!;
    expect(drillRoot).not.toBe(heldRoot);
    expect(world.sim.world.volume(drillRoot)?.state).toBe('available');
    // The spare runs on its own (held) disk again, the app there stopped, with its own groups and no block.
    expect(world.rootsAttached()).toEqual([heldRoot]);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    expect(world.lab.hosts.spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.isolatingGroups()).toEqual([]);
    expect(inSpareNs('iptables -S; ip6tables -S')).not.toMatch(/DRYDOCK/);
    // The put-back stopped the app the drill started before anything else, while the block was already out.
    const calls = (world.lab.hosts.spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean);
    expect(calls.findLastIndex((l) => /replicatedctl app stop/.test(l))).toBeGreaterThan(calls.findLastIndex((l) => /^drill-firewall remove/.test(l)));
    // The held disk still serves a failover that skips the volume steps.
    const failover = await world.call('restore:plan', { spare: 'spare' });
    expect(failover.spare.holds).toMatchObject({ backup: world.backup.id });
    expect(failover.steps.find((s) => s.name === 'create-volume')?.skipped).toBe(true);
  });
});
