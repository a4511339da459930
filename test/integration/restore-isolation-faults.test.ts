/**
 * The spare's isolation when things go wrong around it (AWS path: EC2
 * simulator + restore lab, restore-fixture.ts):
 * - refresh-spare killed -9 after the spare's groups were swapped for
 *   Drydock's, before the run saved its record, then aborted: the abort finds
 *   the isolation at EC2 and puts the spare's own groups back.
 * - a failover plan onto a spare still cut off by Drydock is blocked.
 * - start-spare reads the isolation again before it boots production's disk:
 *   groups put back by hand meanwhile, it refuses and the spare stays stopped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runUntil } from './backup-fixture';
import { startRestoreWorld, type RestoreWorld } from './restore-fixture';
import { chooseProfile } from '../../electron/engine/operations/restore/plan';
import { providerFor } from '../../electron/engine/operations/backup/factory';

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


/** The spare cut off through the provider itself, as a run that died unseen (or an older Drydock) leaves it. */
async function isolateByHand(world: RestoreWorld): Promise<void> {
  const p = await providerFor(world.fx.engine, chooseProfile(world.fx.engine));
  try {
    await p.isolateNetwork!(await p.findMachine(world.spareId));
  } finally {
    await p.close();
  }
}

describe("the spare's isolation under faults (AWS)", () => {
  it('killed after the group swap, before the record is saved, then aborted: its own groups back; a failover onto a still-isolated spare is blocked', async () => {
    w = await startRestoreWorld();
    const world = w;
    const ownGroups = world.spareGroups();
    world.sim.delayResponse('ModifyInstanceAttribute', 3000);
    const swapped = () => world.spareGroups().length === 1 && world.spareGroups()[0] === world.isolatingGroups()[0]?.id;
    const first = await runUntil(cli.start(['restore', 'refresh-spare', '--spare', 'spare', '--yes'], env(world)), swapped);
    expect(first.killed, first.stderr).toBe(true);
    world.sim.delayResponse('ModifyInstanceAttribute', 0);
    const [{ id }] = world.fx.engine.runner.store.list();
    const before = world.fx.engine.runner.store.load(id)!;
    // The run died before its record: only the marker saved ahead of the provider call says it was isolating.
    expect(before.state).toMatchObject({ isolating: true });
    expect((before.state as { isolation?: unknown }).isolation).toBeUndefined();

    const aborted = await world.call('restore:abort', { runId: id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(aborted.steps.find((s) => s.name === 'isolate-spare')?.status).toBe('undone');
    expect(world.spareGroups()).toEqual(ownGroups);
    expect(world.isolatingGroups()).toEqual([]);

    // Nothing left cut off: a failover plan is clear.
    expect((await world.call('restore:plan', { spare: 'spare' })).blocking).toEqual([]);

    // A spare still wearing Drydock's isolating group: the failover would come up with no egress.
    await isolateByHand(world);
    expect(world.spareGroups()).toEqual([world.isolatingGroups()[0].id]);
    const blocked = await world.call('restore:plan', { spare: 'spare' });
    expect(blocked.blocking).toEqual([{ code: 'spare-still-isolated', message: expect.stringMatching(/still cut off by Drydock.*no outbound network.*drydock restore abort.*by hand/) }]);
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(world.fx.engine.runner.store.list().map((r) => r.id)).toEqual([id]);
    // A drill plan is not blocked by it (the drill isolates the spare itself).
    expect((await world.call('restore:plan', { spare: 'spare', mode: 'drill' })).blocking).toEqual([]);
  });

  it('groups put back by hand after isolate-spare: start-spare refuses to boot production\'s disk and the spare stays stopped', async () => {
    w = await startRestoreWorld();
    const world = w;
    const ownGroups = world.spareGroups();
    world.sim.failNext('StartInstances', 'InsufficientInstanceCapacity', 'We currently do not have sufficient capacity in the Availability Zone you requested.');
    await world.runFromPlan({ spare: 'spare', mode: 'refresh-spare' }).catch(() => undefined);
    const [{ id }] = world.fx.engine.runner.store.list();
    const failed = world.fx.engine.runner.store.load(id)!;
    expect(failed.steps.find((s) => s.name === 'isolate-spare')?.status).toBe('done');
    expect(failed.steps.find((s) => s.name === 'start-spare')?.status).toBe('failed');
    expect(world.spareGroups()).not.toEqual(ownGroups);

    // Terraform or an admin puts the spare's groups back while the run waits.
    world.sim.world.instance(world.spareId)!.groups = [...ownGroups];
    world.sim.world.save();

    await expect(world.call('runs:resume', { id, confirmRestarts: true })).rejects.toMatchObject({ message: expect.stringMatching(/no longer cut off.*not started/) });
    const after = world.fx.engine.runner.store.load(id)!;
    expect(after.steps.find((s) => s.name === 'start-spare')).toMatchObject({ status: 'failed', message: expect.stringMatching(/no longer cut off/) });
    expect(world.sim.world.instance(world.spareId)!.state).toBe('stopped');
    expect(world.sim.calls('StartInstances')).toEqual([]);
  });
});
