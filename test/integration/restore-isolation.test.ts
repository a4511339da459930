/**
 * The spare cut off before production's disk boots on it (isolate-spare,
 * release-spare-network), on the AWS path with the EC2 simulator and the
 * restore lab (restore-fixture.ts), driven by the bundled CLI:
 * - refresh-spare, with the CLI killed -9 inside the isolation twice (after
 *   the group is made, after it is put on the instance): the resumed run
 *   finds Drydock's group and makes no second one; the spare boots with that
 *   group only (no egress, tcp/22 in); its own groups are back at the end,
 *   after the app was stopped and its identity fixed.
 * - a spare the provider cannot isolate (no VPC): the plan blocks a drill and
 *   a refresh until the admin's --spare-isolated, which is recorded in the
 *   run and its report and nothing is changed at EC2.
 * The drill's own isolation (and its abort) is in restore-drill.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runUntil } from './backup-fixture';
import { startRestoreWorld, type RestoreWorld } from './restore-fixture';

let w: RestoreWorld | undefined;
let cli: ReturnType<typeof bundleCli>;
beforeAll(() => {
  cli = bundleCli();
});
afterAll(() => cli?.dispose());
afterEach(async () => {
  await w?.dispose();
  w = undefined;
});

const env = (world: RestoreWorld) => ({ ...world.awsEnv, DRYDOCK_HOME: world.fx.home, HOME: world.fx.home });


type IsolationState = { volumeId?: string; isolation?: { summary: string; detail: { groupId: string; originalGroups: string[] } }; isolatedByAdmin?: boolean; networkReleasedAt?: number };

describe('the spare cut off at the provider before the restored disk boots (AWS)', () => {
  it('refresh-spare, killed inside the isolation twice: one group made, the spare booted with it only, its own groups back at the end', async () => {
    w = await startRestoreWorld();
    const world = w;
    const ownGroups = world.spareGroups();
    // The simulator answers these only 3 s after doing them: the CLI dies between the change and its answer.
    world.sim.delayResponse('CreateSecurityGroup', 3000);
    world.sim.delayResponse('ModifyInstanceAttribute', 3000);

    const first = await runUntil(cli.start(['restore', 'refresh-spare', '--spare', 'spare', '--yes'], env(world)), () => world.isolatingGroups().length > 0);
    expect(first.killed, first.stderr).toBe(true);
    const [{ id }] = world.fx.engine.runner.store.list();
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('stopped');

    const swapped = () => world.spareGroups().length === 1 && world.spareGroups()[0] === world.isolatingGroups()[0]?.id;
    const second = await runUntil(cli.start(['runs', 'resume', id, '--yes'], env(world)), swapped);
    expect(second.killed, second.stderr).toBe(true);
    // Swapped, and the spare not started yet: the run's record of the isolation was never saved (it died awaiting the answer).
    expect((world.fx.engine.runner.store.load(id)!.state as IsolationState).isolation).toBeUndefined();
    expect(world.sim.world.instance(world.spareId)!.state).toBe('stopped');

    world.sim.delayResponse('CreateSecurityGroup', 0);
    world.sim.delayResponse('ModifyInstanceAttribute', 0);
    const last = await runUntil(cli.start(['runs', 'resume', id, '--yes'], env(world)));
    expect(last.code, last.stderr).toBe(0);

    const run = world.fx.engine.runner.store.load(id)!;
    expect(run.status).toBe('done');
    const state = run.state as IsolationState;
    // One group ever made; the resumed step found it by its tag, and the groups to put back on its tags.
    expect(world.sim.calls('CreateSecurityGroup')).toHaveLength(1);
    expect(state.isolation!.detail.originalGroups).toEqual(ownGroups);
    const boot = world.spareBoots.find((b) => b.rootVolumeId === state.volumeId)!;
    expect(boot.groups.map((g) => g.id)).toEqual([state.isolation!.detail.groupId]);
    expect(boot.groups[0].egress).toEqual([]);
    expect(boot.groups[0].ingress.every((r) => r.protocol === 'tcp' && r.fromPort === 22 && r.toPort === 22)).toBe(true);
    expect(boot.groups[0].ingress.flatMap((r) => r.cidrs)).toEqual(['0.0.0.0/0']);

    // Let out again last, after the app was stopped and the identity fixed: its own groups, Drydock's group deleted.
    const steps = (await world.call('runs:get', { id })).steps;
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    expect(at('release-spare-network')).toBeGreaterThan(at('fix-identity'));
    expect(at('release-spare-network')).toBeGreaterThan(at('stop-app'));
    expect(steps.find((s) => s.name === 'release-spare-network')?.status).toBe('done');
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.isolatingGroups()).toEqual([]);
    expect(state.networkReleasedAt).toBeGreaterThan(0);
    expect(world.lab.hosts.spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
    const md = (await world.call('restore:report', { runId: id, format: 'md' })).text;
    expect(md).toMatch(/cut off at the provider: .*replaced by sg-/);
  });

  it('a spare the provider cannot isolate (no VPC): the plan blocks until the admin says they cut it off; recorded, nothing changed at EC2', async () => {
    w = await startRestoreWorld();
    const world = w;
    const spare = world.sim.world.instance(world.spareId)!;
    const ownGroups = world.spareGroups();
    delete spare.vpcId;
    world.sim.world.save();

    const plan = await world.call('restore:plan', { spare: 'spare', mode: 'drill' });
    expect(plan.isolation).toMatchObject({ needed: true, available: false, acknowledged: false });
    expect(plan.blocking).toEqual([{ code: 'spare-not-isolated', message: expect.stringMatching(/cannot cut this spare off \(.*no VPC.*\) before the restored disk boots.*--spare-isolated/) }]);
    await expect(world.runFromPlan({ spare: 'spare', mode: 'drill' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const acked = await world.call('restore:plan', { spare: 'spare', mode: 'drill', spareIsolated: true });
    expect(acked.blocking).toEqual([]);
    expect(acked.isolation).toMatchObject({ available: false, acknowledged: true, how: expect.stringMatching(/you confirmed you cut its outbound network/) });
    // The admin's word is part of what was reviewed.
    expect(acked.fingerprint).not.toBe(plan.fingerprint);
    // A failover is not cut off: the word does not go with it.
    const failover = await world.call('restore:plan', { spare: 'spare' });
    expect(failover.isolation.needed).toBe(false);
    expect(failover.blocking).toEqual([]);

    const e = env(world);
    const usage = await cli.start(['restore', 'run', '--spare', 'spare', '--spare-isolated', '--yes'], e).done;
    expect(usage.code).toBe(2);
    const blocked = await cli.start(['restore', 'refresh-spare', '--spare', 'spare', '--yes'], e).done;
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/Blocked, nothing was done: .*cannot cut this spare off/);
    expect(world.sim.calls('CreateVolume')).toEqual([]);
    expect(world.fx.engine.runner.store.list()).toEqual([]);

    const done = await cli.start(['restore', 'refresh-spare', '--spare', 'spare', '--spare-isolated', '--yes', '--json'], e).done;
    expect(done.code, done.stderr).toBe(0);
    const result = JSON.parse(done.stdout) as { runId: string; leftToAdmin: string[]; summary: string };
    expect(result.summary).toMatch(/its network was cut by you/);
    expect(result.leftToAdmin).toContain("Put back the spare's outbound network that you cut at the hypervisor/cloud for this run");
    const run = world.fx.engine.runner.store.load(result.runId)!;
    expect((run.input as { spareIsolated?: boolean }).spareIsolated).toBe(true);
    expect((run.state as IsolationState).isolatedByAdmin).toBe(true);
    const steps = (await world.call('runs:get', { id: result.runId })).steps;
    expect(steps.find((s) => s.name === 'isolate-spare')?.message).toMatch(/cannot isolate .*no VPC.*You said you cut the spare's outbound network/);
    // Nothing done at EC2 to its network.
    expect(world.sim.calls('CreateSecurityGroup')).toEqual([]);
    expect(world.sim.calls('ModifyInstanceAttribute')).toEqual([]);
    expect(world.spareGroups()).toEqual(ownGroups);
    const md = (await world.call('restore:report', { runId: result.runId, format: 'md' })).text;
    expect(md).toMatch(/the admin confirmed they cut its outbound network at the hypervisor\/cloud/);
  });
});
