/**
 * What runs is what the admin was shown and confirmed, on resume and skip
 * too (issue 11 review): a resume of a stopped restore lists the steps still
 * to run that stop, start or restart something or switch the spare's root,
 * and is refused without confirmation, changing nothing; abort undoes the
 * app start of a failover onto a refreshed spare; a run whose plan changed
 * in what it acts on (keys, what the spare holds, the clients' servers) is
 * refused. Real lab hosts and the EC2 simulator (restore-fixture.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { knownHostsName } from '../../shared/hosts';
import { KnownHosts } from '../../electron/engine/ssh/known-hosts';
import { SPARE_TAG } from '../../electron/engine/operations/restore/spare-record';
import { DrydockError } from '../../shared/errors';
import { ENVIRONMENT } from '../../shared/proxy/render';
import { startRestoreWorld, type RestoreWorld } from './restore-fixture';

let w: RestoreWorld | undefined;
afterEach(async () => {
  await w?.dispose();
  w = undefined;
});

/** What the simulator was asked to change (everything but reads). */
const writes = (world: RestoreWorld) => world.sim.requests.filter((r) => !/^(Describe|GetConsoleOutput)/.test(r.action)).map((r) => r.action);


describe('restore: resume, skip and abort as confirmed', () => {
  it('a resume lists the stop, root swap, starts and restarts still to run, and is refused without confirmation: nothing changes', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.sim.stickNextVolumes(1);
    process.env.DRYDOCK_RESTORE_TIMEOUT_MS = '1500';
    try {
      await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/still creating/);
    } finally {
      delete process.env.DRYDOCK_RESTORE_TIMEOUT_MS;
    }
    const [stored] = world.fx.engine.runner.store.list();
    const run = await world.call('runs:get', { id: stored.id });
    const listed = run.restartsOnResume ?? [];
    expect(listed.join('\n')).toMatch(/stops the spare spare \(i-/);
    expect(listed.join('\n')).toMatch(/takes the spare's own root vol-\S+ off/);
    expect(listed.join('\n')).toMatch(/restored volume .* as the spare's root/);
    expect(listed.join('\n')).toMatch(/starts the spare spare on the restored disk/);
    expect(listed.join('\n')).toMatch(/stops the CircleCI app on spare/);
    expect(listed.join('\n')).toMatch(/restarts Replicated on spare and starts the CircleCI app/);
    expect(listed.join('\n')).toMatch(/restarts nomad on nomad1, nomad2/);
    // The pending steps' own wording, step for step; nothing from the drill in a restore.
    expect(listed.join('\n')).not.toMatch(/firewall|drill/i);

    const before = writes(world);
    const err = await world.call('runs:resume', { id: run.id }).catch((e: DrydockError) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('CONFIRMATION_REQUIRED');
    expect((err as DrydockError).message).toMatch(/stops the spare spare/);
    expect((err as DrydockError).message).toMatch(/restarts nomad on nomad1, nomad2/);
    expect((err as DrydockError).details?.restarts).toEqual(listed);
    // Nothing was asked of EC2, the spare still runs on its own root, the run is as it was.
    expect(writes(world)).toEqual(before);
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
    const after = await world.call('runs:get', { id: run.id });
    expect(after.status).toBe(run.status);
    expect(after.steps.map((s) => s.status)).toEqual(run.steps.map((s) => s.status));
  });

  it('a skip lists what resumes after it and is refused without confirmation: the clients are untouched', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.healthy = false;
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/not healthy/);
    const [stored] = world.fx.engine.runner.store.list();
    const run = await world.call('runs:get', { id: stored.id });
    // A retry of the verification starts nothing by itself; what follows it re-points the clients.
    expect(run.restartsOnResume).toEqual([expect.stringMatching(/restarts nomad on nomad1, nomad2/)]);
    const config = world.lab.hosts.nomad1.readFile('/etc/nomad/config.hcl');
    const err = await world.call('runs:skip', { id: run.id, step: 'verify-app', confirmed: false }).catch((e: DrydockError) => e);
    expect((err as DrydockError).code).toBe('CONFIRMATION_REQUIRED');
    expect((err as DrydockError).message).toMatch(/the app on the spare is not verified/);
    expect((err as DrydockError).message).toMatch(/then goes on and restarts nomad on nomad1, nomad2/);
    expect((err as DrydockError).details?.restarts).toEqual(run.restartsOnResume);
    expect(world.lab.hosts.nomad1.readFile('/etc/nomad/config.hcl')).toBe(config);
    expect((await world.call('runs:get', { id: run.id })).steps.find((s) => s.name === 'verify-app')?.status).toBe('failed');
  });

  it('a failover onto a refreshed spare aborted after the app started: the abort lists the app start and stops the app', async () => {
    w = await startRestoreWorld();
    const world = w;
    const spare = world.lab.hosts.spare;
    const refresh = await world.runFromPlan({ spare: 'spare', mode: 'refresh-spare' });
    expect(refresh.run.status).toBe('done');
    expect(spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
    const refreshedRoot = world.rootsAttached()[0];

    world.healthy = false;
    await expect(world.runFromPlan({ spare: 'spare' })).rejects.toThrow(/not healthy/);
    expect(spare.exec('replicatedctl app status').stdout).toMatch(/started/);
    const failover = world.fx.engine.runner.store.list().find((r) => r.id !== refresh.runId)!;
    const shown = await world.call('runs:get', { id: failover.id });
    expect(shown.steps.find((s) => s.name === 'start-app')).toMatchObject({ status: 'done', undoable: true });
    const refused = await world.call('restore:abort', { runId: failover.id, confirmed: false }).catch((e: DrydockError) => e);
    expect((refused as DrydockError).message).toMatch(/Restart Replicated and start the app/);

    const aborted = await world.call('restore:abort', { runId: failover.id, confirmed: true });
    expect(aborted.status).toBe('aborted');
    expect(aborted.steps.find((s) => s.name === 'start-app')?.status).toBe('undone');
    expect(spare.exec('replicatedctl app status').stdout).toMatch(/stopped/);
    // The spare keeps running on the refreshed disk (there was no swap to undo).
    expect(world.sim.world.instance(world.spareId)!.state).toBe('running');
    expect(world.rootsAttached()).toEqual([refreshedRoot]);
  });

  const changedSincePlan = { code: 'CONFLICT', message: expect.stringMatching(/changed since the plan was reviewed .* nothing was touched/) };
  it("a run is refused without the reviewed plan's fingerprint, and when what it acts on changed since: nothing touched", async () => {
    w = await startRestoreWorld();
    const world = w;
    const before = writes(world);
    await expect(world.call('restore:run', { spare: 'spare', confirmed: true } as never)).rejects.toThrow(/review the plan/i);

    // The primary's key in known_hosts.
    let plan = await world.call('restore:plan', { spare: 'spare' });
    const kh = new KnownHosts(path.join(world.fx.home, 'known_hosts'));
    const services = world.lab.hosts.services;
    const name = knownHostsName(services.ip, 22);
    const [type, key] = readFileSync(world.lab.hosts.nomad2.hostKeyPub, 'utf8').trim().split(/\s+/);
    const saved = kh.lookup(name);
    kh.remove(name);
    kh.add(name, type, key, 'replaced');
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true })).rejects.toMatchObject(changedSincePlan);
    kh.remove(name);
    for (const k of saved) kh.add(name, k.keyType, k.key);

    // What the spare's root holds (a refresh finished on it since the plan).
    plan = await world.call('restore:plan', { spare: 'spare' });
    await world.provider.tagDisk(world.spareRoot, { [SPARE_TAG.backup]: world.backup.id, [SPARE_TAG.readyAt]: new Date().toISOString() });
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true })).rejects.toMatchObject(changedSincePlan);
    const tagged = world.sim.world.volume(world.spareRoot)!;
    tagged.tags = tagged.tags.filter((t) => t.Key !== SPARE_TAG.backup && t.Key !== SPARE_TAG.readyAt);

    // A Nomad client's current servers line.
    plan = await world.call('restore:plan', { spare: 'spare' });
    const nomad1 = world.lab.hosts.nomad1;
    const config = nomad1.readFile('/etc/nomad/config.hcl')!;
    nomad1.writeFile('/etc/nomad/config.hcl', config.replace(`${services.ip}:4647`, '192.0.2.50:4647'));
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true })).rejects.toMatchObject(changedSincePlan);
    nomad1.writeFile('/etc/nomad/config.hcl', config);

    // A client's proxy file the no-proxy step rewrites (its NO_PROXY no longer names the primary).
    plan = await world.call('restore:plan', { spare: 'spare' });
    const nomad2 = world.lab.hosts.nomad2;
    const env = nomad2.readFile(ENVIRONMENT)!;
    expect(plan.noProxy.some((n) => n.host === 'nomad2' && n.file === ENVIRONMENT)).toBe(true);
    nomad2.writeFile(ENVIRONMENT, env.split(services.ip).join('192.0.2.51'));
    await expect(world.call('restore:run', { spare: 'spare', planFingerprint: plan.fingerprint, confirmed: true })).rejects.toMatchObject(changedSincePlan);
    nomad2.writeFile(ENVIRONMENT, env);

    // Nothing was run, nothing asked of EC2 but the tags this test set.
    expect(world.fx.engine.runner.store.list()).toEqual([]);
    expect(writes(world).filter((a) => a !== 'CreateTags')).toEqual(before.filter((a) => a !== 'CreateTags'));
    expect(world.rootsAttached()).toEqual([world.spareRoot]);
  });
});
