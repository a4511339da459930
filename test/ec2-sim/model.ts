/**
 * The EC2 simulator's world: instances with a root and a data volume,
 * volumes, snapshots and tags, in one account and one region. Transitions
 * (a snapshot going pending → completed, a volume creating → available, an
 * instance stopping → stopped) are computed from the clock, divided by
 * `speed`, so a test can compress minutes into milliseconds. Every change is
 * written back to the state file when there is one, so a simulator started
 * again from it continues where the last one stopped.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Tag {
  Key: string;
  Value: string;
}

export interface InstanceSpec {
  name: string;
  privateIp: string;
  rootGiB?: number;
  dataGiB?: number;
  az?: string;
}

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped';

export interface SimInstance {
  id: string;
  privateIp: string;
  publicIp?: string;
  az: string;
  rootDeviceName: string;
  state: InstanceStateName;
  /** When the current transition began (ms since epoch). */
  since: number;
  tags: Tag[];
  /** The root volume the instance last booted from: a start with another one is a "re-image" (Ec2Simulator.onBoot). */
  bootedRoot?: string;
  /** What GetConsoleOutput answers (cloud-init's boot log); set by a test with Ec2Simulator.setConsoleOutput. */
  consoleOutput?: string;
  vpcId?: string;
  subnetId?: string;
  /** The security groups of the instance's primary network interface (the only one the simulator models). */
  groups?: string[];
  /** Each start from stopped: the root it booted and the groups it had at that moment (what a test asserts the spare BOOTED with). */
  boots?: { at: number; rootVolumeId: string; groups: string[] }[];
  /** Set by a test (Ec2Simulator.impairStatus): DescribeInstanceStatus answers `impaired` for this check once it has run, or stays `initializing`. */
  impaired?: 'system' | 'instance' | 'initializing';
}

/** A security group rule as EC2 lists it (IpPermission); protocol '-1' is every protocol, ports absent then. */
export interface SimRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  ipv6Cidrs: string[];
  /** Source (ingress) or destination (egress) security group ids. */
  groups: string[];
}

export interface SimSecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: SimRule[];
  egress: SimRule[];
  tags: Tag[];
}

export interface SimAttachment {
  instanceId: string;
  device: string;
  state: 'attaching' | 'attached' | 'detaching';
  since: number;
  deleteOnTermination: boolean;
}

export interface SimVolume {
  id: string;
  size: number;
  az: string;
  state: 'creating' | 'available' | 'in-use';
  created: number;
  snapshotId?: string;
  attachment?: SimAttachment;
  tags: Tag[];
  /** Fault: the volume never leaves `creating`. */
  stuck?: boolean;
}

export interface SimSnapshot {
  id: string;
  volumeId: string;
  volumeSize: number;
  state: 'pending' | 'completed' | 'error';
  started: number;
  /** Time to complete at speed 1. */
  durationMs: number;
  description: string;
  tags: Tag[];
  /** Set when the snapshot is doomed: it stops at half way with this message. */
  failWith?: string;
  statusMessage?: string;
}

export interface SimState {
  accountId: string;
  region: string;
  /** Counter for new ids, so ids stay unique across restarts from the state file. */
  serial: number;
  instances: SimInstance[];
  volumes: SimVolume[];
  snapshots: SimSnapshot[];
  /** Absent in state files written before the simulator had networks: seeded on load. */
  vpcId?: string;
  securityGroups?: SimSecurityGroup[];
}

/** Times at speed 1, roughly what EC2 takes for small volumes. */
export const TIMINGS = {
  snapshotBaseMs: 20_000,
  snapshotPerGiBMs: 1_000,
  volumeCreateMs: 5_000,
  attachMs: 3_000,
  instanceStopMs: 15_000,
  instanceStartMs: 10_000,
  /** After `running`, EC2's reachability checks say `initializing` for a while (minutes on real EC2). */
  statusChecksMs: 30_000,
};

export const DEFAULT_INSTANCES: InstanceSpec[] = [
  { name: 'services', privateIp: '10.0.1.10', rootGiB: 8, dataGiB: 20 },
  { name: 'spare', privateIp: '10.0.1.11', rootGiB: 8, dataGiB: 20 },
];

export class World {
  constructor(
    public state: SimState,
    public speed: number,
    private readonly file?: string,
  ) {
    this.seedNetwork();
  }

  /**
   * One VPC with its `default` group (open to itself, all egress, as EC2
   * makes it), and for each instance its own group: SSH from anywhere, the
   * CircleCI ports, all egress. Instances are in both, as an install is.
   */
  private seedNetwork(): void {
    const s = this.state;
    if (s.securityGroups) return;
    s.vpcId = this.newId('vpc');
    const allOut: SimRule = { protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groups: [] };
    const def: SimSecurityGroup = { id: this.newId('sg'), name: 'default', description: 'default VPC security group', vpcId: s.vpcId, ingress: [], egress: [{ ...allOut }], tags: [] };
    def.ingress.push({ protocol: '-1', cidrs: [], ipv6Cidrs: [], groups: [def.id] });
    s.securityGroups = [def];
    for (const i of s.instances) {
      const name = this.nameOf(i.tags) ?? i.id;
      const tcp = (port: number, cidr = '0.0.0.0/0'): SimRule => ({ protocol: 'tcp', fromPort: port, toPort: port, cidrs: [cidr], ipv6Cidrs: [], groups: [] });
      const own: SimSecurityGroup = { id: this.newId('sg'), name: `circleci-${name}`, description: `CircleCI ${name}`, vpcId: s.vpcId, ingress: [tcp(22), tcp(80), tcp(443), tcp(8800, '10.0.0.0/8')], egress: [{ ...allOut }], tags: [{ Key: 'Name', Value: `circleci-${name}` }] };
      s.securityGroups.push(own);
      i.vpcId = s.vpcId;
      i.subnetId ??= `subnet-${s.vpcId.slice(4)}`;
      i.groups = [def.id, own.id];
    }
  }

  securityGroup(id: string): SimSecurityGroup | undefined {
    return this.state.securityGroups?.find((g) => g.id === id);
  }

  static create(region: string, specs: InstanceSpec[], speed: number, file?: string): World {
    const world = new World({ accountId: '123456789012', region, serial: 1, instances: [], volumes: [], snapshots: [], securityGroups: [] }, speed, file);
    specs.forEach((spec, i) => world.addInstance(spec, i));
    delete world.state.securityGroups;
    world.seedNetwork();
    world.save();
    return world;
  }

  /** A state file holding a full state is resumed; one holding `{instances:[specs]}` (or a bare list) seeds a new world. */
  static load(file: string, region: string, speed: number): World {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<SimState> | InstanceSpec[] | { instances: InstanceSpec[] };
    const full = !Array.isArray(raw) && 'volumes' in raw && Array.isArray(raw.volumes);
    if (full) return new World(raw as SimState, speed, file);
    const specs = Array.isArray(raw) ? raw : (raw as { instances: InstanceSpec[] }).instances;
    if (!Array.isArray(specs) || !specs.every((s) => typeof s?.name === 'string' && typeof s?.privateIp === 'string')) {
      throw new Error(`${file}: expected {"instances":[{"name","privateIp","rootGiB"?,"dataGiB"?,"az"?}]} or a saved simulator state`);
    }
    return World.create(region, specs, speed, file);
  }

  newId(prefix: string): string {
    const n = this.state.serial++;
    return `${prefix}-${n.toString(16).padStart(8, '0')}${randomBytes(4).toString('hex')}`;
  }

  private addInstance(spec: InstanceSpec, index: number): void {
    const az = spec.az ?? `${this.state.region}a`;
    const now = Date.now();
    const instance: SimInstance = {
      id: this.newId('i'),
      privateIp: spec.privateIp,
      publicIp: `203.0.113.${10 + index}`,
      az,
      rootDeviceName: '/dev/sda1',
      state: 'running',
      since: now,
      tags: [{ Key: 'Name', Value: spec.name }],
    };
    this.state.instances.push(instance);
    const attach = (size: number, device: string, role: string) => {
      this.state.volumes.push({
        id: this.newId('vol'),
        size,
        az,
        state: 'in-use',
        created: now,
        attachment: { instanceId: instance.id, device, state: 'attached', since: now, deleteOnTermination: device === instance.rootDeviceName },
        tags: [{ Key: 'Name', Value: `${spec.name}-${role}` }],
      });
    };
    attach(spec.rootGiB ?? 8, instance.rootDeviceName, 'root');
    instance.bootedRoot = this.state.volumes[this.state.volumes.length - 1].id;
    if (spec.dataGiB !== 0) attach(spec.dataGiB ?? 20, '/dev/sdf', 'data');
  }

  save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2) + '\n');
    renameSync(tmp, this.file);
  }

  private elapsed(since: number): number {
    return (Date.now() - since) * this.speed;
  }

  snapshotProgress(s: SimSnapshot): number {
    if (s.state === 'completed') return 100;
    const p = Math.floor((100 * this.elapsed(s.started)) / s.durationMs);
    if (s.state === 'error') return Math.min(p, 50);
    return Math.max(0, Math.min(99, p));
  }

  /** Settle every transition whose time has come; saves when anything moved. */
  tick(): void {
    let changed = false;
    for (const s of this.state.snapshots) {
      if (s.state !== 'pending') continue;
      const done = this.elapsed(s.started) >= s.durationMs;
      if (s.failWith && this.elapsed(s.started) >= s.durationMs / 2) {
        s.state = 'error';
        s.statusMessage = s.failWith;
        changed = true;
      } else if (done) {
        s.state = 'completed';
        changed = true;
      }
    }
    for (const v of this.state.volumes) {
      if (v.state === 'creating' && !v.stuck && this.elapsed(v.created) >= TIMINGS.volumeCreateMs) {
        v.state = 'available';
        changed = true;
      }
      const a = v.attachment;
      if (a && a.state !== 'attached' && this.elapsed(a.since) >= TIMINGS.attachMs) {
        if (a.state === 'attaching') a.state = 'attached';
        else {
          delete v.attachment;
          v.state = 'available';
        }
        changed = true;
      }
    }
    for (const i of this.state.instances) {
      if (i.state === 'stopping' && this.elapsed(i.since) >= TIMINGS.instanceStopMs) {
        i.state = 'stopped';
        changed = true;
      } else if (i.state === 'pending' && this.elapsed(i.since) >= TIMINGS.instanceStartMs) {
        i.state = 'running';
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /**
   * The two status checks of a running instance: `initializing` until they
   * have run (counted from the start, which `since` still marks), then `ok`,
   * or `impaired` where a test said so. Null when not running (EC2 lists only
   * running instances unless asked for all, and then says `not-applicable`).
   */
  statusChecks(i: SimInstance): { system: 'initializing' | 'ok' | 'impaired'; instance: 'initializing' | 'ok' | 'impaired' } | null {
    if (i.state !== 'running') return null;
    if (i.impaired === 'initializing' || this.elapsed(i.since) < TIMINGS.instanceStartMs + TIMINGS.statusChecksMs) return { system: 'initializing', instance: 'initializing' };
    return { system: i.impaired === 'system' ? 'impaired' : 'ok', instance: i.impaired === 'instance' ? 'impaired' : 'ok' };
  }

  instance(id: string): SimInstance | undefined {
    return this.state.instances.find((i) => i.id === id);
  }

  volume(id: string): SimVolume | undefined {
    return this.state.volumes.find((v) => v.id === id);
  }

  snapshot(id: string): SimSnapshot | undefined {
    return this.state.snapshots.find((s) => s.id === id);
  }

  /** The volume attached at the instance's root device, if any. */
  rootVolumeOf(i: SimInstance): SimVolume | undefined {
    return this.volumesOf(i.id).find((v) => v.attachment!.device === i.rootDeviceName);
  }

  volumesOf(instanceId: string): SimVolume[] {
    return this.state.volumes.filter((v) => v.attachment?.instanceId === instanceId);
  }

  nameOf(tags: Tag[]): string | undefined {
    return tags.find((t) => t.Key === 'Name')?.Value;
  }
}
