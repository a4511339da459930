/**
 * The spare's network isolation on AWS (aws/isolate.ts) against the EC2
 * simulator, read back by a client this project did not write (Debian's
 * `aws` CLI): the isolating group has no egress and only tcp/22 in, copied
 * from the spare's own groups; it is made once (found by its tag after a
 * crash); the instance's groups at each start are recorded; release puts the
 * very groups back and deletes the isolating one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../electron/engine/operations/backup/aws/aws-provider';
import { ISOLATES_TAG } from '../../electron/engine/operations/backup/aws/isolate';
import { Ec2Simulator, type ReadyLine } from '../ec2-sim/server';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-ec2-isolate-'));
let sim: Ec2Simulator;
let ready: ReadyLine;
let provider: AwsProvider;

type Perm = { IpProtocol: string; FromPort?: number; ToPort?: number; IpRanges: { CidrIp: string }[]; UserIdGroupPairs: { GroupId: string }[] };
type Group = { GroupId: string; GroupName: string; VpcId: string; IpPermissions: Perm[]; IpPermissionsEgress: Perm[]; Tags?: { Key: string; Value: string }[] };

function aws<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const env = { PATH: process.env.PATH!, HOME: dir, AWS_ACCESS_KEY_ID: ready.accessKeyId, AWS_SECRET_ACCESS_KEY: ready.secretAccessKey, AWS_DEFAULT_REGION: ready.region, AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') };
  return new Promise((resolve, reject) =>
    execFile('aws', ['--endpoint-url', ready.endpoint, '--output', 'json', 'ec2', ...args], { env }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve((stdout.trim() ? JSON.parse(stdout) : {}) as T))),
  );
}

const instanceGroups = async (id: string) => {
  const out = await aws<{ Reservations: { Instances: { VpcId: string; SecurityGroups: { GroupId: string }[]; NetworkInterfaces: { Groups: { GroupId: string }[] }[] }[] }[] }>('describe-instances', '--instance-ids', id);
  return out.Reservations[0].Instances[0];
};
const isolating = async (id: string) => (await aws<{ SecurityGroups: Group[] }>('describe-security-groups', '--filters', `Name=tag:${ISOLATES_TAG},Values=${id}`)).SecurityGroups;

beforeAll(async () => {
  sim = new Ec2Simulator({ speed: 1000, instances: [{ name: 'services', privateIp: '10.9.2.10' }, { name: 'spare', privateIp: '10.9.2.11' }] });
  ready = await sim.start();
  provider = new AwsProvider({ profile: { region: ready.region, endpoint: ready.endpoint, imds: false }, keys: { accessKeyId: ready.accessKeyId, secretAccessKey: ready.secretAccessKey } });
});

afterAll(async () => {
  await provider?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('EC2 simulator: isolating the spare with a security group', () => {
  it('the aws CLI reads the VPC and groups of an instance, as the instance and its primary interface', async () => {
    const spareId = ready.instances[1].id;
    const inst = await instanceGroups(spareId);
    expect(inst.VpcId).toMatch(/^vpc-/);
    expect(inst.SecurityGroups.map((g) => g.GroupId)).toHaveLength(2);
    expect(inst.NetworkInterfaces[0].Groups).toEqual(inst.SecurityGroups.map((g) => ({ GroupId: g.GroupId, GroupName: expect.any(String) })));
    const groups = (await aws<{ SecurityGroups: Group[] }>('describe-security-groups', '--group-ids', ...inst.SecurityGroups.map((g) => g.GroupId))).SecurityGroups;
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['circleci-spare', 'default']);
    expect(groups.find((g) => g.GroupName === 'circleci-spare')!.IpPermissions.map((p) => p.FromPort).sort()).toEqual([22, 443, 80, 8800].sort());
  });

  it('isolates: no egress, tcp/22 only, recorded at the next start; a second call makes no second group; release puts the groups back', async () => {
    const spareId = ready.instances[1].id;
    const machine = await provider.findMachine(spareId);
    const before = (await instanceGroups(spareId)).SecurityGroups.map((g) => g.GroupId);
    expect(await provider.networkIsolated(machine)).toBe(false);

    const iso = await provider.isolateNetwork(machine);
    expect(iso.provider).toBe('aws');
    expect(iso.detail).toMatchObject({ instanceId: spareId, originalGroups: before, networkInterface: 'primary' });
    const [g] = await isolating(spareId);
    expect(g.GroupId).toBe(iso.detail.groupId);
    expect(g.IpPermissionsEgress).toEqual([]);
    // SSH from anywhere (circleci-spare's rule) and from the default group's members (its all-traffic self rule), nothing else.
    expect(g.IpPermissions.every((p) => p.IpProtocol === 'tcp' && p.FromPort === 22 && p.ToPort === 22)).toBe(true);
    expect(g.IpPermissions.flatMap((p) => [...p.IpRanges.map((r) => r.CidrIp), ...p.UserIdGroupPairs.map((r) => r.GroupId)]).sort()).toEqual(['0.0.0.0/0', before[0]].sort());
    expect((await instanceGroups(spareId)).SecurityGroups.map((x) => x.GroupId)).toEqual([g.GroupId]);
    expect(await provider.networkIsolated(machine)).toBe(true);

    // Idempotent, as after a crash once the swap is done: the same group, the same record of the groups to put back.
    const again = await provider.isolateNetwork(machine);
    expect(again.detail).toEqual(iso.detail);
    expect(await isolating(spareId)).toHaveLength(1);

    // The groups the instance booted with are recorded at each start.
    await provider.stopMachine(machine);
    for (let i = 0; i < 200 && sim.world.instance(spareId)!.state !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
    await provider.startMachine(machine);
    expect(sim.world.instance(spareId)!.boots!.at(-1)!.groups).toEqual([g.GroupId]);

    await provider.releaseNetwork(machine, iso);
    expect((await instanceGroups(spareId)).SecurityGroups.map((x) => x.GroupId)).toEqual(before);
    expect(await isolating(spareId)).toEqual([]);
    expect(await provider.networkIsolated(machine)).toBe(false);
    await provider.releaseNetwork(machine, iso); // idempotent
    expect((await instanceGroups(spareId)).SecurityGroups.map((x) => x.GroupId)).toEqual(before);
  });

  it('refuses to isolate a spare none of whose groups lets SSH in (Drydock would lose its way in)', async () => {
    const primaryId = ready.instances[0].id;
    const def = sim.world.state.securityGroups!.find((g) => g.name === 'default')!;
    const inst = sim.world.instance(primaryId)!;
    const saved = inst.groups;
    await aws('modify-instance-attribute', '--instance-id', primaryId, '--groups', def.id);
    const savedIngress = def.ingress;
    def.ingress = [];
    try {
      const err = await provider.isolateNetwork(await provider.findMachine(primaryId)).catch((e: Error) => e);
      expect((err as Error).message).toMatch(/lets TCP 22 in/);
      expect(await isolating(primaryId)).toEqual([]);
    } finally {
      def.ingress = savedIngress;
      inst.groups = saved;
    }
  });
});
