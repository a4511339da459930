/**
 * The EC2 actions the simulator answers, with EC2's names, fields, states
 * and error codes (shapes from botocore's ec2/2016-11-15 model). Enough for
 * a backup (find the instance and its volumes, snapshot, follow, list, tag,
 * delete) and for a restore (volume from snapshot, stop/start, detach/attach).
 */
import { TIMINGS, type SimInstance, type SimSnapshot, type SimVolume, type Tag, type World } from './model';
import { instanceGroupsXml, SECURITY_GROUP_ACTIONS, SECURITY_GROUP_MUTATING } from './security-groups';
import { applyFilters, Ec2Error, filters, iso, list, required, tagField, tags, tagSet, tagSpecs, type Params, type XmlValue } from './query';

export interface ActionContext {
  world: World;
  /** Set by the simulator's fault injection: the next snapshot created ends in `error` with this message. */
  takeSnapshotFault(): string | undefined;
  /** Set by fault injection: the next volume created stays `creating` for ever. */
  takeVolumeFault(): boolean;
}

type Action = (p: Params, ctx: ActionContext) => Record<string, XmlValue>;

const STATE_CODES: Record<string, number> = { pending: 0, running: 16, stopping: 64, stopped: 80 };

function instanceOr404(world: World, id: string): SimInstance {
  const i = world.instance(id);
  if (!i) throw new Ec2Error(400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return i;
}

function volumeOr404(world: World, id: string): SimVolume {
  const v = world.volume(id);
  if (!v) throw new Ec2Error(400, 'InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
  return v;
}

function snapshotOr404(world: World, id: string): SimSnapshot {
  const s = world.snapshot(id);
  if (!s) throw new Ec2Error(400, 'InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
  return s;
}

function instanceXml(world: World, i: SimInstance): XmlValue {
  return {
    instanceId: i.id,
    imageId: 'ami-0c0ffee0c0ffee000',
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    privateIpAddress: i.privateIp,
    ipAddress: i.state === 'running' ? i.publicIp : undefined,
    instanceType: 'm5.2xlarge',
    placement: { availabilityZone: i.az, tenancy: 'default' },
    rootDeviceType: 'ebs',
    rootDeviceName: i.rootDeviceName,
    blockDeviceMapping: world.volumesOf(i.id).map((v) => ({
      deviceName: v.attachment!.device,
      ebs: { volumeId: v.id, status: v.attachment!.state, attachTime: iso(v.attachment!.since), deleteOnTermination: v.attachment!.deleteOnTermination },
    })),
    tagSet: tagSet(i.tags),
    vpcId: i.vpcId,
    subnetId: i.subnetId,
    groupSet: instanceGroupsXml(world, i.groups ?? []),
    // One interface, the primary: the instance's groups are its groups (ModifyInstanceAttribute changes them).
    networkInterfaceSet: i.vpcId
      ? [{ networkInterfaceId: `eni-${i.id.slice(2)}`, subnetId: i.subnetId, vpcId: i.vpcId, privateIpAddress: i.privateIp, status: 'in-use', attachment: { attachmentId: `eni-attach-${i.id.slice(2)}`, deviceIndex: 0, status: 'attached' }, groupSet: instanceGroupsXml(world, i.groups ?? []) }]
      : undefined,
  };
}

function volumeXml(v: SimVolume): XmlValue {
  return {
    volumeId: v.id,
    size: v.size,
    snapshotId: v.snapshotId ?? '',
    availabilityZone: v.az,
    status: v.state,
    createTime: iso(v.created),
    attachmentSet: v.attachment
      ? [{ volumeId: v.id, instanceId: v.attachment.instanceId, device: v.attachment.device, status: v.attachment.state, attachTime: iso(v.attachment.since), deleteOnTermination: v.attachment.deleteOnTermination }]
      : [],
    volumeType: 'gp3',
    encrypted: false,
    tagSet: tagSet(v.tags),
  };
}

function snapshotXml(world: World, s: SimSnapshot, stateField: 'status' | 'state'): XmlValue {
  return {
    snapshotId: s.id,
    volumeId: s.volumeId,
    [stateField]: s.state,
    statusMessage: stateField === 'status' ? s.statusMessage : undefined,
    startTime: iso(s.started),
    progress: `${world.snapshotProgress(s)}%`,
    ownerId: world.state.accountId,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: false,
    storageTier: stateField === 'status' ? 'standard' : undefined,
    tagSet: tagSet(s.tags),
  };
}

function takeSnapshot(ctx: ActionContext, v: SimVolume, description: string, tagList: Tag[]): SimSnapshot {
  const fault = ctx.takeSnapshotFault();
  const s: SimSnapshot = {
    id: ctx.world.newId('snap'),
    volumeId: v.id,
    volumeSize: v.size,
    state: 'pending',
    started: Date.now(),
    durationMs: TIMINGS.snapshotBaseMs + TIMINGS.snapshotPerGiBMs * v.size,
    description,
    tags: tagList.map((t) => ({ ...t })),
    ...(fault ? { failWith: fault } : {}),
  };
  ctx.world.state.snapshots.push(s);
  return s;
}

function setTags(target: Tag[], add: Tag[]): void {
  for (const t of add) {
    const existing = target.find((x) => x.Key === t.Key);
    if (existing) existing.Value = t.Value;
    else target.push({ ...t });
  }
}

function taggable(world: World, id: string): { tags: Tag[] } {
  const r = world.instance(id) ?? world.volume(id) ?? world.snapshot(id) ?? world.securityGroup(id);
  if (!r) throw new Ec2Error(400, id.startsWith('snap-') ? 'InvalidSnapshot.NotFound' : id.startsWith('vol-') ? 'InvalidVolume.NotFound' : id.startsWith('sg-') ? 'InvalidGroup.NotFound' : 'InvalidID', `The ID '${id}' does not exist`);
  return r;
}

function stateChange(i: SimInstance, previous: string): XmlValue {
  return { instanceId: i.id, currentState: { code: STATE_CODES[i.state], name: i.state }, previousState: { code: STATE_CODES[previous], name: previous } };
}

export const ACTIONS: Record<string, Action> = {
  DescribeRegions: (_p, { world }) => ({ regionInfo: [{ regionName: world.state.region, regionEndpoint: `ec2.${world.state.region}.amazonaws.com`, optInStatus: 'opt-in-not-required' }] }),

  DescribeInstances: (p, { world }) => {
    const ids = list(p, 'InstanceId');
    ids.forEach((id) => instanceOr404(world, id));
    const chosen = ids.length ? world.state.instances.filter((i) => ids.includes(i.id)) : world.state.instances;
    const found = applyFilters(chosen, filters(p), (i, name) => {
      switch (name) {
        case 'instance-id': return [i.id];
        case 'private-ip-address': return [i.privateIp];
        case 'ip-address': return i.publicIp && i.state === 'running' ? [i.publicIp] : [];
        case 'instance-state-name': return [i.state];
        case 'availability-zone': return [i.az];
        case 'vpc-id': return i.vpcId ? [i.vpcId] : [];
        case 'instance.group-id': return i.groups ?? [];
        default: return tagField(i.tags, name);
      }
    });
    return { reservationSet: found.map((i) => ({ reservationId: `r-${i.id.slice(2)}`, ownerId: world.state.accountId, groupSet: [], instancesSet: [instanceXml(world, i)] })) };
  },

  /** Status checks as EC2 reports them (instanceStatusSet), running instances only unless IncludeAllInstances. */
  DescribeInstanceStatus: (p, { world }) => {
    const ids = list(p, 'InstanceId');
    ids.forEach((id) => instanceOr404(world, id));
    const all = p.get('IncludeAllInstances') === 'true';
    const chosen = (ids.length ? world.state.instances.filter((i) => ids.includes(i.id)) : world.state.instances).filter((i) => all || i.state === 'running');
    const summary = (status: string, since: number) => ({
      status,
      details: status === 'not-applicable' ? [] : [{ name: 'reachability', status: status === 'ok' ? 'passed' : status === 'impaired' ? 'failed' : 'initializing', ...(status === 'impaired' ? { impairedSince: iso(since) } : {}) }],
    });
    return {
      instanceStatusSet: chosen.map((i) => {
        const checks = world.statusChecks(i);
        return {
          instanceId: i.id,
          availabilityZone: i.az,
          instanceState: { code: STATE_CODES[i.state], name: i.state },
          systemStatus: summary(checks?.system ?? 'not-applicable', i.since),
          instanceStatus: summary(checks?.instance ?? 'not-applicable', i.since),
        };
      }),
    };
  },

  DescribeVolumes: (p, { world }) => {
    const ids = list(p, 'VolumeId');
    ids.forEach((id) => volumeOr404(world, id));
    const chosen = ids.length ? world.state.volumes.filter((v) => ids.includes(v.id)) : world.state.volumes;
    const found = applyFilters(chosen, filters(p), (v, name) => {
      switch (name) {
        case 'volume-id': return [v.id];
        case 'status': return [v.state];
        case 'snapshot-id': return v.snapshotId ? [v.snapshotId] : [];
        case 'availability-zone': return [v.az];
        case 'attachment.instance-id': return v.attachment ? [v.attachment.instanceId] : [];
        case 'attachment.device': return v.attachment ? [v.attachment.device] : [];
        default: return tagField(v.tags, name);
      }
    });
    return { volumeSet: found.map(volumeXml) };
  },

  DescribeSnapshots: (p, { world }) => {
    const owners = list(p, 'Owner');
    if (owners.some((o) => o !== 'self' && o !== world.state.accountId)) return { snapshotSet: [] };
    const ids = list(p, 'SnapshotId');
    ids.forEach((id) => snapshotOr404(world, id));
    const chosen = ids.length ? world.state.snapshots.filter((s) => ids.includes(s.id)) : world.state.snapshots;
    const found = applyFilters(chosen, filters(p), (s, name) => {
      switch (name) {
        case 'snapshot-id': return [s.id];
        case 'volume-id': return [s.volumeId];
        case 'status': return [s.state];
        case 'owner-id': return [world.state.accountId];
        case 'description': return [s.description];
        default: return tagField(s.tags, name);
      }
    });
    return { snapshotSet: found.map((s) => snapshotXml(world, s, 'status')) };
  },

  CreateSnapshot: (p, ctx) => {
    const v = volumeOr404(ctx.world, required(p, 'VolumeId'));
    const s = takeSnapshot(ctx, v, p.get('Description') ?? '', tagSpecs(p, 'snapshot'));
    const x = snapshotXml(ctx.world, s, 'status') as Record<string, XmlValue>;
    return x;
  },

  CreateSnapshots: (p, ctx) => {
    const i = instanceOr404(ctx.world, required(p, 'InstanceSpecification.InstanceId'));
    const excludeBoot = p.get('InstanceSpecification.ExcludeBootVolume') === 'true';
    const excluded = list(p, 'InstanceSpecification.ExcludeDataVolumeId');
    const copy = p.get('CopyTagsFromSource') === 'volume';
    const specTags = tagSpecs(p, 'snapshot');
    const volumes = ctx.world
      .volumesOf(i.id)
      .filter((v) => !(excludeBoot && v.attachment!.device === i.rootDeviceName) && !excluded.includes(v.id));
    const made = volumes.map((v) => {
      const t: Tag[] = copy ? v.tags.map((x) => ({ ...x })) : [];
      setTags(t, specTags);
      return takeSnapshot(ctx, v, p.get('Description') ?? '', t);
    });
    return { snapshotSet: made.map((s) => snapshotXml(ctx.world, s, 'state')) };
  },

  DeleteSnapshot: (p, { world }) => {
    const s = snapshotOr404(world, required(p, 'SnapshotId'));
    world.state.snapshots = world.state.snapshots.filter((x) => x !== s);
    return { return: true };
  },

  CreateTags: (p, { world }) => {
    const t = tags(p, 'Tag');
    for (const id of list(p, 'ResourceId')) setTags(taggable(world, id).tags, t);
    return { return: true };
  },

  DeleteTags: (p, { world }) => {
    const t = tags(p, 'Tag');
    for (const id of list(p, 'ResourceId')) {
      const r = taggable(world, id);
      r.tags = r.tags.filter((x) => !t.some((d) => d.Key === x.Key && (!d.Value || d.Value === x.Value)));
    }
    return { return: true };
  },

  /** Cross-region copy as EC2 does it: a new snapshot in this region, pending until copied, its volume id vol-ffffffff. */
  CopySnapshot: (p, ctx) => {
    const sourceRegion = required(p, 'SourceRegion');
    const source = snapshotOr404(ctx.world, required(p, 'SourceSnapshotId'));
    if (source.state !== 'completed') throw new Ec2Error(400, 'IncorrectState', `Snapshot '${source.id}' is not 'completed'.`);
    const s: SimSnapshot = {
      id: ctx.world.newId('snap'),
      volumeId: 'vol-ffffffff',
      volumeSize: source.volumeSize,
      state: 'pending',
      started: Date.now(),
      durationMs: TIMINGS.snapshotBaseMs + TIMINGS.snapshotPerGiBMs * source.volumeSize,
      description: p.get('Description') ?? `Copied for DestinationAmi from ${source.id} (${sourceRegion})`,
      tags: tagSpecs(p, 'snapshot'),
    };
    ctx.world.state.snapshots.push(s);
    return { snapshotId: s.id, tagSet: tagSet(s.tags) };
  },

  /** The instance's console: cloud-init's log as the test set it (base64, as EC2 returns it). */
  GetConsoleOutput: (p, { world }) => {
    const i = instanceOr404(world, required(p, 'InstanceId'));
    const text = i.consoleOutput ?? '';
    return { instanceId: i.id, timestamp: iso(Date.now()), output: Buffer.from(text, 'utf8').toString('base64') };
  },

  CreateVolume: (p, { world, takeVolumeFault }) => {
    const az = required(p, 'AvailabilityZone');
    const snapId = p.get('SnapshotId');
    const snap = snapId ? snapshotOr404(world, snapId) : undefined;
    if (snap && snap.state !== 'completed') throw new Ec2Error(400, 'IncorrectState', `Snapshot '${snap.id}' is not 'completed'.`);
    const size = Number(p.get('Size') ?? snap?.volumeSize ?? 0);
    if (!size) throw new Ec2Error(400, 'MissingParameter', 'The request must contain the parameter size or snapshotId');
    const v: SimVolume = { id: world.newId('vol'), size, az, state: 'creating', created: Date.now(), tags: tagSpecs(p, 'volume'), ...(snap ? { snapshotId: snap.id } : {}), ...(takeVolumeFault() ? { stuck: true } : {}) };
    world.state.volumes.push(v);
    const x = volumeXml(v) as Record<string, XmlValue>;
    delete x.attachmentSet;
    return x;
  },

  AttachVolume: (p, { world }) => {
    const v = volumeOr404(world, required(p, 'VolumeId'));
    const i = instanceOr404(world, required(p, 'InstanceId'));
    const device = required(p, 'Device');
    if (v.state !== 'available') throw new Ec2Error(400, 'IncorrectState', `vol '${v.id}' is not 'available'.`);
    if (v.az !== i.az) throw new Ec2Error(400, 'InvalidVolume.ZoneMismatch', `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`);
    if (world.volumesOf(i.id).some((x) => x.attachment!.device === device)) throw new Ec2Error(400, 'InvalidParameterValue', `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    const since = Date.now();
    v.state = 'in-use';
    v.attachment = { instanceId: i.id, device, state: 'attaching', since, deleteOnTermination: false };
    return { volumeId: v.id, instanceId: i.id, device, status: 'attaching', attachTime: iso(since) };
  },

  DetachVolume: (p, { world }) => {
    const v = volumeOr404(world, required(p, 'VolumeId'));
    const a = v.attachment;
    if (!a) throw new Ec2Error(400, 'IncorrectState', `Volume '${v.id}' is in the 'available' state.`);
    const i = instanceOr404(world, a.instanceId);
    if (a.device === i.rootDeviceName && i.state !== 'stopped') throw new Ec2Error(400, 'IncorrectState', `Unable to detach root volume '${v.id}' from instance '${i.id}'`);
    a.state = 'detaching';
    a.since = Date.now();
    return { volumeId: v.id, instanceId: i.id, device: a.device, status: 'detaching', attachTime: iso(a.since) };
  },

  StopInstances: (p, { world }) => ({
    instancesSet: list(p, 'InstanceId').map((id) => {
      const i = instanceOr404(world, id);
      const previous = i.state;
      if (i.state === 'running' || i.state === 'pending') Object.assign(i, { state: 'stopping', since: Date.now() });
      return stateChange(i, previous);
    }),
  }),

  StartInstances: (p, { world }) => ({
    instancesSet: list(p, 'InstanceId').map((id) => {
      const i = instanceOr404(world, id);
      const previous = i.state;
      if (i.state === 'stopping') throw new Ec2Error(400, 'IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`);
      if (!world.volumesOf(i.id).some((v) => v.attachment!.device === i.rootDeviceName && v.attachment!.state === 'attached')) {
        throw new Ec2Error(400, 'IncorrectInstanceState', `The instance '${id}' does not have a volume attached at root (${i.rootDeviceName})`);
      }
      if (i.state === 'stopped') {
        Object.assign(i, { state: 'pending', since: Date.now() });
        // What it booted with: a test reads which groups were on the spare when its restored disk came up.
        (i.boots ??= []).push({ at: i.since, rootVolumeId: world.rootVolumeOf(i)!.id, groups: [...(i.groups ?? [])] });
      }
      return stateChange(i, previous);
    }),
  }),

  ...SECURITY_GROUP_ACTIONS,
};

/** Actions that change the world (the state file is saved after them). */
export const MUTATING = new Set(['CopySnapshot', 'CreateSnapshot', 'CreateSnapshots', 'DeleteSnapshot', 'CreateTags', 'DeleteTags', 'CreateVolume', 'AttachVolume', 'DetachVolume', 'StopInstances', 'StartInstances', ...SECURITY_GROUP_MUTATING]);
