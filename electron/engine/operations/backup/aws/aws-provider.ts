/**
 * The backup provider for AWS EBS, on the real SDK. The client gets an
 * explicit credential chain (no IMDS unless the profile says so), the
 * profile's region and endpoint, a CA bundle when one is named, an SSH
 * tunnel when the laptop has no route, and patient retries: EC2 throttles
 * (RequestLimitExceeded) and has bad minutes (5xx), and a backup should ride
 * both out.
 */
import {
  AttachVolumeCommand,
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  GetConsoleOutputCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Instance,
  type Snapshot as Ec2Snapshot,
  type SnapshotInfo,
  type Tag,
  type Volume,
} from '@aws-sdk/client-ec2';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsKeys, AwsProfile } from '../../../../../shared/backup/profile';
import { TAG } from '../../../../../shared/backup/profile';
import { DrydockError } from '../../../../../shared/errors';
import type { BackupProvider, CallOptions, Disk, Machine, NetworkIsolation, Snapshot, SnapshotRequest, StatusChecks } from '../provider';
import { awsIsolateNetwork, awsIsolationLeft, awsNetworkIsolated, awsReleaseNetwork } from './isolate';
import { credentialChain, type Credentials } from './credentials';
import { caList, tunnelAgents, type Forwarder } from './tunnel';

export interface AwsProviderOptions {
  profile: Pick<AwsProfile, 'region' | 'endpoint' | 'caBundle' | 'awsProfile' | 'imds'>;
  keys?: AwsKeys;
  /** Set when the profile tunnels through an inventory host. */
  forward?: Forwarder;
  /** SDK attempts per call (throttling and 5xx are retried with backoff). */
  maxAttempts?: number;
}

// The SDK warns on every Node below 22 that future versions will need it;
// this pinned version runs on Node 20, and a cron job's log is no place for
// that notice. An admin who wants it back sets the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const tagsOf = (tags: Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
const toTags = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function percent(p: string | undefined): number {
  const n = Number.parseInt(p ?? '0', 10);
  return Number.isFinite(n) ? n : 0;
}

function snapshotView(s: Ec2Snapshot | SnapshotInfo, state: string | undefined): Snapshot {
  const tags = tagsOf(s.Tags);
  const st = state === 'completed' || state === 'error' ? state : 'pending';
  const message = 'StateMessage' in s ? s.StateMessage : undefined;
  return {
    id: s.SnapshotId ?? '',
    disk: s.VolumeId ?? '',
    ...(tags[TAG.device] ? { device: tags[TAG.device] } : {}),
    root: tags[TAG.root] === 'true',
    state: st,
    progress: st === 'completed' ? 100 : percent(s.Progress),
    sizeGiB: s.VolumeSize ?? 0,
    startedAt: (s.StartTime ?? new Date(0)).toISOString(),
    ...(message ? { message } : {}),
    tags,
  };
}

/** The SDK's error, as one line an admin can act on. */
function explain(action: string, err: unknown): DrydockError {
  if (err instanceof DrydockError) return err;
  const e = err as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const code = e.Code ?? e.name ?? 'Error';
  if (code === 'AbortError' || e.name === 'AbortError') return new DrydockError('CANCELLED', 'Cancelled by the admin');
  const attempts = e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` (after ${e.$metadata.attempts} attempts)` : '';
  const message = `EC2 ${action}: ${code}: ${e.message ?? 'no message'}${attempts}`;
  if (code === 'AuthFailure' || code === 'UnauthorizedOperation' || code === 'InvalidClientTokenId') return new DrydockError('AUTH_FAILED', message);
  if (/NotFound$/.test(code)) return new DrydockError('NOT_FOUND', message);
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|socket hang up/.test(message)) return new DrydockError('CONNECT_FAILED', message);
  return new DrydockError('COMMAND_FAILED', message);
}

export class AwsProvider implements BackupProvider {
  readonly kind = 'aws' as const;
  readonly capabilities = { pointInTimeAtCreate: true, multiDiskConsistent: true };
  readonly client: EC2Client;
  readonly credentials: Credentials;

  constructor(options: AwsProviderOptions) {
    const { profile } = options;
    this.credentials = credentialChain({ imds: profile.imds, ...(profile.awsProfile ? { awsProfile: profile.awsProfile } : {}), ...(options.keys ? { keys: options.keys } : {}) });
    const ca = caList(profile.caBundle);
    const agents = options.forward ? tunnelAgents(options.forward, ca) : ca ? { httpsAgent: new HttpsAgent({ keepAlive: true, ca }) } : {};
    this.client = new EC2Client({
      region: profile.region,
      ...(profile.endpoint ? { endpoint: profile.endpoint } : {}),
      credentials: this.credentials.provider,
      maxAttempts: options.maxAttempts ?? 10,
      // "auto" (from AWS_DEFAULTS_MODE or ~/.aws/config) would ask IMDS for the region: never implicitly.
      defaultsMode: 'legacy',
      retryMode: 'standard',
      requestHandler: { ...agents, connectionTimeout: 10_000, requestTimeout: 60_000 },
    });
  }

  private async send<T>(action: string, command: object, options?: CallOptions): Promise<T> {
    try {
      return (await this.client.send(command as never, options?.signal ? { abortSignal: options.signal } : {})) as T;
    } catch (err) {
      throw explain(action, err);
    }
  }

  async identity(options?: CallOptions): Promise<string> {
    await this.send('DescribeRegions', new DescribeRegionsCommand({}), options);
    return `credentials from ${this.credentials.source() ?? 'unknown source'}`;
  }

  private machineOf(i: Instance): Machine {
    const name = tagsOf(i.Tags).Name;
    return {
      id: i.InstanceId ?? '',
      ...(name ? { name } : {}),
      ...(i.PrivateIpAddress ? { privateAddress: i.PrivateIpAddress } : {}),
      ...(i.PublicIpAddress ? { publicAddress: i.PublicIpAddress } : {}),
      ...(i.Placement?.AvailabilityZone ? { zone: i.Placement.AvailabilityZone } : {}),
      state: i.State?.Name ?? 'unknown',
      running: i.State?.Name === 'running',
      rootDevice: i.RootDeviceName ?? '',
    };
  }

  async findMachine(ref: string, options?: CallOptions): Promise<Machine> {
    const live = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };
    const input = /^i-[0-9a-f]{8,17}$/.test(ref)
      ? { InstanceIds: [ref] }
      : /^\d{1,3}(\.\d{1,3}){3}$/.test(ref)
        ? { Filters: [{ Name: 'private-ip-address', Values: [ref] }, live] }
        : { Filters: [{ Name: 'tag:Name', Values: [ref] }, live] };
    const out = await this.send<{ Reservations?: { Instances?: Instance[] }[] }>('DescribeInstances', new DescribeInstancesCommand(input), options);
    const found = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    if (!found.length) throw new DrydockError('NOT_FOUND', `No EC2 instance ${ref} in this account and region`);
    if (found.length > 1) throw new DrydockError('CONFLICT', `${found.length} instances match ${ref} (${found.map((i) => i.InstanceId).join(', ')}): give the instance id`);
    const machine = this.machineOf(found[0]);
    if (!machine.rootDevice) throw new DrydockError('COMMAND_FAILED', `Instance ${machine.id} reports no RootDeviceName (instance-store root?): it cannot be backed up by EBS snapshots`);
    return machine;
  }

  async disks(machine: Machine, options?: CallOptions): Promise<Disk[]> {
    const out = await this.send<{ Volumes?: Volume[] }>('DescribeVolumes', new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [machine.id] }] }), options);
    return (out.Volumes ?? [])
      .map((v) => {
        const a = v.Attachments?.find((x) => x.InstanceId === machine.id);
        return { id: v.VolumeId ?? '', device: a?.Device ?? '', root: a?.Device === machine.rootDevice, sizeGiB: v.Size ?? 0, ...(v.AvailabilityZone ? { zone: v.AvailabilityZone } : {}), ...(a?.State ? { state: a.State } : {}), tags: tagsOf(v.Tags) };
      })
      .sort((a, b) => Number(b.root) - Number(a.root) || a.device.localeCompare(b.device));
  }

  /**
   * All the machine's disks: one CreateSnapshots (crash-consistent across
   * volumes); the root alone: CreateSnapshot. The request's tags go on at
   * creation; each snapshot's own (device, root) right after.
   */
  async createSnapshots(request: SnapshotRequest, options?: CallOptions): Promise<Snapshot[]> {
    const all = await this.disks(request.machine, options);
    const wanted = new Set(request.disks.map((d) => d.id));
    const TagSpecifications = [{ ResourceType: 'snapshot' as const, Tags: toTags(request.tags) }];
    let made: Snapshot[];
    if (all.every((d) => wanted.has(d.id))) {
      const out = await this.send<{ Snapshots?: SnapshotInfo[] }>(
        'CreateSnapshots',
        new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: request.machine.id, ExcludeBootVolume: false }, Description: request.description, TagSpecifications }),
        options,
      );
      made = (out.Snapshots ?? []).map((s) => snapshotView(s, s.State));
    } else {
      made = [];
      for (const d of request.disks) {
        const s = await this.send<Ec2Snapshot>('CreateSnapshot', new CreateSnapshotCommand({ VolumeId: d.id, Description: request.description, TagSpecifications }), options);
        made.push(snapshotView(s, s.State));
      }
    }
    await this.labelDisks(made, all, options);
    return made;
  }

  /** Tag each snapshot with its disk's device and whether it is the root (idempotent; a resumed run calls it again). */
  async labelDisks(snapshots: Snapshot[], disks: Disk[], options?: CallOptions): Promise<void> {
    for (const s of snapshots) {
      const d = disks.find((x) => x.id === s.disk);
      if (!d || (s.tags[TAG.device] === d.device && s.tags[TAG.root] === String(d.root))) continue;
      const tags = { [TAG.device]: d.device, [TAG.root]: String(d.root), [TAG.sourceDisk]: d.id };
      await this.send('CreateTags', new CreateTagsCommand({ Resources: [s.id], Tags: toTags(tags) }), options);
      Object.assign(s.tags, tags);
      s.device = d.device;
      s.root = d.root;
    }
  }

  async listSnapshots(filter: { tags?: Record<string, string>; ids?: string[] }, options?: CallOptions): Promise<Snapshot[]> {
    const Filters = Object.entries(filter.tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
    const out = await this.send<{ Snapshots?: Ec2Snapshot[] }>(
      'DescribeSnapshots',
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], ...(filter.ids ? { SnapshotIds: filter.ids } : {}), ...(Filters.length ? { Filters } : {}) }),
      options,
    );
    return (out.Snapshots ?? []).map((s) => snapshotView(s, s.State));
  }

  async deleteSnapshot(id: string, options?: CallOptions): Promise<void> {
    await this.send('DeleteSnapshot', new DeleteSnapshotCommand({ SnapshotId: id }), options);
  }

  private diskOf(v: Volume): Disk {
    const a = v.Attachments?.[0];
    return { id: v.VolumeId ?? '', device: a?.Device ?? '', root: false, sizeGiB: v.Size ?? 0, ...(v.AvailabilityZone ? { zone: v.AvailabilityZone } : {}), ...(v.State ? { state: v.State } : {}), tags: tagsOf(v.Tags) };
  }

  async createDiskFromSnapshot(snapshotId: string, zone: string, tags: Record<string, string>, options?: CallOptions): Promise<Disk> {
    const v = await this.send<Volume>(
      'CreateVolume',
      new CreateVolumeCommand({ SnapshotId: snapshotId, AvailabilityZone: zone, VolumeType: 'gp3', TagSpecifications: [{ ResourceType: 'volume', Tags: toTags(tags) }] }),
      options,
    );
    return this.diskOf(v);
  }

  async describeDisk(id: string, options?: CallOptions): Promise<Disk> {
    const out = await this.send<{ Volumes?: Volume[] }>('DescribeVolumes', new DescribeVolumesCommand({ VolumeIds: [id] }), options);
    const v = out.Volumes?.[0];
    if (!v) throw new DrydockError('NOT_FOUND', `No EBS volume ${id}`);
    return this.diskOf(v);
  }

  async stopMachine(machine: Machine, options?: CallOptions): Promise<void> {
    await this.send('StopInstances', new StopInstancesCommand({ InstanceIds: [machine.id] }), options);
  }

  async startMachine(machine: Machine, options?: CallOptions): Promise<void> {
    await this.send('StartInstances', new StartInstancesCommand({ InstanceIds: [machine.id] }), options);
  }

  async detachDisk(machine: Machine, disk: Disk, options?: CallOptions): Promise<void> {
    await this.send('DetachVolume', new DetachVolumeCommand({ VolumeId: disk.id, InstanceId: machine.id }), options);
  }

  async attachDisk(machine: Machine, disk: Disk, device: string, options?: CallOptions): Promise<void> {
    await this.send('AttachVolume', new AttachVolumeCommand({ VolumeId: disk.id, InstanceId: machine.id, Device: device }), options);
  }

  async copySnapshot(snapshotId: string, sourceRegion: string, tags: Record<string, string>, options?: CallOptions): Promise<Snapshot> {
    const out = await this.send<{ SnapshotId?: string }>(
      'CopySnapshot',
      new CopySnapshotCommand({ SourceSnapshotId: snapshotId, SourceRegion: sourceRegion, Description: `Drydock restore: copy of ${snapshotId} from ${sourceRegion}`, TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTags(tags) }] }),
      options,
    );
    if (!out.SnapshotId) throw new DrydockError('COMMAND_FAILED', `EC2 CopySnapshot of ${snapshotId} returned no snapshot id`);
    const [copy] = await this.listSnapshots({ ids: [out.SnapshotId] }, options);
    return copy;
  }

  async consoleOutput(machine: Machine, options?: CallOptions): Promise<string> {
    const out = await this.send<{ Output?: string }>('GetConsoleOutput', new GetConsoleOutputCommand({ InstanceId: machine.id, Latest: true }), options);
    return out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
  }

  /** DescribeInstanceStatus (all instances, so a stopped one answers `not-applicable` rather than nothing). */
  async statusChecks(machine: Machine, options?: CallOptions): Promise<StatusChecks> {
    const out = await this.send<{ InstanceStatuses?: { InstanceId?: string; SystemStatus?: { Status?: string }; InstanceStatus?: { Status?: string } }[] }>(
      'DescribeInstanceStatus',
      new DescribeInstanceStatusCommand({ InstanceIds: [machine.id], IncludeAllInstances: true }),
      options,
    );
    const s = out.InstanceStatuses?.find((x) => x.InstanceId === machine.id);
    return { system: s?.SystemStatus?.Status ?? 'not-applicable', instance: s?.InstanceStatus?.Status ?? 'not-applicable' };
  }

  async tagDisk(id: string, tags: Record<string, string>, options?: CallOptions): Promise<void> {
    await this.send('CreateTags', new CreateTagsCommand({ Resources: [id], Tags: toTags(tags) }), options);
  }

  async findDisks(tags: Record<string, string>, options?: CallOptions): Promise<Disk[]> {
    const Filters = Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
    const out = await this.send<{ Volumes?: Volume[] }>('DescribeVolumes', new DescribeVolumesCommand({ Filters }), options);
    return (out.Volumes ?? []).map((v) => this.diskOf(v));
  }

  // A spare cut off by a security group of its own (isolate.ts).
  isolateNetwork(machine: Machine, options?: CallOptions): Promise<NetworkIsolation> {
    return awsIsolateNetwork((a, c, o) => this.send(a, c, o), machine, options);
  }

  releaseNetwork(machine: Machine, isolation: NetworkIsolation, options?: CallOptions): Promise<void> {
    return awsReleaseNetwork((a, c, o) => this.send(a, c, o), machine, isolation, options);
  }

  networkIsolated(machine: Machine, options?: CallOptions): Promise<boolean> {
    return awsNetworkIsolated((a, c, o) => this.send(a, c, o), machine, options);
  }

  isolationLeft(machine: Machine, options?: CallOptions): Promise<boolean> {
    return awsIsolationLeft((a, c, o) => this.send(a, c, o), machine, options);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
