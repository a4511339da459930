/**
 * The backup provider for KVM/libvirt, over SSH to the hypervisor. A live
 * backup the libvirt way: an external disk-only snapshot freezes the base
 * images (`--atomic --no-metadata`, `--quiesce` when the guest agent
 * answers), `qemu-img convert` copies each frozen base into the store, its
 * SHA-256 is recorded in a manifest beside it, then `blockcommit --active
 * --pivot` merges the overlay back and the overlay file is deleted. Whatever
 * fails after the snapshot, the overlay is still committed back: the domain
 * is never left running on it. A shut-off domain is copied as it is.
 *
 * The store is on the hypervisor or on another inventory host; on another
 * host the base is staged on the hypervisor and sent once the overlay is
 * committed back (remote-store.ts), and listing, verify, delete and restore
 * read the store host.
 *
 * Restore (onto the hot spare, which may run on another hypervisor: the
 * profile's spareHypervisor/spareDomain): the backup image is copied beside
 * the spare's own image (copy.ts: resumable, SHA-256 verified), the spare is
 * stopped (ACPI, then power off after a grace), its root swapped in its
 * definition with its own image kept, never deleted (domain-disk.ts), and
 * started. Disks on another hypervisor than the profile's have ids
 * `host:/path`.
 */
import { DrydockError } from '../../../../../shared/errors';
import type { LibvirtProfile } from '../../../../../shared/backup/profile';
import type { EngineServices } from '../../operation';
import type { HostSession } from '../../../ssh/session';
import { quote, sh } from '../../../ssh/quote';
import type { BackupProvider, CallOptions, Disk, Machine, NetworkIsolation, Snapshot, SnapshotRequest } from '../provider';
import { checkStore, markFailed, readManifests, sha256Of, verifyImage, writeManifest, type Manifest } from './store';
import { TAG } from '../../../../../shared/backup/profile';
import { copyImage, type CopyResult } from './copy';
import { checkPoolFolder, stagingFolder } from './pool-folder';
import { convertImage, ProgressOf, StagedCopy } from './remote-store';
import { assertSafePath, attachDomainDisk, detachDomainDisk, type DomainAccess } from './domain-disk';
import { domainIsolated, domainIsolationLeft, isolateDomain, releaseDomain, type IsolationAccess } from './isolate';
import { DISK_MANIFEST_KIND, parseDiskId, readDiskManifest, SPARE_DOMAIN_TAG, waitFor, writeDiskManifest, type DiskManifest } from './restored-disk';

interface BlkEntry {
  type: string;
  device: string;
  target: string;
  source: string;
}

const OVERLAY_MARK = '.drydock-';

export class LibvirtProvider implements BackupProvider {
  readonly kind = 'libvirt' as const;
  /** Not point-in-time at create for the app's sake: createSnapshots returns once the copy is stored and committed back. */
  readonly capabilities = { pointInTimeAtCreate: false, multiDiskConsistent: true };
  /** Tests act between the snapshot and the copy (write to the disk, or fail) to prove what the copy holds and that the overlay is still committed. */
  afterSnapshot?: () => Promise<void>;

  constructor(
    private readonly services: EngineServices,
    private readonly profile: Pick<LibvirtProfile, 'hypervisor' | 'uri' | 'store' | 'domain'> & Partial<Pick<LibvirtProfile, 'spareHypervisor' | 'spareDomain'>>,
    private readonly drydockVersion = '0.0.0',
  ) {}

  private session(signal?: AbortSignal, host = this.profile.hypervisor): Promise<HostSession> {
    return this.services.pool.session(host, signal);
  }

  /** The store is on another inventory host than the hypervisor: images are staged, then sent (remote-store.ts). */
  private get remoteStore(): boolean {
    return this.profile.store.host !== this.profile.hypervisor;
  }

  /** Where the backups and their manifests are: listing, verify, delete and restore read this host. */
  private storeSession(signal?: AbortSignal): Promise<HostSession> {
    return this.session(signal, this.profile.store.host);
  }

  private async virsh(args: string, options?: CallOptions, host = this.profile.hypervisor): Promise<string> {
    const s = await this.session(options?.signal, host);
    return s.check(`virsh -q -c ${quote(this.profile.uri)} ${args}`, { asRoot: true, signal: options?.signal });
  }

  /** The hypervisor a domain runs on: the spare's own when the profile names one. */
  private hostOf(machineOrRef: Machine | string): string {
    if (typeof machineOrRef !== 'string') return machineOrRef.zone ?? this.profile.hypervisor;
    return machineOrRef === this.profile.spareDomain ? (this.profile.spareHypervisor ?? this.profile.hypervisor) : this.profile.hypervisor;
  }

  async identity(options?: CallOptions): Promise<string> {
    const v = await this.virsh('version --daemon', options);
    return `libvirt on ${this.profile.hypervisor} (${this.profile.uri}): ${v.split('\n').find((l) => /daemon/i.test(l))?.trim() ?? 'answers'}`;
  }

  async findMachine(ref: string, options?: CallOptions): Promise<Machine> {
    const host = this.hostOf(ref);
    const state = (await this.virsh(`domstate ${quote(ref)}`, options, host)).trim();
    const disks = await this.blockList(ref, options, host);
    return { id: ref, name: ref, zone: host, state, running: state === 'running' || state === 'paused', rootDevice: disks[0]?.target ?? '' };
  }

  private async blockList(domain: string, options?: CallOptions, host = this.hostOf(domain)): Promise<BlkEntry[]> {
    const out = await this.virsh(`domblklist ${quote(domain)} --details`, options, host);
    return out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4 && f[1] === 'disk')
      .map(([type, device, target, ...rest]) => ({ type, device, target, source: rest.join(' ') }));
  }

  async disks(machine: Machine, options?: CallOptions): Promise<Disk[]> {
    const s = await this.session(options?.signal, this.hostOf(machine));
    const list = await this.blockList(machine.id, options, this.hostOf(machine));
    const disks: Disk[] = [];
    for (const [i, b] of list.entries()) {
      const info = JSON.parse(await s.check(`qemu-img info -U --output=json ${quote(b.source)}`, { asRoot: true, signal: options?.signal })) as { 'virtual-size': number };
      // A disk on another hypervisor (the spare's) says where it is, so describeDisk/detachDisk find it.
      const id = this.hostOf(machine) === this.profile.hypervisor ? b.source : `${this.hostOf(machine)}:${b.source}`;
      disks.push({ id, device: b.target, root: i === 0, sizeGiB: Math.round((info['virtual-size'] / 2 ** 30) * 100) / 100, state: b.source.includes(OVERLAY_MARK) ? 'overlay' : 'base' });
    }
    return disks;
  }

  private view(m: Manifest): Snapshot {
    return {
      id: m.id,
      disk: m.source,
      device: m.disk,
      root: m.root,
      state: m.state,
      progress: m.state === 'completed' ? 100 : 0,
      sizeGiB: Math.round((m.virtualSizeBytes / 2 ** 30) * 100) / 100,
      startedAt: m.createdAt,
      ...(m.message ? { message: m.message } : {}),
      tags: { ...m.tags, [TAG.device]: m.disk, [TAG.root]: String(m.root), [TAG.sourceDisk]: m.source, ...(m.sha256 ? { 'drydock:sha256': m.sha256 } : {}) },
    };
  }

  async listSnapshots(filter: { tags?: Record<string, string>; ids?: string[] }, options?: CallOptions): Promise<Snapshot[]> {
    const all = await readManifests(await this.storeSession(options?.signal), this.profile.store.dir, options?.signal);
    return all
      .filter((m) => (!filter.ids || filter.ids.includes(m.id)) && Object.entries(filter.tags ?? {}).every(([k, v]) => m.tags[k] === v))
      .map((m) => this.view(m));
  }

  /**
   * Snapshot, copy, checksum, commit back. Re-entrant: a run that died half
   * way finds its own manifests (by run tag) and its overlay, copies again
   * from the still-frozen base, and commits. With the store on another host
   * the base is staged on the hypervisor, the overlay committed back, then the
   * staged image sent (remote-store.ts); a resumed run sends what is staged.
   */
  async createSnapshots(request: SnapshotRequest, options?: CallOptions): Promise<Snapshot[]> {
    const s = await this.session(options?.signal);
    const store = await this.storeSession(options?.signal);
    const staging = this.remoteStore ? new StagedCopy(s, store, this.profile.store.dir) : null;
    const dir = this.profile.store.dir;
    const domain = request.machine.id;
    await checkStore(store, dir, options?.signal);
    await staging?.prepare(options?.signal);
    const run = request.tags[TAG.run] ?? 'manual';
    const mark = `${OVERLAY_MARK}${run.slice(-8)}`;
    const existing = (await readManifests(store, dir, options?.signal)).filter((m) => m.tags[TAG.run] === run);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z';
    const wanted = request.disks;
    const manifests: Manifest[] = [];
    for (const d of wanted) {
      const base = d.id.includes(OVERLAY_MARK) ? d.id.slice(0, d.id.indexOf(OVERLAY_MARK)) : d.id;
      const found = existing.find((m) => m.disk === d.device);
      const info = JSON.parse(await s.check(`qemu-img info -U --output=json ${quote(base)}`, { asRoot: true })) as { 'virtual-size': number };
      const m: Manifest = found ?? {
        kind: 'drydock-libvirt-backup',
        version: 1,
        id: `${domain}-${d.device}-${stamp}`,
        domain,
        disk: d.device,
        root: d.root,
        source: base,
        mode: request.tags[TAG.mode] ?? 'live',
        createdAt: new Date().toISOString(),
        state: 'pending',
        virtualSizeBytes: info['virtual-size'],
        drydockVersion: this.drydockVersion,
        tags: request.tags,
      };
      manifests.push(m);
      if (!found) await writeManifest(store, dir, m, options?.signal);
    }
    const machine = await this.findMachine(domain, options);
    const blocks = await this.blockList(domain, options);
    const onOverlay = blocks.filter((b) => b.source.includes(OVERLAY_MARK));
    let snapshotted = onOverlay.length > 0;
    const open = manifests.filter((m) => m.state !== 'completed');
    // Staged images whose checksum was recorded are sent as they are; the others are converted from the frozen base.
    let toConvert: Manifest[] = [];
    for (const m of open) if (!staging || !(await staging.ready(m, options?.signal))) toConvert.push(m);
    const snapshotNow = machine.running && !snapshotted && toConvert.length > 0;
    // One point in time for every disk: what an earlier snapshot staged is converted again from this one.
    if (snapshotNow) toConvert = open;
    const progress = new ProgressOf(toConvert.length + (staging ? open.length : 0), options?.onProgress);
    try {
      if (snapshotNow) {
        const agent = await s.sudo(`virsh -c ${quote(this.profile.uri)} qemu-agent-command ${quote(domain)} '{"execute":"guest-ping"}'`, { signal: options?.signal });
        const specs = blocks.map((b) => (wanted.some((d) => d.device === b.target) ? `--diskspec ${quote(`${b.target},snapshot=external,file=${b.source}${mark}`)}` : `--diskspec ${quote(`${b.target},snapshot=no`)}`));
        await this.virsh(`snapshot-create-as ${quote(domain)} ${quote(`drydock${mark.slice(OVERLAY_MARK.length - 1)}`)} --disk-only --atomic --no-metadata${agent.code === 0 ? ' --quiesce' : ''} ${specs.join(' ')}`, options);
        snapshotted = true;
      }
      if (snapshotted) await this.afterSnapshot?.();
      for (const [i, m] of toConvert.entries()) {
        const image = staging ? staging.imageOf(m) : `${dir}/${m.id}.qcow2`;
        const what = `qemu-img convert ${m.disk} (${m.source}) to ${staging ? `${this.profile.hypervisor}:${staging.dir} (staging)` : dir}`;
        progress.report(i, 0, what, true);
        const onPercent = (pct: number) => progress.report(i, pct / 100, `${what}: ${pct.toFixed(0)}%`);
        if (staging) await staging.stage(m, onPercent, options?.signal);
        else {
          await convertImage(s, m.source, image, onPercent, options?.signal);
          m.sha256 = await sha256Of(s, image, options?.signal);
          m.sizeBytes = Number((await s.check(sh`stat -c %s ${image}`, { asRoot: true })).trim());
          m.state = 'completed';
        }
        await writeManifest(store, dir, m, options?.signal);
      }
    } catch (err) {
      await markFailed(store, dir, manifests, err);
      throw err;
    } finally {
      // Never leave the domain on an overlay: commit back even when the copy failed (no signal: this must finish).
      // With a remote store this is before the network copy, so the overlay's life does not grow with the network.
      if (snapshotted) await this.commitBack(domain);
    }
    if (staging) {
      await staging.sendAll(open, manifests, (unit, fraction, message, starting) => progress.report(toConvert.length + unit, fraction, message, starting), options?.signal).catch(async (err: unknown) => {
        await markFailed(store, dir, manifests, err);
        throw err;
      });
    }
    return manifests.map((m) => this.view(m));
  }

  /** blockcommit every disk running on a Drydock overlay, check the pivot, delete the overlay files. */
  async commitBack(domain: string): Promise<void> {
    const s = await this.session();
    for (const b of await this.blockList(domain)) {
      if (!b.source.includes(OVERLAY_MARK)) continue;
      const base = b.source.slice(0, b.source.indexOf(OVERLAY_MARK));
      await this.virsh(`blockcommit ${quote(domain)} ${quote(b.target)} --active --pivot --wait`);
      const now = (await this.blockList(domain)).find((x) => x.target === b.target);
      if (now?.source !== base) throw new DrydockError('COMMAND_FAILED', `${domain} ${b.target} still runs on ${now?.source} after blockcommit; commit it by hand: virsh blockcommit ${domain} ${b.target} --active --pivot`);
      await s.check(sh`rm -f -- ${b.source}`, { asRoot: true });
    }
  }

  async deleteSnapshot(id: string, options?: CallOptions): Promise<void> {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new DrydockError('INVALID_INPUT', `Not a backup id: ${id}`);
    const s = await this.storeSession(options?.signal);
    const dir = this.profile.store.dir;
    await s.check(sh`rm -f -- ${`${dir}/${id}.qcow2`} ${`${dir}/${id}.qcow2.partial`} ${`${dir}/${id}.json`}`, { asRoot: true, signal: options?.signal });
    // A backup that never reached the store may have left its staged image on the hypervisor.
    // Best effort: the backup is gone from the catalog either way, and an unreachable hypervisor must not fail a prune.
    if (this.remoteStore) await this.session(options?.signal).then((hv) => new StagedCopy(hv, s, dir).discard(id, options?.signal)).catch(() => undefined);
  }

  /** The stored image against its manifest's checksum (restore calls this first). */
  async verifySnapshot(id: string, options?: CallOptions): Promise<void> {
    const s = await this.storeSession(options?.signal);
    const m = (await readManifests(s, this.profile.store.dir, options?.signal)).find((x) => x.id === id);
    if (!m) throw new DrydockError('NOT_FOUND', `No backup ${id} in ${this.profile.store.host}:${this.profile.store.dir}`);
    await verifyImage(s, this.profile.store.dir, m, options?.signal);
  }

  // ---- Restore ----

  /** What the last createDiskFromSnapshot moved (the restore report shows it; tests prove a resume sends less). */
  lastCopy?: CopyResult;
  /** How long a guest gets to shut down on ACPI before it is powered off (`virsh destroy`). */
  stopGraceMs = 120_000;

  /**
   * Copy backup `snapshotId` to hypervisor `zone`, beside the spare domain's
   * current root image (the domain from tag `drydock:spare-domain`, else the
   * profile's spare), as `<domain>-restored-<backup>.qcow2`: resumable,
   * SHA-256 verified; owned like the spare's own image, mode 0600 (the folder
   * must be root's and closed to others: pool-folder.ts). The tags go into a
   * manifest beside it in Drydock's store on that hypervisor.
   */
  async createDiskFromSnapshot(snapshotId: string, zone: string, tags: Record<string, string>, options?: CallOptions): Promise<Disk> {
    if (!/^[A-Za-z0-9._-]+$/.test(snapshotId)) throw new DrydockError('INVALID_INPUT', `Not a backup id: ${snapshotId}`);
    const domain = tags[SPARE_DOMAIN_TAG] ?? this.profile.spareDomain;
    if (!domain) throw new DrydockError('INVALID_INPUT', `libvirt: which domain is the spare? Set the profile's spareDomain (or tag ${SPARE_DOMAIN_TAG})`);
    const source = await this.storeSession(options?.signal);
    const m = (await readManifests(source, this.profile.store.dir, options?.signal)).find((x) => x.id === snapshotId);
    if (!m) throw new DrydockError('NOT_FOUND', `No backup ${snapshotId} in ${this.profile.store.host}:${this.profile.store.dir}`);
    const target = await this.session(options?.signal, zone);
    const root = (await this.blockList(domain, options, zone))[0];
    if (!root) throw new DrydockError('NOT_FOUND', `${domain} on ${zone} has no disk to restore beside`);
    const dir = root.source.slice(0, root.source.lastIndexOf('/'));
    assertSafePath(root.source);
    // Root writes there: only into a folder no one else controls, by way of Drydock's own staging folder (pool-folder.ts).
    const owner = await checkPoolFolder(target, dir, root.source, options?.signal);
    await checkStore(target, this.profile.store.dir, options?.signal);
    const staging = await stagingFolder(target, dir, options?.signal);
    const dest = `${dir}/${domain}-restored-${snapshotId}.qcow2`;
    this.lastCopy = await copyImage({ source, image: `${this.profile.store.dir}/${m.id}.qcow2`, manifest: m, target, dest, staging, owner }, options);
    // Asked again for a disk already there (a resumed step): the tags recorded since are kept, the given ones win.
    const earlier = this.lastCopy.alreadyThere ? await readDiskManifest(target, this.profile.store.dir, dest, options?.signal) : null;
    const sidecar: DiskManifest = earlier?.backup === m.id ? { ...earlier, tags: { ...earlier.tags, ...tags } } : { kind: DISK_MANIFEST_KIND, version: 1, image: dest, backup: m.id, sha256: m.sha256!, createdAt: new Date().toISOString(), tags };
    await writeDiskManifest(target, this.profile.store.dir, sidecar, options?.signal);
    return this.describeDisk(`${zone}:${dest}`, options);
  }

  /** `host:/path` (a restored disk) or `/path` (on the profile's hypervisor). */
  async describeDisk(id: string, options?: CallOptions): Promise<Disk> {
    const { host, image } = parseDiskId(id, this.profile.hypervisor);
    const s = await this.session(options?.signal, host);
    const r = await s.sudo(`qemu-img info -U --output=json ${quote(image)}`, { signal: options?.signal });
    if (r.code !== 0) throw new DrydockError('NOT_FOUND', `No disk image ${host}:${image}${/No such file/.test(r.stderr) ? '' : `: ${r.stderr.trim()}`}`);
    const info = JSON.parse(r.stdout) as { 'virtual-size': number };
    const sidecar = await readDiskManifest(s, this.profile.store.dir, image, options?.signal);
    return { id, device: '', root: false, sizeGiB: Math.round((info['virtual-size'] / 2 ** 30) * 100) / 100, zone: host, state: 'available', ...(sidecar ? { tags: sidecar.tags } : {}) };
  }

  /** Add or change a restored disk's tags (a refresh-spare marks it ready, a run that starts the app marks it used). */
  async tagDisk(id: string, tags: Record<string, string>, options?: CallOptions): Promise<void> {
    const { host, image } = parseDiskId(id, this.profile.hypervisor);
    const s = await this.session(options?.signal, host);
    const m = await readDiskManifest(s, this.profile.store.dir, image, options?.signal);
    if (!m) throw new DrydockError('NOT_FOUND', `${host}:${image} is not a disk Drydock restored (no manifest in ${this.profile.store.dir})`);
    await writeDiskManifest(s, this.profile.store.dir, { ...m, tags: { ...m.tags, ...tags } }, options?.signal);
  }

  /** ACPI shutdown, wait; powered off (`virsh destroy`) when the guest has not stopped within stopGraceMs; wait `shut off`. */
  async stopMachine(machine: Machine, options?: CallOptions): Promise<void> {
    const host = this.hostOf(machine);
    const state = () => this.virsh(`domstate ${quote(machine.id)}`, options, host).then((x) => x.trim());
    if ((await state()) === 'shut off') return;
    options?.onProgress?.(0, `virsh shutdown ${machine.id}`);
    await this.virsh(`shutdown ${quote(machine.id)}`, options, host).catch(() => undefined);
    if (await waitFor(state, 'shut off', this.stopGraceMs, options?.signal)) return;
    options?.onProgress?.(50, `${machine.id} did not shut down within ${Math.round(this.stopGraceMs / 1000)} s: virsh destroy (power off)`);
    await this.virsh(`destroy ${quote(machine.id)}`, options, host).catch(() => undefined);
    if (!(await waitFor(state, 'shut off', 60_000, options?.signal))) throw new DrydockError('TIMEOUT', `${machine.id} is still ${await state()} after virsh destroy`);
  }

  async startMachine(machine: Machine, options?: CallOptions): Promise<void> {
    const host = this.hostOf(machine);
    const state = () => this.virsh(`domstate ${quote(machine.id)}`, options, host).then((x) => x.trim());
    if ((await state()) === 'running') return;
    await this.virsh(`start ${quote(machine.id)}`, options, host);
    if (!(await waitFor(state, 'running', 60_000, options?.signal))) throw new DrydockError('TIMEOUT', `${machine.id} is ${await state()} 60 s after virsh start`);
  }

  private async domainAccess(machine: Machine, options?: CallOptions): Promise<DomainAccess> {
    const host = this.hostOf(machine);
    const session = await this.session(options?.signal, host);
    await checkStore(session, this.profile.store.dir, options?.signal);
    return { session, domain: machine.id, storeDir: this.profile.store.dir, virsh: (args) => this.virsh(args, options, host) };
  }

  /** Take the disk out of the (shut off) domain's definition and keep its image as `<path>.drydock-kept`; never deleted. */
  async detachDisk(machine: Machine, disk: Disk, options?: CallOptions): Promise<void> {
    const { host, image } = parseDiskId(disk.id, this.hostOf(machine));
    if (host !== this.hostOf(machine)) throw new DrydockError('INVALID_INPUT', `${disk.id} is on ${host}, ${machine.id} runs on ${this.hostOf(machine)}`);
    const device = disk.device || machine.rootDevice;
    await detachDomainDisk(await this.domainAccess(machine, options), device, image);
  }

  /** Point the (shut off) domain's `device` at the image; a kept image is renamed back first (undo). */
  async attachDisk(machine: Machine, disk: Disk, device: string, options?: CallOptions): Promise<void> {
    const { host, image } = parseDiskId(disk.id, this.hostOf(machine));
    if (host !== this.hostOf(machine)) throw new DrydockError('INVALID_INPUT', `${disk.id} is on ${host}, ${machine.id} runs on ${this.hostOf(machine)}: copy it there first`);
    await attachDomainDisk(await this.domainAccess(machine, options), device, image);
  }

  // ---- Network isolation of the spare (isolate.ts): nwfilter drydock-isolate on every interface ----

  private async isolationAccess(machine: Machine, options?: CallOptions): Promise<IsolationAccess> {
    return { ...(await this.domainAccess(machine, options)), host: this.hostOf(machine), uri: this.profile.uri, signal: options?.signal };
  }

  /** The (shut off) domain's interfaces under Drydock's filter, each one's own filterref recorded in the domain's metadata. */
  async isolateNetwork(machine: Machine, options?: CallOptions): Promise<NetworkIsolation> {
    return isolateDomain(await this.isolationAccess(machine, options));
  }

  /** Each interface's own filterref back, persistent and live. */
  async releaseNetwork(machine: Machine, isolation: NetworkIsolation, options?: CallOptions): Promise<void> {
    return releaseDomain(await this.isolationAccess(machine, options), isolation);
  }

  async networkIsolated(machine: Machine, options?: CallOptions): Promise<boolean> {
    return domainIsolated(await this.isolationAccess(machine, options));
  }

  async isolationLeft(machine: Machine, options?: CallOptions): Promise<boolean> {
    return domainIsolationLeft(await this.isolationAccess(machine, options));
  }

  copySnapshot(_snapshotId: string, _sourceRegion: string, _tags: Record<string, string>, _options?: CallOptions): Promise<Snapshot> {
    return Promise.reject(new DrydockError('INVALID_INPUT', 'Copying a snapshot to another region is not applicable to libvirt: a backup is copied to the spare\'s hypervisor when its disk is created'));
  }

  // No statusChecks(): libvirt reports only the domain's state (`running`); it has nothing like EC2's
  // system/instance reachability checks. The restore's reconnect step (waiting for sshd) is the check there.

  /** libvirt has no console log Drydock can trust for host keys: the admin confirms the key. */
  async consoleOutput(_machine: Machine, _options?: CallOptions): Promise<string> {
    return '';
  }

  async close(): Promise<void> {
    /* the SSH session belongs to the engine's pool */
  }
}
