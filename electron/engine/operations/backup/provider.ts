/**
 * Where the Services machine's disks live, behind one interface: AWS EBS
 * today, KVM/libvirt over SSH next, VMware vSphere later. The backup
 * operation only speaks this; so will restore (a disk from a snapshot, stop
 * and start the machine, swap its root disk).
 *
 * Words: a *machine* is the EC2 instance / libvirt domain / vSphere VM; a
 * *disk* is an EBS volume / a domain's disk image / a VMDK; a *snapshot* is
 * an EBS snapshot / a copied image with its manifest / a vSphere snapshot
 * exported. Snapshot tags are the catalog's source of truth (EBS tags,
 * manifest fields), never a file on the laptop.
 */
import type { SnapshotView } from '../../../../shared/backup/catalog';

export interface Machine {
  /** Provider id: i-…, or the domain's UUID/name. */
  id: string;
  name?: string;
  privateAddress?: string;
  publicAddress?: string;
  /** Availability zone, or the hypervisor the domain runs on. */
  zone?: string;
  /** Provider words: running, stopped, stopping, pending, shut off… */
  state: string;
  running: boolean;
  /** The device the machine boots from (RootDeviceName, or the domain's first disk target). */
  rootDevice: string;
}

export interface Disk {
  id: string;
  device: string;
  root: boolean;
  sizeGiB: number;
  zone?: string;
  /** Volume state (available, in-use…), or the attachment state (attaching, attached) when listed for a machine. */
  state?: string;
  /** EBS volume tags / the restored image's manifest fields (which backup a spare's disk holds). */
  tags?: Record<string, string>;
}

export type Snapshot = SnapshotView;

export interface SnapshotRequest {
  machine: Machine;
  /** The disks to snapshot together (point in time across all of them where the provider can). */
  disks: Disk[];
  /** On every snapshot from the moment it exists, so a resumed run can find it. */
  tags: Record<string, string>;
  description: string;
}

export interface ProviderCapabilities {
  /** The snapshot is point-in-time once `createSnapshots` returns (EBS); the app may start again then. */
  pointInTimeAtCreate: boolean;
  /** All disks of a machine in one crash-consistent set (EBS CreateSnapshots). */
  multiDiskConsistent: boolean;
}

/**
 * What isolateNetwork changed, kept in the run's state (JSON) so that
 * releaseNetwork, after a crash or in an abort, puts back exactly that.
 */
export interface NetworkIsolation {
  provider: 'aws' | 'libvirt';
  summary: string;
  detail: Record<string, unknown>;
}

/**
 * A provider that cannot isolate this particular machine says so with this
 * (details.unsupported): the restore then needs the admin's own word that the
 * spare is cut off, as when the provider has no isolateNetwork at all.
 */
export function isUnsupported(err: unknown): boolean {
  const e = err as { code?: unknown; details?: { unsupported?: unknown }; message?: unknown } | undefined;
  return !!e && (e.code === 'UNSUPPORTED' || e.details?.unsupported === true || (typeof e.message === 'string' && /\bunsupported\b/i.test(e.message)));
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Progress of a long provider-side action, 0–100, with a line for the admin. */
  onProgress?(percent: number, message: string): void;
}

/** EC2's two status checks as DescribeInstanceStatus names them (`not-applicable` when the machine is not running). */
export interface StatusChecks {
  system: string;
  instance: string;
}

export interface BackupProvider {
  readonly kind: 'aws' | 'libvirt' | 'vsphere';
  readonly capabilities: ProviderCapabilities;
  /** Check the credentials and the route (a cheap read), naming how they were found. */
  identity(options?: CallOptions): Promise<string>;
  /** By id, private address or name; exactly one, or a clear error. */
  findMachine(ref: string, options?: CallOptions): Promise<Machine>;
  disks(machine: Machine, options?: CallOptions): Promise<Disk[]>;
  /** Start the snapshots (tagged at creation); they may still be pending when this returns. */
  createSnapshots(request: SnapshotRequest, options?: CallOptions): Promise<Snapshot[]>;
  /** Snapshots carrying every given tag (or with these ids). */
  listSnapshots(filter: { tags?: Record<string, string>; ids?: string[] }, options?: CallOptions): Promise<Snapshot[]>;
  deleteSnapshot(id: string, options?: CallOptions): Promise<void>;

  // What restore needs.
  /** A new disk holding the snapshot, where `zone` says (the spare's AZ / hypervisor). */
  createDiskFromSnapshot(snapshotId: string, zone: string, tags: Record<string, string>, options?: CallOptions): Promise<Disk>;
  describeDisk(id: string, options?: CallOptions): Promise<Disk>;
  stopMachine(machine: Machine, options?: CallOptions): Promise<void>;
  startMachine(machine: Machine, options?: CallOptions): Promise<void>;
  detachDisk(machine: Machine, disk: Disk, options?: CallOptions): Promise<void>;
  attachDisk(machine: Machine, disk: Disk, device: string, options?: CallOptions): Promise<void>;
  /**
   * Copy a snapshot from `sourceRegion` into the provider's own region (a
   * spare in another region): the copy is a new snapshot, pending at first.
   */
  copySnapshot(snapshotId: string, sourceRegion: string, tags: Record<string, string>, options?: CallOptions): Promise<Snapshot>;
  /** The machine's console as its boot wrote it (cloud-init prints the new host keys' fingerprints there). */
  consoleOutput(machine: Machine, options?: CallOptions): Promise<string>;
  /**
   * The machine's health checks after a start (EC2: the system and instance
   * status checks, `initializing` → `ok` or `impaired`). Only where the
   * provider has them: libvirt has no such checks (see libvirt-provider.ts).
   */
  statusChecks?(machine: Machine, options?: CallOptions): Promise<StatusChecks>;
  /** Tag a disk (the spare's kept root says whose it was); where the provider has tags. */
  tagDisk?(id: string, tags: Record<string, string>, options?: CallOptions): Promise<void>;
  /** Disks carrying every given tag (a restore finds the volume it created before a crash). */
  findDisks?(tags: Record<string, string>, options?: CallOptions): Promise<Disk[]>;
  /** Cut the machine off from every outbound connection except replies to inbound SSH, before a restored disk boots (drill, refresh-spare). Idempotent: an isolation Drydock already made is found (tags/names) and returned. Returns what releaseNetwork needs to put things back. */
  isolateNetwork?(machine: Machine, options?: CallOptions): Promise<NetworkIsolation>;
  /** Put back exactly what isolateNetwork changed. Idempotent. */
  releaseNetwork?(machine: Machine, isolation: NetworkIsolation, options?: CallOptions): Promise<void>;
  /** Read the real world: is the machine isolated now? */
  networkIsolated?(machine: Machine, options?: CallOptions): Promise<boolean>;
  /** Read the real world: does the machine wear any of Drydock's isolation (its group, its filter), whole or in part? A machine with nothing to cut is not "left isolated". */
  isolationLeft?(machine: Machine, options?: CallOptions): Promise<boolean>;

  close(): Promise<void>;
}
