/**
 * Cutting an EC2 spare off before a restored disk boots on it (drill,
 * refresh-spare): the production app on that disk starts by itself and must
 * not run scheduled workflows, send mail or call GitHub.
 *
 * How: one security group per spare, made by Drydock and tagged
 * `drydock:isolates=<instance>`, in the spare's VPC, with NO egress rule (a
 * new group allows all egress: that rule is revoked) and, as ingress, only
 * the rules of the spare's own groups that let TCP 22 in, copied as tcp/22.
 * Security groups are stateful, so the replies of Drydock's SSH session go
 * out; nothing else does. The instance's groups are then replaced by that
 * one group. The groups it had are kept on the isolating group's tags too
 * (`drydock:original-group-N`), so a run that crashed after the swap still
 * knows what to put back.
 *
 * Only the primary network interface is changed (ModifyInstanceAttribute
 * Groups): a Services machine has one. A spare with more interfaces is
 * refused rather than half isolated.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  type Instance,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DrydockError } from '../../../../../shared/errors';
import type { CallOptions, Machine, NetworkIsolation } from '../provider';

export const ISOLATES_TAG = 'drydock:isolates';
const ORIGINAL_TAG = 'drydock:original-group-';

type Send = <T>(action: string, command: object, options?: CallOptions) => Promise<T>;

export interface AwsIsolationDetail {
  instanceId: string;
  vpcId: string;
  groupId: string;
  /** The primary interface's groups before the swap, in order. */
  originalGroups: string[];
  networkInterface: 'primary';
}

async function instanceOf(send: Send, id: string, options?: CallOptions): Promise<Instance> {
  const out = await send<{ Reservations?: { Instances?: Instance[] }[] }>('DescribeInstances', new DescribeInstancesCommand({ InstanceIds: [id] }), options);
  const i = out.Reservations?.[0]?.Instances?.[0];
  if (!i) throw new DrydockError('NOT_FOUND', `No EC2 instance ${id}`);
  return i;
}

const groupsOf = (i: Instance): string[] => (i.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter(Boolean);

async function isolatingGroup(send: Send, instanceId: string, vpcId: string, options?: CallOptions): Promise<SecurityGroup | undefined> {
  const out = await send<{ SecurityGroups?: SecurityGroup[] }>(
    'DescribeSecurityGroups',
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${ISOLATES_TAG}`, Values: [instanceId] }, { Name: 'vpc-id', Values: [vpcId] }] }),
    options,
  );
  return out.SecurityGroups?.[0];
}

const originalsOf = (g: SecurityGroup): string[] =>
  (g.Tags ?? [])
    .filter((t) => t.Key?.startsWith(ORIGINAL_TAG))
    .sort((a, b) => Number(a.Key!.slice(ORIGINAL_TAG.length)) - Number(b.Key!.slice(ORIGINAL_TAG.length)))
    .map((t) => t.Value ?? '');
const originalTags = (groups: string[]) => groups.map((g, n) => ({ Key: `${ORIGINAL_TAG}${n + 1}`, Value: g }));

const letsSshIn = (p: IpPermission) => p.IpProtocol === '-1' || ((p.IpProtocol === 'tcp' || p.IpProtocol === '6') && (p.FromPort ?? 0) <= 22 && 22 <= (p.ToPort ?? 65535));
const isSshOnly = (p: IpPermission) => (p.IpProtocol === 'tcp' || p.IpProtocol === '6') && p.FromPort === 22 && p.ToPort === 22;

/** The sources allowed to reach tcp/22 through the given groups, as tcp/22 permissions (one per source). */
function sshSources(groups: SecurityGroup[]): IpPermission[] {
  const out: IpPermission[] = [];
  const tcp22 = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22 };
  for (const p of groups.flatMap((g) => g.IpPermissions ?? []).filter(letsSshIn)) {
    for (const r of p.IpRanges ?? []) out.push({ ...tcp22, IpRanges: [{ CidrIp: r.CidrIp }] });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...tcp22, Ipv6Ranges: [{ CidrIpv6: r.CidrIpv6 }] });
    for (const r of p.UserIdGroupPairs ?? []) out.push({ ...tcp22, UserIdGroupPairs: [{ GroupId: r.GroupId }] });
    for (const r of p.PrefixListIds ?? []) out.push({ ...tcp22, PrefixListIds: [{ PrefixListId: r.PrefixListId }] });
  }
  return out;
}

const sourceKey = (p: IpPermission) => p.IpRanges?.[0]?.CidrIp ?? p.Ipv6Ranges?.[0]?.CidrIpv6 ?? p.UserIdGroupPairs?.[0]?.GroupId ?? p.PrefixListIds?.[0]?.PrefixListId ?? '';
const haveSources = (g: SecurityGroup): Set<string> =>
  new Set(
    (g.IpPermissions ?? []).filter(isSshOnly).flatMap((p) => [
      ...(p.IpRanges ?? []).map((r) => r.CidrIp ?? ''),
      ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''),
      ...(p.UserIdGroupPairs ?? []).map((r) => r.GroupId ?? ''),
      ...(p.PrefixListIds ?? []).map((r) => r.PrefixListId ?? ''),
    ]),
  );

/** Its VPC; throws `unsupported` (details) for an instance Drydock cannot cut off with one group swap. */
function isolatable(i: Instance): string {
  if (!i.VpcId) throw new DrydockError('COMMAND_FAILED', `Instance ${i.InstanceId} is in no VPC: its network cannot be cut with a security group (unsupported)`, { unsupported: true });
  if ((i.NetworkInterfaces ?? []).length > 1) {
    throw new DrydockError('COMMAND_FAILED', `Instance ${i.InstanceId} has ${i.NetworkInterfaces!.length} network interfaces: Drydock isolates only a spare with one (unsupported)`, { unsupported: true });
  }
  return i.VpcId;
}

/** Read the world: the instance's only group is its isolating group, with no egress and nothing but tcp/22 in. */
export async function awsNetworkIsolated(send: Send, machine: Machine, options?: CallOptions): Promise<boolean> {
  const i = await instanceOf(send, machine.id, options);
  const vpcId = isolatable(i);
  const g = await isolatingGroup(send, machine.id, vpcId, options);
  const groups = groupsOf(i);
  return !!g && groups.length === 1 && groups[0] === g.GroupId && !(g.IpPermissionsEgress ?? []).length && (g.IpPermissions ?? []).every(isSshOnly);
}

/** The instance wears its isolating group (alone or not): an isolation Drydock made and did not take off. */
export async function awsIsolationLeft(send: Send, machine: Machine, options?: CallOptions): Promise<boolean> {
  const i = await instanceOf(send, machine.id, options);
  if (!i.VpcId) return false;
  const g = await isolatingGroup(send, machine.id, i.VpcId, options);
  return !!g?.GroupId && groupsOf(i).includes(g.GroupId);
}

export async function awsIsolateNetwork(send: Send, machine: Machine, options?: CallOptions): Promise<NetworkIsolation> {
  const i = await instanceOf(send, machine.id, options);
  const vpcId = isolatable(i);
  const current = groupsOf(i);
  let g = await isolatingGroup(send, machine.id, vpcId, options);
  // The instance already wears the group (a crash after the swap): what it had before is on the group's tags.
  const swapped = !!g && current.length === 1 && current[0] === g.GroupId;
  const originals = swapped ? originalsOf(g!) : current;
  if (!originals.length) throw new DrydockError('CONFLICT', `Instance ${machine.id} wears isolating group ${g?.GroupId} but its own groups are not recorded on it: put the spare's groups back by hand, then resume`);
  const ownGroups = (await send<{ SecurityGroups?: SecurityGroup[] }>('DescribeSecurityGroups', new DescribeSecurityGroupsCommand({ GroupIds: originals }), options)).SecurityGroups ?? [];
  const ssh = sshSources(ownGroups);
  if (!ssh.length) throw new DrydockError('CONFLICT', `None of ${machine.id}'s security groups (${originals.join(', ')}) lets TCP 22 in: isolated, Drydock could not reach it over SSH. Allow SSH from Drydock's address in one of them, then plan again.`);
  if (!g) {
    const made = await send<{ GroupId?: string }>(
      'CreateSecurityGroup',
      new CreateSecurityGroupCommand({
        GroupName: `drydock-isolate-${machine.id}`,
        Description: `Drydock: ${machine.id} cut off (no egress, SSH in only) while a restored disk runs on it`,
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: `drydock-isolate-${machine.name ?? machine.id}` }, { Key: ISOLATES_TAG, Value: machine.id }, ...originalTags(originals)] }],
      }),
      options,
    );
    g = { GroupId: made.GroupId, IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
  } else if (!swapped) {
    // A group left by an earlier run (its delete failed): it now records the spare's groups of today.
    await send('CreateTags', new CreateTagsCommand({ Resources: [g.GroupId!], Tags: originalTags(originals) }), options);
  }
  const groupId = g.GroupId!;
  if ((g.IpPermissionsEgress ?? []).length) await send('RevokeSecurityGroupEgress', new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: g.IpPermissionsEgress }), options);
  const have = haveSources(g);
  const missing = ssh.filter((p) => !have.has(sourceKey(p)) && (have.add(sourceKey(p)), true));
  if (missing.length) await send('AuthorizeSecurityGroupIngress', new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: missing }), options);
  if (!swapped) await send('ModifyInstanceAttribute', new ModifyInstanceAttributeCommand({ InstanceId: machine.id, Groups: [groupId] }), options);
  const detail: AwsIsolationDetail = { instanceId: machine.id, vpcId, groupId, originalGroups: originals, networkInterface: 'primary' };
  return {
    provider: 'aws',
    summary: `${machine.id}'s groups ${originals.join(', ')} replaced by ${groupId} (no egress; SSH in from ${[...have].join(', ')} only)`,
    detail: { ...detail },
  };
}

export async function awsReleaseNetwork(send: Send, machine: Machine, isolation: NetworkIsolation, options?: CallOptions): Promise<void> {
  const d = isolation.detail as Partial<AwsIsolationDetail>;
  const originals = d.originalGroups ?? [];
  if (!originals.length) throw new DrydockError('INVALID_INPUT', `The isolation record of ${machine.id} names no groups to put back`);
  const i = await instanceOf(send, machine.id, options);
  const current = groupsOf(i);
  if (current.join(',') !== originals.join(',')) await send('ModifyInstanceAttribute', new ModifyInstanceAttributeCommand({ InstanceId: machine.id, Groups: originals }), options);
  const g = i.VpcId ? await isolatingGroup(send, machine.id, i.VpcId, options) : undefined;
  if (!g?.GroupId) return;
  try {
    await send('DeleteSecurityGroup', new DeleteSecurityGroupCommand({ GroupId: g.GroupId }), options);
  } catch (err) {
    // EC2 may still see the interface in the group for a moment: the group is kept (tagged) and reused by the next isolation.
    if (!/DependencyViolation/.test((err as Error).message)) throw err;
  }
}
