/**
 * The EC2 simulator on its own, as the demo and a person checking by hand
 * start it: compiled JavaScript (`npm run ec2-sim`), one JSON ready line,
 * a state file it starts from and saves back to, Ctrl-C stops it, and
 * Debian's `aws` CLI (a client this project did not write) reads it.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-ec2-sim-'));
const stateFile = path.join(dir, 'state.json');

interface Ready {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  instances: { id: string; name: string; privateIp: string; rootVolumeId: string }[];
}

function startSim(args: string[], viaNpm = true): Promise<{ child: ChildProcess; ready: Ready; lines: string[] }> {
  const [cmd, pre] = viaNpm ? ['npm', ['run', '-s', 'ec2-sim', '--']] : [process.execPath, [path.join(ROOT, 'dist/ec2-sim/main.js')]];
  const child = spawn(cmd, [...pre, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve({ child, ready: JSON.parse(line) as Ready, lines });
    });
    child.once('exit', (code) => reject(new Error(`ec2-sim exited ${code}: ${stderr}`)));
  });
}

/** Ctrl-C; resolves true when it ended by it (exit 0, or npm ended by the signal). */
function stop(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT'));
    // Ctrl-C reaches the whole foreground group: npm and the node under it.
    process.kill(-child.pid!, 'SIGINT');
  });
}

function aws(ready: Ready, ...args: string[]): Promise<unknown> {
  const env = { PATH: process.env.PATH!, HOME: dir, AWS_ACCESS_KEY_ID: ready.accessKeyId, AWS_SECRET_ACCESS_KEY: ready.secretAccessKey, AWS_DEFAULT_REGION: ready.region, AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') };
  return new Promise((resolve, reject) =>
    execFile('aws', ['--endpoint-url', ready.endpoint, '--output', 'json', 'ec2', ...args], { env }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout)))),
  );
}

beforeAll(() => {
  execFileSync('npm', ['run', '-s', 'build:ec2-sim'], { cwd: ROOT });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run ec2-sim', () => {
  it('runs compiled JavaScript, prints one ready line, answers the aws CLI, saves and resumes its state', async () => {
    expect(existsSync(path.join(ROOT, 'dist/ec2-sim/main.js'))).toBe(true);
    writeFileSync(stateFile, JSON.stringify({ instances: [{ name: 'services', privateIp: '10.9.0.5', rootGiB: 10, dataGiB: 50, az: 'eu-west-1b' }] }));
    const first = await startSim(['--port', '0', '--state', stateFile, '--speed', '1000', '--region', 'eu-west-1']);
    const { ready } = first;
    expect(Object.keys(ready).sort()).toEqual(['accessKeyId', 'endpoint', 'instances', 'region', 'secretAccessKey']);
    expect(ready.region).toBe('eu-west-1');
    expect(ready.instances).toEqual([{ id: expect.stringMatching(/^i-[0-9a-f]{16}$/), name: 'services', privateIp: '10.9.0.5', rootVolumeId: expect.stringMatching(/^vol-/) }]);

    const instances = (await aws(ready, 'describe-instances', '--filters', 'Name=private-ip-address,Values=10.9.0.5')) as { Reservations: { Instances: { InstanceId: string; RootDeviceName: string; Placement: { AvailabilityZone: string }; BlockDeviceMappings: { DeviceName: string; Ebs: { VolumeId: string } }[] }[] }[] };
    const inst = instances.Reservations[0].Instances[0];
    expect(inst.InstanceId).toBe(ready.instances[0].id);
    expect(inst.Placement.AvailabilityZone).toBe('eu-west-1b');
    expect(inst.BlockDeviceMappings.find((b) => b.DeviceName === inst.RootDeviceName)?.Ebs.VolumeId).toBe(ready.instances[0].rootVolumeId);

    const volumes = (await aws(ready, 'describe-volumes', '--filters', `Name=attachment.instance-id,Values=${inst.InstanceId}`)) as { Volumes: { Size: number; State: string }[] };
    expect(volumes.Volumes.map((v) => [v.Size, v.State])).toEqual([[10, 'in-use'], [50, 'in-use']]);

    const made = (await aws(ready, 'create-snapshot', '--volume-id', ready.instances[0].rootVolumeId, '--tag-specifications', 'ResourceType=snapshot,Tags=[{Key=drydock:run,Value=by-hand}]')) as { SnapshotId: string; State: string };
    expect(made.State).toBe('pending');
    const snaps = (await aws(ready, 'describe-snapshots', '--owner-ids', 'self', '--filters', 'Name=tag:drydock:run,Values=by-hand')) as { Snapshots: { SnapshotId: string; State: string; Progress: string }[] };
    expect(snaps.Snapshots.map((s) => s.SnapshotId)).toEqual([made.SnapshotId]);
    expect(await stop(first.child)).toBe(true);
    expect(first.lines).toHaveLength(1);

    // The state file now holds the world; a new simulator continues from it.
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { snapshots: { id: string }[] };
    expect(saved.snapshots.map((s) => s.id)).toEqual([made.SnapshotId]);
    const second = await startSim(['--state', stateFile, '--region', 'eu-west-1'], false);
    expect(second.ready.instances[0].id).toBe(ready.instances[0].id);
    const again = (await aws(second.ready, 'describe-snapshots', '--snapshot-ids', made.SnapshotId)) as { Snapshots: { State: string; Progress: string }[] };
    expect(again.Snapshots[0].State).toBe('completed');
    expect(again.Snapshots[0].Progress).toBe('100%');
    expect(await stop(second.child)).toBe(true);
  });

  it('refuses a request signed with an unknown key, as EC2 does', async () => {
    const { child, ready } = await startSim(['--speed', '10'], false);
    try {
      await expect(aws({ ...ready, accessKeyId: 'AKIAUNKNOWNKEY000000' }, 'describe-instances')).rejects.toThrow(/AuthFailure/);
      await expect(aws({ ...ready, secretAccessKey: 'wrong' }, 'describe-instances')).rejects.toThrow(/signature does not match/);
    } finally {
      await stop(child);
    }
  });
});
