/**
 * What restore needs of the EC2 simulator, read by two clients this project
 * did not write (the AWS SDK through the provider, and Debian's `aws` CLI):
 * CopySnapshot (a new snapshot, pending then completed), GetConsoleOutput
 * (cloud-init's host key block, base64 on the wire), a volume stuck in
 * `creating`, and the boot hook that fires when an instance starts from
 * another root volume than the one it last booted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../electron/engine/operations/backup/aws/aws-provider';
import { Ec2Simulator, type ReadyLine } from '../ec2-sim/server';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-ec2-restore-'));
let sim: Ec2Simulator;
let ready: ReadyLine;
let provider: AwsProvider;
const boots: { instanceId: string; rootVolumeId: string; previousRootVolumeId?: string }[] = [];

const CONSOLE = [
  'Cloud-init v. 22.4.2 running',
  'ci-info: no authorized SSH keys fingerprints found for user ubuntu.',
  '-----BEGIN SSH HOST KEY FINGERPRINTS-----',
  '256 SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK root@spare (ED25519)',
  '-----END SSH HOST KEY FINGERPRINTS-----',
  '',
].join('\n');

function aws(...args: string[]): Promise<Record<string, unknown>> {
  const env = { PATH: process.env.PATH!, HOME: dir, AWS_ACCESS_KEY_ID: ready.accessKeyId, AWS_SECRET_ACCESS_KEY: ready.secretAccessKey, AWS_DEFAULT_REGION: ready.region, AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') };
  return new Promise((resolve, reject) =>
    execFile('aws', ['--endpoint-url', ready.endpoint, '--output', 'json', 'ec2', ...args], { env }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout) as Record<string, unknown>))),
  );
}

beforeAll(async () => {
  sim = new Ec2Simulator({ speed: 1000, instances: [{ name: 'services', privateIp: '10.9.1.10' }, { name: 'spare', privateIp: '10.9.1.11' }] });
  ready = await sim.start();
  sim.onBoot = (b) => void boots.push(b);
  provider = new AwsProvider({ profile: { region: ready.region, endpoint: ready.endpoint, imds: false }, keys: { accessKeyId: ready.accessKeyId, secretAccessKey: ready.secretAccessKey } });
});

afterAll(async () => {
  await provider?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await what();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('never reached');
}

describe('EC2 simulator: what restore needs', () => {
  it('copies a snapshot as a new pending snapshot that completes, for the SDK and the aws CLI', async () => {
    const services = ready.instances[0];
    const [snap] = await provider.createSnapshots({ machine: await provider.findMachine(services.id), disks: [{ id: services.rootVolumeId, device: '/dev/sda1', root: true, sizeGiB: 8 }], tags: { 'drydock:run': 'r1' }, description: 'x' });
    await until(() => provider.listSnapshots({ ids: [snap.id] }), (l) => l[0].state === 'completed');

    const copy = await provider.copySnapshot(snap.id, 'eu-west-1', { 'drydock:copy-of': snap.id });
    expect(copy.id).not.toBe(snap.id);
    expect(copy).toMatchObject({ state: 'pending', tags: { 'drydock:copy-of': snap.id } });
    await until(() => provider.listSnapshots({ ids: [copy.id] }), (l) => l[0].state === 'completed');

    const byCli = await aws('copy-snapshot', '--source-region', 'eu-west-1', '--source-snapshot-id', snap.id, '--description', 'by hand');
    expect(byCli.SnapshotId).toMatch(/^snap-/);
    const listed = (await aws('describe-snapshots', '--snapshot-ids', String(byCli.SnapshotId))) as { Snapshots: { State: string; Description: string }[] };
    expect(listed.Snapshots[0]).toMatchObject({ Description: 'by hand' });
    expect(['pending', 'completed']).toContain(listed.Snapshots[0].State);
  });

  it("returns the console output the test set, with cloud-init's host key block, to the SDK and the aws CLI", async () => {
    const spare = ready.instances[1];
    expect(await provider.consoleOutput(await provider.findMachine(spare.id))).toBe('');
    sim.setConsoleOutput(spare.id, CONSOLE);
    expect(await provider.consoleOutput(await provider.findMachine(spare.id))).toBe(CONSOLE);
    // The CLI decodes the base64 itself: the text it prints is the console's.
    const out = await aws('get-console-output', '--instance-id', spare.id);
    expect(out.InstanceId).toBe(spare.id);
    expect(String(out.Output)).toContain('-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK root@spare (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----');
  });

  it('keeps a volume in creating when told to, and finds volumes by tag', async () => {
    const [snap] = await provider.listSnapshots({ tags: { 'drydock:run': 'r1' } });
    sim.stickNextVolumes(1);
    const stuck = await provider.createDiskFromSnapshot(snap.id, `${ready.region}a`, { 'drydock:restore-run': 'stuck-run' });
    const fine = await provider.createDiskFromSnapshot(snap.id, `${ready.region}a`, { 'drydock:restore-run': 'fine-run' });
    await until(() => provider.describeDisk(fine.id), (d) => d.state === 'available');
    await new Promise((r) => setTimeout(r, 100));
    expect((await provider.describeDisk(stuck.id)).state).toBe('creating');
    expect((await provider.findDisks!({ 'drydock:restore-run': 'stuck-run' })).map((d) => d.id)).toEqual([stuck.id]);
    await provider.tagDisk!(fine.id, { 'drydock:kept-root-of': 'i-x' });
    expect((await provider.findDisks!({ 'drydock:kept-root-of': 'i-x' })).map((d) => d.id)).toEqual([fine.id]);
  });

  it('reports status checks initializing after a start, then ok, or impaired when told to, to the SDK and the aws CLI', async () => {
    const services = ready.instances[0];
    const machine = await provider.findMachine(services.id);
    await provider.stopMachine(machine);
    await until(() => provider.findMachine(services.id), (m) => m.state === 'stopped');
    // Stopped: EC2 lists it only when asked for all instances, with `not-applicable`.
    expect(((await aws('describe-instance-status', '--instance-ids', services.id)) as { InstanceStatuses: unknown[] }).InstanceStatuses).toEqual([]);
    expect(await provider.statusChecks(machine)).toEqual({ system: 'not-applicable', instance: 'not-applicable' });
    await provider.startMachine(machine);
    await until(() => provider.findMachine(services.id), (m) => m.state === 'running');
    // Time slowed to real time: the checks have not run yet (at speed 1000 they pass in 40 ms, too soon to see on a busy machine).
    sim.world.speed = 1;
    expect(await provider.statusChecks(machine)).toEqual({ system: 'initializing', instance: 'initializing' });
    const early = (await aws('describe-instance-status', '--instance-ids', services.id)) as { InstanceStatuses: { SystemStatus: { Status: string }; InstanceStatus: { Status: string } }[] };
    expect(early.InstanceStatuses[0]).toMatchObject({ SystemStatus: { Status: 'initializing' }, InstanceStatus: { Status: 'initializing' } });
    sim.world.speed = 1000;
    const ok = await until(() => provider.statusChecks(machine), (c) => c.system === 'ok' && c.instance === 'ok');
    expect(ok).toEqual({ system: 'ok', instance: 'ok' });
    type CliStatus = { InstanceStatuses: { InstanceId: string; InstanceState: { Name: string }; SystemStatus: { Status: string; Details: { Name: string; Status: string }[] }; InstanceStatus: { Status: string } }[] };
    const cli = (await aws('describe-instance-status', '--instance-ids', services.id)) as CliStatus;
    expect(cli.InstanceStatuses).toHaveLength(1);
    expect(cli.InstanceStatuses[0]).toMatchObject({ InstanceId: services.id, InstanceState: { Name: 'running' }, SystemStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] }, InstanceStatus: { Status: 'ok' } });
    sim.impairStatus(services.id, 'instance');
    expect(await provider.statusChecks(machine)).toEqual({ system: 'ok', instance: 'impaired' });
    const impaired = (await aws('describe-instance-status', '--include-all-instances')) as CliStatus;
    expect(impaired.InstanceStatuses.find((s) => s.InstanceId === services.id)?.InstanceStatus.Status).toBe('impaired');
    sim.impairStatus(services.id, null);
    expect(await provider.statusChecks(machine)).toEqual({ system: 'ok', instance: 'ok' });
  });

  it('calls the boot hook only when an instance starts from another root volume', async () => {
    const spare = ready.instances[1];
    const machine = await provider.findMachine(spare.id);
    await provider.stopMachine(machine);
    await until(() => provider.findMachine(spare.id), (m) => m.state === 'stopped');
    await provider.startMachine(machine);
    await until(() => provider.findMachine(spare.id), (m) => m.state === 'running');
    expect(boots).toEqual([]);

    const [snap] = await provider.listSnapshots({ tags: { 'drydock:run': 'r1' } });
    const restored = await provider.createDiskFromSnapshot(snap.id, `${ready.region}a`, {});
    await until(() => provider.describeDisk(restored.id), (d) => d.state === 'available');
    await provider.stopMachine(machine);
    await until(() => provider.findMachine(spare.id), (m) => m.state === 'stopped');
    await provider.detachDisk(machine, { id: spare.rootVolumeId, device: '/dev/sda1', root: true, sizeGiB: 8 });
    await until(() => provider.describeDisk(spare.rootVolumeId), (d) => d.state === 'available');
    await provider.attachDisk(machine, restored, '/dev/sda1');
    await until(() => provider.disks(machine), (l) => l.some((d) => d.id === restored.id && d.state === 'attached'));
    await provider.startMachine(machine);
    expect(boots).toEqual([{ instanceId: spare.id, name: 'spare', rootVolumeId: restored.id, previousRootVolumeId: spare.rootVolumeId, snapshotId: snap.id }]);
  });
});
