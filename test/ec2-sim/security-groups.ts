/**
 * Security groups in the EC2 simulator, with EC2's names, fields and error
 * codes: enough for Drydock to cut a spare off (a group with no egress and
 * only SSH in, swapped onto the instance) and to put its groups back, and
 * for `aws ec2 describe-security-groups` to read the result.
 */
import type { SimRule, SimSecurityGroup, World } from './model';
import { applyFilters, Ec2Error, filters, list, required, tagField, tagSet, tagSpecs, type Params, type XmlValue } from './query';

type Action = (p: Params, ctx: { world: World }) => Record<string, XmlValue>;

function groupOr404(world: World, id: string): SimSecurityGroup {
  const g = world.securityGroup(id);
  if (!g) throw new Ec2Error(400, 'InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return g;
}

/** `IpPermissions.N.*` as the SDK and the CLI send them. */
function permissions(p: Params): SimRule[] {
  const out: SimRule[] = [];
  for (let n = 1; p.has(`IpPermissions.${n}.IpProtocol`); n++) {
    const k = `IpPermissions.${n}`;
    const protocol = p.get(`${k}.IpProtocol`)!.toLowerCase();
    const port = (name: string) => (p.has(`${k}.${name}`) ? Number(p.get(`${k}.${name}`)) : undefined);
    const all = protocol === '-1' || protocol === 'all';
    const rule: SimRule = {
      protocol: all ? '-1' : protocol === '6' ? 'tcp' : protocol,
      ...(all ? {} : { fromPort: port('FromPort'), toPort: port('ToPort') }),
      cidrs: indexed(p, `${k}.IpRanges`, 'CidrIp'),
      ipv6Cidrs: indexed(p, `${k}.Ipv6Ranges`, 'CidrIpv6'),
      groups: indexed(p, `${k}.Groups`, 'GroupId'),
    };
    if (!rule.cidrs.length && !rule.ipv6Cidrs.length && !rule.groups.length) throw new Ec2Error(400, 'InvalidParameterValue', 'The request must contain the parameter ipPermissions source or destination');
    out.push(rule);
  }
  if (!out.length) throw new Ec2Error(400, 'MissingParameter', 'The request must contain the parameter ipPermissions');
  return out;
}

function indexed(p: Params, prefix: string, field: string): string[] {
  const out: string[] = [];
  for (let i = 1; p.has(`${prefix}.${i}.${field}`); i++) out.push(p.get(`${prefix}.${i}.${field}`)!);
  return out;
}

const sameRule = (a: SimRule, b: SimRule) => a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort;

/** Add each source of `add` to the matching rule (EC2 keeps one permission per protocol and port range). */
function authorize(rules: SimRule[], add: SimRule[]): void {
  for (const r of add) {
    const have = rules.find((x) => sameRule(x, r));
    if (!have) {
      rules.push({ ...r, cidrs: [...r.cidrs], ipv6Cidrs: [...r.ipv6Cidrs], groups: [...r.groups] });
      continue;
    }
    const dup = r.cidrs.find((c) => have.cidrs.includes(c)) ?? r.ipv6Cidrs.find((c) => have.ipv6Cidrs.includes(c)) ?? r.groups.find((g) => have.groups.includes(g));
    if (dup) throw new Ec2Error(400, 'InvalidPermission.Duplicate', `the specified rule "peer: ${dup}, ${r.protocol.toUpperCase()}, from port: ${r.fromPort ?? -1}, to port: ${r.toPort ?? -1}, ALLOW" already exists`);
    have.cidrs.push(...r.cidrs);
    have.ipv6Cidrs.push(...r.ipv6Cidrs);
    have.groups.push(...r.groups);
  }
}

function revoke(rules: SimRule[], remove: SimRule[]): SimRule[] {
  let left = rules.map((r) => ({ ...r }));
  for (const r of remove) {
    const have = left.find((x) => sameRule(x, r));
    const missing = !have || r.cidrs.some((c) => !have.cidrs.includes(c)) || r.ipv6Cidrs.some((c) => !have.ipv6Cidrs.includes(c)) || r.groups.some((g) => !have.groups.includes(g));
    if (missing) throw new Ec2Error(400, 'InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    have.cidrs = have.cidrs.filter((c) => !r.cidrs.includes(c));
    have.ipv6Cidrs = have.ipv6Cidrs.filter((c) => !r.ipv6Cidrs.includes(c));
    have.groups = have.groups.filter((g) => !r.groups.includes(g));
    left = left.filter((x) => x.cidrs.length || x.ipv6Cidrs.length || x.groups.length);
  }
  return left;
}

function ruleXml(world: World, r: SimRule): XmlValue {
  return {
    ipProtocol: r.protocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    groups: r.groups.map((g) => ({ userId: world.state.accountId, groupId: g })),
    ipRanges: r.cidrs.map((c) => ({ cidrIp: c })),
    ipv6Ranges: r.ipv6Cidrs.map((c) => ({ cidrIpv6: c })),
    prefixListIds: [],
  };
}

function groupXml(world: World, g: SimSecurityGroup): XmlValue {
  return {
    ownerId: world.state.accountId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    ipPermissions: g.ingress.map((r) => ruleXml(world, r)),
    ipPermissionsEgress: g.egress.map((r) => ruleXml(world, r)),
    tagSet: tagSet(g.tags),
  };
}

/** The instance's groups as DescribeInstances shows them (instance and primary network interface). */
export function instanceGroupsXml(world: World, ids: string[]): XmlValue {
  return ids.map((id) => ({ groupId: id, groupName: world.securityGroup(id)?.name ?? id }));
}

const groupByParam = (p: Params, world: World): SimSecurityGroup => {
  const id = p.get('GroupId');
  if (id) return groupOr404(world, id);
  const name = required(p, 'GroupName');
  const g = world.state.securityGroups?.find((x) => x.name === name);
  if (!g) throw new Ec2Error(400, 'InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC`);
  return g;
};

export const SECURITY_GROUP_ACTIONS: Record<string, Action> = {
  DescribeSecurityGroups: (p, { world }) => {
    const ids = list(p, 'GroupId');
    ids.forEach((id) => groupOr404(world, id));
    const names = list(p, 'GroupName');
    const all = world.state.securityGroups ?? [];
    const chosen = all.filter((g) => (!ids.length || ids.includes(g.id)) && (!names.length || names.includes(g.name)));
    const found = applyFilters(chosen, filters(p), (g, name) => {
      switch (name) {
        case 'group-id': return [g.id];
        case 'group-name': return [g.name];
        case 'vpc-id': return [g.vpcId];
        case 'description': return [g.description];
        case 'owner-id': return [world.state.accountId];
        default: return tagField(g.tags, name);
      }
    });
    return { securityGroupInfo: found.map((g) => groupXml(world, g)) };
  },

  /** As in a VPC: a new group allows all egress and no ingress. */
  CreateSecurityGroup: (p, { world }) => {
    const name = required(p, 'GroupName');
    const description = required(p, 'GroupDescription');
    const vpcId = p.get('VpcId') ?? world.state.vpcId!;
    if (vpcId !== world.state.vpcId) throw new Ec2Error(400, 'InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    if (world.state.securityGroups!.some((g) => g.vpcId === vpcId && g.name === name)) throw new Ec2Error(400, 'InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    const g: SimSecurityGroup = { id: world.newId('sg'), name, description, vpcId, ingress: [], egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groups: [] }], tags: tagSpecs(p, 'security-group') };
    world.state.securityGroups!.push(g);
    return { return: true, groupId: g.id, tagSet: tagSet(g.tags) };
  },

  AuthorizeSecurityGroupIngress: (p, { world }) => {
    const g = groupByParam(p, world);
    authorize(g.ingress, permissions(p));
    return { return: true };
  },

  AuthorizeSecurityGroupEgress: (p, { world }) => {
    const g = groupOr404(world, required(p, 'GroupId'));
    authorize(g.egress, permissions(p));
    return { return: true };
  },

  RevokeSecurityGroupIngress: (p, { world }) => {
    const g = groupByParam(p, world);
    g.ingress = revoke(g.ingress, permissions(p));
    return { return: true };
  },

  RevokeSecurityGroupEgress: (p, { world }) => {
    const g = groupOr404(world, required(p, 'GroupId'));
    g.egress = revoke(g.egress, permissions(p));
    return { return: true };
  },

  DeleteSecurityGroup: (p, { world }) => {
    const g = groupByParam(p, world);
    if (g.name === 'default') throw new Ec2Error(400, 'CannotDelete', `the specified group: "${g.id}" name: "default" cannot be deleted by a user`);
    const user = world.state.instances.find((i) => i.groups?.includes(g.id));
    if (user) throw new Ec2Error(400, 'DependencyViolation', `resource ${g.id} has a dependent object (${user.id})`);
    world.state.securityGroups = world.state.securityGroups!.filter((x) => x !== g);
    return { return: true };
  },

  /** Only the groups attribute (GroupId.N), which replaces the primary interface's groups. */
  ModifyInstanceAttribute: (p, { world }) => {
    const i = world.instance(required(p, 'InstanceId'));
    if (!i) throw new Ec2Error(400, 'InvalidInstanceID.NotFound', `The instance ID '${p.get('InstanceId')}' does not exist`);
    const groups = list(p, 'GroupId');
    if (!groups.length) throw new Ec2Error(400, 'InvalidParameterCombination', 'The simulator models only the groups attribute (GroupId.N)');
    for (const id of groups) {
      const g = groupOr404(world, id);
      if (g.vpcId !== i.vpcId) throw new Ec2Error(400, 'InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${i.vpcId}'`);
    }
    i.groups = [...new Set(groups)];
    return { return: true };
  },
};

export const SECURITY_GROUP_MUTATING = ['CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'DeleteSecurityGroup', 'ModifyInstanceAttribute'];
