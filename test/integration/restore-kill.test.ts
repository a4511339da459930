/**
 * kill -9 of the CLI, at every step boundary and inside each waiting step,
 * then `drydock runs resume ID`: every time the run finishes, the spare's
 * own root volume still exists, and the spare never has two roots attached.
 * The CLI is the bundled `drydock` a script would run; the EC2 simulator
 * and the lab run in this process, so their state outlives each kill.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runUntil } from './backup-fixture';
import { parseHcl, startRestoreWorld, type RestoreWorld } from './restore-fixture';

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

interface RunFile {
  id: string;
  status: string;
  steps: { name: string; status: string }[];
}

function runFile(world: RestoreWorld): RunFile | null {
  const list = world.fx.engine.runner.store.list();
  if (!list[0]) return null;
  return JSON.parse(readFileSync(path.join(world.fx.home, 'runs', `${list[0].id}.json`), 'utf8')) as RunFile;
}

function env(world: RestoreWorld): Record<string, string> {
  return { ...world.awsEnv, DRYDOCK_HOME: world.fx.home, HOME: world.fx.home };
}

/** The invariants that must hold whenever the CLI dies. */
function checkSpare(world: RestoreWorld, where: string): void {
  expect(world.sim.world.volume(world.spareRoot), `${where}: the spare's own root exists`).toBeDefined();
  expect(world.rootsAttached().length, `${where}: at most one root attached`).toBeLessThanOrEqual(1);
}


async function finish(world: RestoreWorld, id: string): Promise<void> {
  if (runFile(world)?.status !== 'done') {
    const last = await runUntil(cli.start(['runs', 'resume', id, '--yes'], env(world)));
    expect(last.code, last.stderr).toBe(0);
  }
  const run = runFile(world)!;
  expect(run.status).toBe('done');
  const { spare, nomad1, nomad2 } = world.lab.hosts;
  expect(world.defaults(spare, '/etc/default/replicated').PRIVATE_ADDRESS).toBe(spare.ip);
  for (const c of [nomad1, nomad2]) expect(parseHcl(c.readFile('/etc/nomad/config.hcl')!).client?.servers).toEqual([`${spare.ip}:4647`]);
  expect(world.rootsAttached()).toHaveLength(1);
  expect(world.reimages).toBe(1);
  expect(world.sim.calls('CreateVolume')).toHaveLength(1);
  checkSpare(world, 'at the end');
}

describe('restore: kill -9 of the CLI and resume', () => {
  it('at every step boundary: resume finishes every time, the own root kept, never two roots', async () => {
    w = await startRestoreWorld();
    const world = w;
    const names = world.fx.engine.operations.get('restore-spare')!.steps.map((s) => s.name);
    let id = '';
    let kills = 0;
    // Kill as soon as step k is recorded done (or found done), before or just as step k+1 starts.
    for (let k = 0; k < names.length - 1; k++) {
      const args = id ? ['runs', 'resume', id, '--yes'] : ['restore', 'run', '--spare', 'spare', '--yes'];
      const r = await runUntil(cli.start(args, env(world)), () => {
        const run = runFile(world);
        const s = run?.steps[k]?.status;
        return s === 'done' || s === 'skipped';
      });
      id ||= runFile(world)!.id;
      checkSpare(world, `after the kill at the end of ${names[k]}`);
      if (!r.killed) break;
      const after = world.fx.engine.runner.store.load(id)!;
      // Near the end only quick steps remain (traffic, then the drill's two, skipped at once): the run
      // may have ended just before the signal landed.
      if (after.status === 'done') break;
      kills++;
      // The dead process's run shows as interrupted, and resumable.
      expect(world.fx.engine.runner.describe(after)).toMatchObject({ status: 'interrupted', resumable: true });
    }
    // Every boundary up to the re-pointing of the clients (the last slow step) was killed.
    expect(kills).toBeGreaterThanOrEqual(names.indexOf('repoint-nomad') + 1);
    await finish(world, id);
  });

  it('inside each waiting step (volume, stop, detach, attach, start, app stop/start, clients): resume finishes every time', async () => {
    w = await startRestoreWorld({ speed: 25 });
    const world = w;
    const spareLog = () => world.lab.hosts.spare.readFile('/var/log/lab/calls.log') ?? '';
    // Each trigger fires once the waited-for action has been asked for, while the step waits for it.
    const triggers: [string, () => boolean][] = [
      ['create-volume', () => world.sim.calls('CreateVolume').length > 0],
      ['stop-spare', () => world.sim.calls('StopInstances').length > 0],
      ['detach-root', () => world.sim.calls('DetachVolume').length > 0],
      ['attach-root', () => world.sim.calls('AttachVolume').length > 0],
      ['start-spare', () => world.sim.calls('StartInstances').length > 0],
      ['stop-app', () => world.reimages > 0 && /replicatedctl app stop/.test(spareLog())],
      ['start-app', () => /replicatedctl app start/.test(spareLog())],
      ['repoint-nomad', () => /restart nomad/.test(world.lab.hosts.nomad2.readFile('/var/log/lab/units.log') ?? '')],
    ];
    let id = '';
    const killedIn: string[] = [];
    for (const [step, fired] of triggers) {
      const args = id ? ['runs', 'resume', id, '--yes'] : ['restore', 'run', '--spare', 'spare', '--yes'];
      const r = await runUntil(cli.start(args, env(world)), () => {
        const run = runFile(world);
        return fired() && run?.steps.find((s) => s.name === step)?.status === 'running';
      });
      id ||= runFile(world)!.id;
      checkSpare(world, `after the kill inside ${step}`);
      if (r.killed) killedIn.push(step);
      else expect(r.code, r.stderr).toBe(0);
    }
    // Most waits are long enough at this speed to be killed inside; each kill was recovered from.
    expect(killedIn.length, `killed inside: ${killedIn.join(', ')}`).toBeGreaterThanOrEqual(5);
    if (runFile(world)!.status !== 'done') await finish(world, id);
    else expect(world.rootsAttached()).toHaveLength(1);
  });
  it('the CLI: plan --json writes nothing; run --yes never trusts an unproven host key (exit 3); trust-key, resume, report', async () => {
    w = await startRestoreWorld();
    const world = w;
    world.keyMode = 'unproven';
    const plan = await runUntil(cli.start(['restore', 'plan', '--spare', 'spare', '--json'], env(world)));
    expect(plan.code, plan.stderr).toBe(0);
    expect(world.fx.engine.runner.store.list()).toEqual([]);

    const noYes = await runUntil(cli.start(['restore', 'run', '--spare', 'spare'], env(world)));
    expect(noYes.code).toBe(3);
    expect(world.sim.calls('CreateVolume')).toEqual([]);

    const run = await runUntil(cli.start(['restore', 'run', '--spare', 'spare', '--yes'], env(world)));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/neither the primary's known key nor a fingerprint cloud-init printed/);
    const id = runFile(world)!.id;
    expect(run.stderr).toContain(`drydock restore trust-key --run ${id} --fingerprint ${world.keys.spareNow()}`);
    // Without --yes (and no terminal) a resume prints what it stops, starts or restarts, step by step, and runs nothing.
    const unconfirmed = await runUntil(cli.start(['runs', 'resume', id], env(world)));
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stderr).toMatch(/what it stops, starts or restarts:\n {2}- stops the CircleCI app on spare[^\n]*\n {2}- restarts Replicated on spare[^]*\n {2}- restarts nomad on nomad1, nomad2/);
    expect(unconfirmed.stderr).toMatch(/Needs confirmation: nothing was run/);
    expect(runFile(world)!.steps.find((s) => s.name === 'reconnect')?.status).toBe('failed');
    // A resume with --yes still does not trust it.
    const again = await runUntil(cli.start(['runs', 'resume', id, '--yes'], env(world)));
    expect(again.code).toBe(3);
    expect((world.lab.hosts.spare.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter((l) => /^(replicatedctl|rm|docker)/.test(l))).toEqual([]);

    const trust = await runUntil(cli.start(['restore', 'trust-key', '--run', id, '--fingerprint', world.keys.spareNow(), '--yes'], env(world)));
    expect(trust.code, trust.stderr).toBe(0);
    await finish(world, id);
    const out = path.join(world.fx.home, 'restore-report.html');
    const report = await runUntil(cli.start(['restore', 'report', '--run', id, '--out', out], env(world)));
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/Recovery time/);
  });
});
