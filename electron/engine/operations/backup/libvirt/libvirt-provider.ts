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
 * The store is on the hypervisor itself (another host's store is refused
 * with a clear message in this version).
 */
import { DrydockError } from '../../../../../shared/errors';
import type { LibvirtProfile } from '../../../../../shared/backup/profile';
import type { EngineServices } from '../../operation';
import type { HostSession } from '../../../ssh/session';
import { quote, sh } from '../../../ssh/quote';
import type { BackupProvider, CallOptions, Disk, Machine, Snapshot, SnapshotRequest } from '../provider';
import { checkStore, readManifests, sha256Of, verifyImage, writeManifest, type Manifest } from './store';
import { TAG } from '../../../../../shared/backup/profile';

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
    private readonly profile: Pick<LibvirtProfile, 'hypervisor' | 'uri' | 'store' | 'domain'>,
    private readonly drydockVersion = '0.0.0',
  ) {
    if (profile.store.host !== profile.hypervisor) {
      throw new DrydockError('INVALID_INPUT', `The backup store must be on the hypervisor (${profile.hypervisor}) in this version; ${profile.store.host} was given`);
    }
  }

  private session(signal?: AbortSignal): Promise<HostSession> {
    return this.services.pool.session(this.profile.hypervisor, signal);
  }

  private async virsh(args: string, options?: CallOptions): Promise<string> {
    const s = await this.session(options?.signal);
    return s.check(`virsh -q -c ${quote(this.profile.uri)} ${args}`, { asRoot: true, signal: options?.signal });
  }

  async identity(options?: CallOptions): Promise<string> {
    const v = await this.virsh('version --daemon', options);
    return `libvirt on ${this.profile.hypervisor} (${this.profile.uri}): ${v.split('\n').find((l) => /daemon/i.test(l))?.trim() ?? 'answers'}`;
  }

  async findMachine(ref: string, options?: CallOptions): Promise<Machine> {
    const state = (await this.virsh(`domstate ${quote(ref)}`, options)).trim();
    const disks = await this.blockList(ref, options);
    return { id: ref, name: ref, zone: this.profile.hypervisor, state, running: state === 'running' || state === 'paused', rootDevice: disks[0]?.target ?? '' };
  }

  private async blockList(domain: string, options?: CallOptions): Promise<BlkEntry[]> {
    const out = await this.virsh(`domblklist ${quote(domain)} --details`, options);
    return out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4 && f[1] === 'disk')
      .map(([type, device, target, ...rest]) => ({ type, device, target, source: rest.join(' ') }));
  }

  async disks(machine: Machine, options?: CallOptions): Promise<Disk[]> {
    const s = await this.session(options?.signal);
    const list = await this.blockList(machine.id, options);
    const disks: Disk[] = [];
    for (const [i, b] of list.entries()) {
      const info = JSON.parse(await s.check(`qemu-img info -U --output=json ${quote(b.source)}`, { asRoot: true, signal: options?.signal })) as { 'virtual-size': number };
      disks.push({ id: b.source, device: b.target, root: i === 0, sizeGiB: Math.round((info['virtual-size'] / 2 ** 30) * 100) / 100, state: b.source.includes(OVERLAY_MARK) ? 'overlay' : 'base' });
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
    const all = await readManifests(await this.session(options?.signal), this.profile.store.dir, options?.signal);
    return all
      .filter((m) => (!filter.ids || filter.ids.includes(m.id)) && Object.entries(filter.tags ?? {}).every(([k, v]) => m.tags[k] === v))
      .map((m) => this.view(m));
  }

  /**
   * Snapshot, copy, checksum, commit back. Re-entrant: a run that died half
   * way finds its own manifests (by run tag) and its overlay, copies again
   * from the still-frozen base, and commits.
   */
  async createSnapshots(request: SnapshotRequest, options?: CallOptions): Promise<Snapshot[]> {
    const s = await this.session(options?.signal);
    const dir = this.profile.store.dir;
    const domain = request.machine.id;
    await checkStore(s, dir, options?.signal);
    const run = request.tags[TAG.run] ?? 'manual';
    const mark = `${OVERLAY_MARK}${run.slice(-8)}`;
    const existing = (await readManifests(s, dir, options?.signal)).filter((m) => m.tags[TAG.run] === run);
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
      if (!found) await writeManifest(s, dir, m, options?.signal);
    }
    const machine = await this.findMachine(domain, options);
    const blocks = await this.blockList(domain, options);
    const onOverlay = blocks.filter((b) => b.source.includes(OVERLAY_MARK));
    let snapshotted = onOverlay.length > 0;
    try {
      if (machine.running && !snapshotted) {
        const agent = await s.sudo(`virsh -c ${quote(this.profile.uri)} qemu-agent-command ${quote(domain)} '{"execute":"guest-ping"}'`, { signal: options?.signal });
        const specs = blocks.map((b) => (wanted.some((d) => d.device === b.target) ? `--diskspec ${quote(`${b.target},snapshot=external,file=${b.source}${mark}`)}` : `--diskspec ${quote(`${b.target},snapshot=no`)}`));
        await this.virsh(`snapshot-create-as ${quote(domain)} ${quote(`drydock${mark.slice(OVERLAY_MARK.length - 1)}`)} --disk-only --atomic --no-metadata${agent.code === 0 ? ' --quiesce' : ''} ${specs.join(' ')}`, options);
        snapshotted = true;
      }
      if (snapshotted) await this.afterSnapshot?.();
      for (const m of manifests) {
        if (m.state === 'completed') continue;
        const image = `${dir}/${m.id}.qcow2`;
        options?.onProgress?.(0, `copying ${m.disk} (${m.source})`);
        await s.check(sh`qemu-img convert -U -O qcow2 ${m.source} ${image}.partial && mv -f ${image}.partial ${image}`, { asRoot: true, signal: options?.signal });
        m.sha256 = await sha256Of(s, image, options?.signal);
        m.sizeBytes = Number((await s.check(sh`stat -c %s ${image}`, { asRoot: true })).trim());
        m.state = 'completed';
        await writeManifest(s, dir, m, options?.signal);
      }
    } catch (err) {
      for (const m of manifests.filter((x) => x.state !== 'completed')) {
        m.state = 'error';
        m.message = (err as Error).message;
        await writeManifest(s, dir, m).catch(() => undefined);
      }
      throw err;
    } finally {
      // Never leave the domain on an overlay: commit back even when the copy failed (no signal: this must finish).
      if (snapshotted) await this.commitBack(domain);
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
    const s = await this.session(options?.signal);
    const dir = this.profile.store.dir;
    await s.check(sh`rm -f -- ${`${dir}/${id}.qcow2`} ${`${dir}/${id}.json`}`, { asRoot: true, signal: options?.signal });
  }

  /** The stored image against its manifest's checksum (restore calls this first). */
  async verifySnapshot(id: string, options?: CallOptions): Promise<void> {
    const s = await this.session(options?.signal);
    const m = (await readManifests(s, this.profile.store.dir, options?.signal)).find((x) => x.id === id);
    if (!m) throw new DrydockError('NOT_FOUND', `No backup ${id} in ${this.profile.store.host}:${this.profile.store.dir}`);
    await verifyImage(s, this.profile.store.dir, m, options?.signal);
  }

  async describeDisk(id: string): Promise<Disk> {
    const s = await this.session();
    const info = JSON.parse(await s.check(`qemu-img info -U --output=json ${quote(id)}`, { asRoot: true })) as { 'virtual-size': number };
    return { id, device: '', root: false, sizeGiB: info['virtual-size'] / 2 ** 30 };
  }

  async stopMachine(machine: Machine, options?: CallOptions): Promise<void> {
    await this.virsh(`shutdown ${quote(machine.id)}`, options);
  }

  async startMachine(machine: Machine, options?: CallOptions): Promise<void> {
    await this.virsh(`start ${quote(machine.id)}`, options);
  }

  private notYet(what: string): never {
    throw new DrydockError('INVALID_INPUT', `libvirt: ${what} is part of restore (issue 11) and not built in this version`);
  }

  createDiskFromSnapshot(): Promise<Disk> {
    return this.notYet('creating a disk from a backup');
  }

  detachDisk(): Promise<void> {
    return this.notYet('detaching a disk');
  }

  attachDisk(): Promise<void> {
    return this.notYet('attaching a disk');
  }

  copySnapshot(): Promise<Snapshot> {
    throw new DrydockError('INVALID_INPUT', 'libvirt: a backup image is copied to the spare\'s hypervisor by the restore itself; there is no region to copy a snapshot between');
  }

  consoleOutput(): Promise<string> {
    throw new DrydockError('INVALID_INPUT', 'libvirt: Drydock does not read a domain\'s console; a new host key is confirmed by the admin (or is the primary\'s known key)');
  }

  async close(): Promise<void> {
    /* the SSH session belongs to the engine's pool */
  }
}
