/**
 * Backups end to end through the channels the GUI and CLI call, with the
 * real AWS SDK against the EC2 simulator and a lab Services machine running
 * the Replicated stand-ins: consistent mode in the guide's order with the
 * downtime measured, the app started again when the snapshot call fails,
 * throttling and 5xx ridden out, a snapshot in `error` reported, the
 * SSH-tunnelled path, and prune's safety rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG } from '../../shared/backup/profile';
import { RunStore } from '../../electron/engine/runbook/run-store';
import { startBackupWorld, type BackupWorld } from './backup-fixture';

let w: BackupWorld;

beforeAll(async () => {
  w = await startBackupWorld();
  await w.call('backup:profile-set', { name: 'prod', provider: 'aws', instance: 'services', endpoint: w.sim.endpoint, region: 'us-east-1', imds: false });
});

afterAll(async () => {
  await w?.dispose();
});

const resetLog = () => w.lab.hosts.services.exec(': >/var/log/lab/calls.log');

describe('backup run (AWS, simulator + lab Services machine)', () => {
  it('plan: the instance, its volumes with sizes, the addresses to record, the mode explained; nothing touched', async () => {
    resetLog();
    const plan = await w.call('backup:plan', { profile: 'prod', mode: 'consistent', volumes: 'all' });
    expect(plan.machine.privateAddress).toBe(w.lab.hosts.services.ip);
    expect(plan.disks.map((d) => [d.device, d.sizeGiB, d.root])).toEqual([['/dev/sda1', 8, true], ['/dev/sdf', 20, false]]);
    expect(plan.addresses).toEqual({ private: w.lab.hosts.services.ip, public: '203.0.113.10' });
    expect(plan.runningBuilds).toBe(0);
    expect(plan.explanation.join(' ')).toMatch(/started again/);
    expect(w.calls().filter((l) => /app (stop|start)|^ec2/.test(l))).toEqual([]);
    expect(w.sim.calls('CreateSnapshots')).toHaveLength(0);
  });

  it('consistent: stop → stopped → sync → snapshot → start, in that order, downtime measured, tags recorded', async () => {
    resetLog();
    const steps: string[] = [];
    const result = await w.call('backup:run', { profile: 'prod', mode: 'consistent', volumes: 'all', wait: true }, (e) => {
      if (e.type === 'step' && e.status === 'done') steps.push(e.step);
    });
    const log = w.calls().filter((l) => /^replicatedctl app (stop|start)|^ec2 /.test(l));
    expect(log).toEqual(['replicatedctl app stop', 'ec2 CreateSnapshots app=stopped', 'replicatedctl app start']);
    const audit = w.fx.engine.audit.tail(200).map((e) => e.command);
    const at = (c: string) => audit.lastIndexOf(c);
    expect(at('replicatedctl app stop')).toBeLessThan(at('sync'));
    expect(at('sync')).toBeLessThan(at('replicatedctl app start'));
    expect(w.appState()).toBe('started');
    expect(result.downtimeMs).toBeGreaterThan(0);
    expect(result.summary).toMatch(/app down \d+\.\d s/);
    expect(result.snapshots.map((s) => [s.root, s.state])).toEqual([[true, 'completed'], [false, 'completed']]);
    expect(steps).toEqual(['find', 'builds', 'stop-app', 'snapshot', 'start-app', 'wait']);
    const [snap] = (await w.call('backup:list', { profile: 'prod' })).backups;
    expect(snap.id).toBe(result.runId);
    expect(snap.snapshots[0].tags).toMatchObject({ [TAG.run]: result.runId, [TAG.mode]: 'consistent', [TAG.privateAddress]: w.lab.hosts.services.ip, [TAG.publicAddress]: '203.0.113.10', [TAG.root]: 'true', [TAG.device]: '/dev/sda1' });
    expect(w.fx.engine.audit.tail(5).some((e) => e.kind === 'local' && e.command.includes(`backup run --profile prod --mode consistent (run ${result.runId}`))).toBe(true);
  });

  it('consistent: when the snapshot call fails, the app is started again and the error says so', async () => {
    resetLog();
    w.sim.failNext('CreateSnapshots', 'IncorrectState', 'The volume vol-x is in an incorrect state');
    await expect(w.call('backup:run', { profile: 'prod', mode: 'consistent', volumes: 'all' })).rejects.toThrow(/IncorrectState.*The app was started again \(down \d+ s\)/);
    const log = w.calls().filter((l) => /^replicatedctl app (stop|start)|^ec2 /.test(l));
    expect(log).toEqual(['replicatedctl app stop', 'replicatedctl app start']);
    expect(w.appState()).toBe('started');
    const run = w.fx.engine.runner.store.list()[0];
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Take the snapshot: .*started again/);
  });

  it('live: throttling and 5xx bursts are retried and the run completes', async () => {
    resetLog();
    const before = w.sim.requests.length;
    w.sim.throttle(3, 'DescribeSnapshots');
    w.sim.serverErrors(2, 'CreateSnapshots');
    w.sim.throttle(2, 'DescribeInstances');
    const result = await w.call('backup:run', { profile: 'prod', mode: 'live', volumes: 'all', wait: true });
    expect(result.snapshots.every((s) => s.state === 'completed')).toBe(true);
    const seen = w.sim.requests.slice(before).map((r) => `${r.action}:${r.status}`);
    expect(seen.filter((s) => s === 'DescribeSnapshots:503')).toHaveLength(3);
    expect(seen.filter((s) => s === 'CreateSnapshots:500')).toHaveLength(2);
    expect(seen.filter((s) => s === 'CreateSnapshots:200')).toHaveLength(1);
    expect(w.calls().filter((l) => /app (stop|start)/.test(l))).toEqual([]);
  });

  it('a snapshot that ends in error is reported with its reason', async () => {
    w.sim.failNextSnapshot('Snapshot creation failed: the source volume is impaired');
    await expect(w.call('backup:run', { profile: 'prod', mode: 'live', volumes: 'root', wait: true })).rejects.toThrow(/ended in error: Snapshot creation failed: the source volume is impaired/);
    const run = w.fx.engine.runner.store.list()[0];
    expect(run.steps.find((s) => s.name === 'wait')?.status).toBe('failed');
    const listed = (await w.call('backup:list', { profile: 'prod' })).backups.find((b) => b.id === run.id);
    expect(listed).toMatchObject({ state: 'error', message: 'Snapshot creation failed: the source volume is impaired' });
  });

  it('goes through an SSH tunnel when the endpoint is only reachable from an inventory host', async () => {
    const port = new URL(w.sim.endpoint).port;
    // Only the bastion knows this name: the laptop cannot resolve it.
    w.lab.hosts.bastion.exec('echo "127.0.0.1 ec2.lab-only.internal" >>/etc/hosts');
    const endpoint = `http://ec2.lab-only.internal:${port}`;
    await w.call('backup:profile-set', { name: 'direct', provider: 'aws', instance: 'services', endpoint, imds: false });
    await expect(w.call('backup:plan', { profile: 'direct', mode: 'live', volumes: 'root' })).rejects.toThrow(/ENOTFOUND|getaddrinfo/);

    await w.call('backup:profile-set', { name: 'tunnelled', provider: 'aws', instance: 'services', endpoint, imds: false, tunnelVia: 'bastion' });
    const session = await w.fx.engine.pool.session('bastion');
    const targets: string[] = [];
    const original = session.client.forwardOut.bind(session.client);
    session.client.forwardOut = ((srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: never) => {
      targets.push(`${dstIP}:${dstPort}`);
      return original(srcIP, srcPort, dstIP, dstPort, cb);
    }) as typeof session.client.forwardOut;
    const before = w.sim.requests.length;
    const result = await w.call('backup:run', { profile: 'tunnelled', mode: 'live', volumes: 'root', wait: true });
    expect(result.snapshots).toHaveLength(1);
    expect(targets.length).toBeGreaterThan(0);
    expect(new Set(targets)).toEqual(new Set([`ec2.lab-only.internal:${port}`]));
    // Every request the simulator saw for this run came through those channels (no other route exists).
    expect(w.sim.requests.length - before).toBeGreaterThan(3);
    session.client.forwardOut = original;
  });

  it('prune keeps the newest, the in-use and the foreign snapshots, and deletes only what was confirmed', async () => {
    const old = await w.call('backup:run', { profile: 'prod', mode: 'live', volumes: 'root', wait: true });
    const used = await w.call('backup:run', { profile: 'prod', mode: 'live', volumes: 'root', wait: true });
    const newest = await w.call('backup:run', { profile: 'prod', mode: 'live', volumes: 'root', wait: true });
    // A snapshot of the same volume that Drydock did not take.
    const { AwsProvider } = await import('../../electron/engine/operations/backup/aws/aws-provider');
    const p = new AwsProvider({ profile: { region: 'us-east-1', endpoint: w.sim.endpoint, imds: false } });
    const m = await p.findMachine('services');
    const [foreign] = await p.createSnapshots({ machine: m, disks: (await p.disks(m)).filter((d) => d.root), tags: { Name: 'made by hand' }, description: 'manual' });
    await p.close();
    // An unfinished restore run (issue 11's operation) that uses one backup.
    const store = new RunStore(w.fx.home);
    const now = new Date().toISOString();
    store.save({ id: '2026-01-01-restore-run-0000abcd', operation: 'restore-run', status: 'interrupted', pid: 1, startedAt: now, updatedAt: now, input: { backup: used.snapshots[0].id }, state: {}, steps: [] });

    const { decisions } = await w.call('backup:prune-plan', { profile: 'prod', keepLast: 1 });
    const byId = Object.fromEntries(decisions.map((d) => [d.backup.id, d]));
    expect(byId[newest.runId]).toMatchObject({ action: 'keep', why: 'the newest completed backup' });
    expect(byId[used.runId]).toMatchObject({ action: 'keep', why: 'a restore run is using it' });
    expect(byId[foreign.id]).toMatchObject({ action: 'keep', why: 'not taken by Drydock for this installation' });
    expect(byId[old.runId].action).toBe('delete');

    const result = await w.call('backup:prune', { profile: 'prod', keepLast: 1, confirm: [old.runId, used.runId] });
    expect(result.deleted).toEqual(old.snapshots.map((s) => s.id));
    expect(result.kept).toEqual([{ id: used.runId, why: 'kept after all: a restore run is using it' }]);
    const left = new Set(w.sim.world.state.snapshots.map((s) => s.id));
    expect(left.has(old.snapshots[0].id)).toBe(false);
    for (const id of [used.snapshots[0].id, newest.snapshots[0].id, foreign.id]) expect(left.has(id)).toBe(true);
  });

  it('warns about data off the snapshotted disks (NFS, other disks in a root-only backup)', async () => {
    const h = w.lab.hosts.services;
    const fstab = h.readFile('/etc/fstab') ?? '';
    h.writeFile('/etc/fstab', `${fstab}nfs.example.internal:/export/circle /data/circle/storage-fileserver nfs4 defaults 0 0\n/dev/xvdf /data ext4 defaults 0 2\n`);
    try {
      const all = await w.call('backup:plan', { profile: 'prod', mode: 'live', volumes: 'all' });
      expect(all.warnings.join('\n')).toMatch(/\/data\/circle\/storage-fileserver is a network mount \(nfs4 from nfs.example.internal:\/export\/circle\)/);
      expect(all.warnings.join('\n')).not.toMatch(/\/data is on another disk/);
      const root = await w.call('backup:plan', { profile: 'prod', mode: 'live', volumes: 'root' });
      expect(root.warnings.join('\n')).toMatch(/\/data is on another disk \(\/dev\/xvdf\): a root-only backup leaves it out/);
      expect(root.warnings.join('\n')).toMatch(/Root volume only: vol-\S+ \(\/dev\/sdf, 20 GiB\) not included/);
    } finally {
      h.writeFile('/etc/fstab', fstab);
    }
  });

  it('consistent: running builds are reported, and the run waits for them when asked', async () => {
    resetLog();
    const h = w.lab.hosts.services;
    h.writeFile('/var/lib/lab/nomad/jobs', 'build-1234 batch 50 running\n');
    const plan = await w.call('backup:plan', { profile: 'prod', mode: 'consistent', volumes: 'root' });
    expect(plan.runningBuilds).toBe(1);
    const notes: string[] = [];
    const running = w.call('backup:run', { profile: 'prod', mode: 'consistent', volumes: 'root', waitForBuilds: true }, (e) => {
      if (e.type === 'step' && e.step === 'builds' && e.message) notes.push(e.message);
    });
    // The build finishes a little later; only then may the app stop.
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.calls().filter((l) => /app stop/.test(l))).toEqual([]);
    h.writeFile('/var/lib/lab/nomad/jobs', '');
    const result = await running;
    expect(notes.some((n) => /1 build\(s\) running: waiting/.test(n))).toBe(true);
    expect(notes.at(-1)).toBe('no build running');
    expect(result.snapshots).toHaveLength(1);
    expect(w.calls().filter((l) => /^replicatedctl app (stop|start)|^ec2 /.test(l))).toEqual(['replicatedctl app stop', 'ec2 CreateSnapshot app=stopped', 'replicatedctl app start']);
  });
});
