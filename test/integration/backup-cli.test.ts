/**
 * `drydock backup …` as a script or a timer runs it (no TTY): profiles, the
 * plan-then-confirm rule (exit 3 without --yes, nothing taken), --json, the
 * schedule units, and the crash case: the CLI killed while its snapshot is
 * pending, then `drydock runs resume` follows the same snapshot to completion
 * without taking a second one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../electron/engine/runbook/run-store';
import { bundleCli, startBackupWorld, type BackupWorld } from './backup-fixture';

let w: BackupWorld;
let cli: ReturnType<typeof bundleCli>;

const env = () => ({ DRYDOCK_HOME: w.fx.home, HOME: w.fx.home, ...w.awsEnv });
const drydock = (...args: string[]) => cli.start(args, env()).done;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cli = bundleCli();
  w = await startBackupWorld();
});

afterAll(async () => {
  await w?.dispose();
  cli?.dispose();
});

describe('drydock backup (CLI)', () => {
  it('profile set / list, with --json; bad input exits 2', async () => {
    const set = await drydock('backup', 'profile', 'set', 'prod', '--provider', 'aws', '--instance', 'services', '--endpoint', w.sim.endpoint, '--region', 'us-east-1');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Saved backup profile prod \(aws, installation drydock-[0-9a-f]{10}\)/);
    const list = await drydock('backup', 'profile', 'list', '--json');
    const [p] = JSON.parse(list.stdout);
    expect(p).toMatchObject({ name: 'prod', provider: 'aws', instance: 'services', endpoint: w.sim.endpoint, imds: false });
    expect(JSON.stringify(p)).not.toMatch(/secret|AKIA/i);
    const bad = await drydock('backup', 'profile', 'set', 'x', '--provider', 'aws', '--instance', 'services', '--region', 'mars-1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/region/);
  });

  it('run without --yes and without a TTY prints the plan, exits 3 and takes nothing', async () => {
    const before = w.sim.calls('CreateSnapshots').length + w.sim.calls('CreateSnapshot').length;
    const ran = await drydock('backup', 'run', '--profile', 'prod', '--mode', 'consistent');
    expect(ran.code).toBe(3);
    expect(ran.stderr).toMatch(/Disks to snapshot:[\s\S]*\/dev\/sda1 {2}8 GiB {2}\(root\)/);
    expect(ran.stderr).toMatch(/Needs confirmation: nothing was done/);
    expect(w.sim.calls('CreateSnapshots').length + w.sim.calls('CreateSnapshot').length).toBe(before);
    expect(w.appState()).toBe('started');
  });

  it('killed while the snapshot is pending, `runs resume` follows the same snapshot to completion', async () => {
    w.sim.world.speed = 10; // ~3–5 s per snapshot: long enough to kill the CLI while it waits
    // The simulator creates the snapshots, then answers 5 s later: the CLI dies in between,
    // before it could record their ids. Only the run tag given at creation can find them.
    w.sim.delayResponse('CreateSnapshots', 5000);
    const before = w.sim.calls('CreateSnapshots').length;
    const created = w.sim.world.state.snapshots.length;
    const proc = cli.start(['backup', 'run', '--profile', 'prod', '--mode', 'live', '--wait', '--yes'], env());
    for (let i = 0; i < 400 && w.sim.world.state.snapshots.length === created; i++) await sleep(25);
    proc.child.kill('SIGKILL');
    const killed = await proc.done;
    w.sim.delayResponse('CreateSnapshots', 0);
    expect(killed.signal).toBe('SIGKILL');
    const store = new RunStore(w.fx.home);
    const run = store.list().find((r) => r.operation === 'backup-run')!;
    expect(run.status).toBe('interrupted');
    expect(run.steps.find((s) => s.name === 'snapshot')?.status).toBe('running');
    expect((run.state as { snapshots: unknown[] }).snapshots).toEqual([]);
    const mine = w.sim.world.state.snapshots.filter((s) => s.tags.some((t) => t.Key === 'drydock:run' && t.Value === run.id));
    expect(mine).toHaveLength(2);
    expect(mine.every((s) => s.state === 'pending')).toBe(true);

    const resumed = await drydock('runs', 'resume', run.id);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/this run's snapshot exists already/);
    expect(resumed.stderr).toMatch(/completed 100% · \S+ \(\/dev\/sdf\) completed 100%/);
    expect(w.sim.calls('CreateSnapshots').length).toBe(before + 1);
    expect(w.sim.world.state.snapshots.length).toBe(created + 2);
    const after = store.load(run.id)!;
    expect(after.status).toBe('done');
    expect(w.sim.world.state.snapshots.filter((s) => mine.some((m) => m.id === s.id)).every((s) => s.state === 'completed')).toBe(true);
    w.sim.world.speed = 100;
  });

  it('list --json shows the catalog; a failing run exits 1 with the reason', async () => {
    const list = await drydock('backup', 'list', '--profile', 'prod', '--json');
    expect(list.code, list.stderr).toBe(0);
    const { backups } = JSON.parse(list.stdout);
    expect(backups[0]).toMatchObject({ ours: true, state: 'completed', progress: 100, sizeGiB: 28, mode: 'live' });
    const text = await drydock('backup', 'list', '--profile', 'prod');
    expect(text.stdout).toMatch(/completed +\[##########\] 100% +28 GiB/);

    w.sim.failNextSnapshot('Snapshot creation failed: internal error');
    const failed = await drydock('backup', 'run', '--profile', 'prod', '--volumes', 'root', '--wait', '--yes');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/drydock: Snapshot snap-\S+ \(vol-\S+\) ended in error: Snapshot creation failed: internal error/);
  });

  it('prune shows the plan, needs --yes, then deletes', async () => {
    const dry = await drydock('backup', 'prune', '--profile', 'prod', '--keep-last', '1');
    expect(dry.code).toBe(3);
    expect(dry.stderr).toMatch(/keep +\S+ +completed .* the newest completed backup/);
    expect(dry.stderr).toMatch(/DELETE/);
    const yes = await drydock('backup', 'prune', '--profile', 'prod', '--keep-last', '1', '--yes', '--json');
    expect(yes.code, yes.stderr).toBe(0);
    const out = JSON.parse(yes.stdout);
    expect(out.deleted.length).toBeGreaterThan(0);
    for (const id of out.deleted) expect(w.sim.world.snapshot(id)).toBeUndefined();
  });

  it('schedule prints a systemd timer (OnCalendar, Persistent=true) + service and a crontab line', async () => {
    const s = await drydock('backup', 'schedule', '--profile', 'prod', '--every', '6h');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('OnCalendar=*-*-* 00/6:00:00');
    expect(s.stdout).toContain('Persistent=true');
    expect(s.stdout).toMatch(/ExecStart=\S+ backup run --profile prod --yes/);
    expect(s.stdout).toMatch(/^0 \*\/6 \* \* \* DRYDOCK_HOME=.* backup run --profile 'prod' --yes/m);
    const odd = await drydock('backup', 'schedule', '--profile', 'prod', '--every', '5h');
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/hours dividing a day/);
    const days = await drydock('backup', 'schedule', '--profile', 'prod', '--every', '2d');
    expect(days.stdout).toContain('OnCalendar=*-*-01/2 00:00:00');
    expect(days.stdout).toMatch(/cron cannot express/);
  });
});
