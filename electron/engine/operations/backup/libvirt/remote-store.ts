/**
 * A libvirt backup store on another inventory host than the hypervisor.
 *
 * The frozen base is converted on the hypervisor into a staging folder
 * (`<store dir>/staging` there: root's, 0700, checked like the store), its
 * SHA-256 recorded in the manifest, the overlay committed back at once (so
 * the domain's time on an overlay does not grow with the network), then the
 * staged image is copied to the store host with copyImage (resumable from the
 * store's `.partial`, verified against the recorded checksum, the bytes
 * relayed through this laptop: the store host needs no route to the
 * hypervisor), the manifest marked completed beside it, and the staged file
 * removed. A run resumed after a crash goes on from what is there: a staged
 * image whose checksum was recorded is sent again (no second snapshot), a
 * copy already in the store is only checked.
 *
 * The same path on the hypervisor is Drydock's folder there (restore keeps
 * its saved disk elements and restored-disk manifests in it already).
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { sh } from '../../../ssh/quote';
import type { CallOptions } from '../provider';
import { copyImage, type CopyResult } from './copy';
import { checkStore, sha256Of, writeManifest, type Manifest } from './store';

export const stagingDirOf = (storeDir: string): string => `${storeDir}/staging`;

/** Size of a regular file that is no symlink; null when absent or anything else. */
async function regularSize(s: HostSession, file: string, signal?: AbortSignal): Promise<number | null> {
  const said = (await s.check(sh`f=${file}; if [ -f "$f" ] && [ ! -L "$f" ]; then stat -c %s "$f"; else echo none; fi`, { asRoot: true, signal })).trim();
  return /^\d+$/.test(said) ? Number(said) : null;
}

/**
 * `qemu-img convert -p` on a host, its percentages passed on as they come
 * (qemu-img prints `(12.50/100%)` on stdout, also without a terminal). The
 * image is written to `<dest>.partial` and takes its name once complete.
 */
export async function convertImage(s: HostSession, source: string, dest: string, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
  const percents = qemuImgPercents();
  await s.check(sh`qemu-img convert -p -U -O qcow2 ${source} ${`${dest}.partial`} && mv -f -- ${`${dest}.partial`} ${dest}`, {
    asRoot: true,
    signal,
    timeoutMs: 6 * 3600_000,
    onStdout: (text) => {
      const last = percents(text);
      if (last !== null) onPercent(last);
    },
  });
}

/**
 * The latest `(NN.NN/100%)` in qemu-img's progress output, fed chunk by
 * chunk as SSH delivers it (a figure may be cut between two chunks); null
 * when a chunk completes none.
 */
export function qemuImgPercents(): (chunk: string) => number | null {
  let rest = '';
  return (chunk) => {
    const all = rest + chunk;
    const found = [...all.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
    const last = found.pop();
    // Keep only what follows the last complete figure: the start of the next one, if any.
    rest = (last ? all.slice(last.index! + last[0].length) : all).slice(-32);
    return last ? Number(last[1]) : null;
  };
}

/**
 * Overall progress of a backup made of several units of work (each disk's
 * convert, each disk's copy), never going backwards, reported once per
 * whole percent (and whenever a unit starts) so a run's events stay few.
 */
export class ProgressOf {
  private last = -1;
  constructor(
    private readonly units: number,
    private readonly onProgress?: CallOptions['onProgress'],
  ) {}

  report(unit: number, fraction: number, message: string, starting = false): void {
    if (!this.onProgress || this.units <= 0) return;
    const percent = Math.min(100, Math.max(this.last, Math.floor(((unit + Math.min(1, Math.max(0, fraction))) / this.units) * 100)));
    if (percent === this.last && !starting) return;
    this.last = percent;
    this.onProgress(percent, message);
  }
}

/** A backup's image on its way from the hypervisor's staging folder to the store host. */
export class StagedCopy {
  constructor(
    private readonly hv: HostSession,
    private readonly store: HostSession,
    private readonly storeDir: string,
  ) {}

  get dir(): string {
    return stagingDirOf(this.storeDir);
  }

  imageOf(m: Pick<Manifest, 'id'>): string {
    return `${this.dir}/${m.id}.qcow2`;
  }

  /** Drydock's folder on the hypervisor and its staging folder: created root 0700 if absent, refused if unsafe. */
  async prepare(signal?: AbortSignal): Promise<void> {
    await checkStore(this.hv, this.storeDir, signal);
    await checkStore(this.hv, this.dir, signal);
  }

  /**
   * A converted image this run can still send without a new snapshot: its
   * checksum and size recorded, and its bytes staged on the hypervisor or
   * already in the store (a crash after the copy, before the manifest).
   */
  async ready(m: Manifest, signal?: AbortSignal): Promise<boolean> {
    if (!m.sha256 || m.sizeBytes === undefined) return false;
    const [staged, stored] = await Promise.all([regularSize(this.hv, this.imageOf(m), signal), regularSize(this.store, `${this.storeDir}/${m.id}.qcow2`, signal)]);
    return staged === m.sizeBytes || stored === m.sizeBytes;
  }

  /** Convert the frozen base into the staging folder and record its checksum and size in `m`. */
  async stage(m: Manifest, onPercent: (percent: number) => void, signal?: AbortSignal): Promise<void> {
    const image = this.imageOf(m);
    // A copy of an earlier staging of this backup (another point in time) is stale: never resumed onto, never kept.
    const stored = `${this.storeDir}/${m.id}.qcow2`;
    await this.store.check(sh`rm -f -- ${stored} ${`${stored}.partial`}`, { asRoot: true, signal });
    delete m.sha256;
    delete m.sizeBytes;
    await convertImage(this.hv, m.source, image, onPercent, signal);
    m.sha256 = await sha256Of(this.hv, image, signal);
    m.sizeBytes = (await regularSize(this.hv, image, signal)) ?? undefined;
    if (m.sizeBytes === undefined) throw new DrydockError('COMMAND_FAILED', `${this.hv.host.name}:${image} is missing right after qemu-img convert wrote it`);
  }

  /** The staged image to the store host (resumable, verified against the recorded SHA-256). */
  async send(m: Manifest, options?: CallOptions): Promise<CopyResult> {
    if (!m.sha256 || m.sizeBytes === undefined) throw new DrydockError('INTERNAL', `Backup ${m.id} has no recorded checksum to send against`);
    try {
      // The store folder is Drydock's own (root, 0700, checked by checkStore): the copy's partial stays in it, and the
      // image is root's with mode 0600 like every stored backup.
      return await copyImage({ source: this.hv, image: this.imageOf(m), manifest: { ...m, state: 'completed' }, target: this.store, dest: `${this.storeDir}/${m.id}.qcow2`, staging: this.storeDir, owner: '0:0' }, options);
    } catch (err) {
      if (!(err instanceof DrydockError) || err.code === 'CANCELLED') throw err;
      // copyImage speaks of restores; say what it means for a backup, and how to go on.
      throw new DrydockError(
        err.code,
        `Copying backup ${m.id} from ${this.hv.host.name}:${this.imageOf(m)} to ${this.store.host.name}:${this.storeDir} failed: ${err.message} ` +
          `The domain is not on an overlay (committed back before the copy); the staged image is kept on ${this.hv.host.name}: resume the run to go on copying (drydock runs resume), or delete the backup to remove it.`,
        err.details,
      );
    }
  }

  /**
   * Send every unfinished backup of the run, mark each completed in the
   * store once its copy is verified there, then remove the staged images
   * (also those of backups an earlier attempt completed).
   */
  async sendAll(open: Manifest[], all: Manifest[], report: (unit: number, fraction: number, message: string, starting?: boolean) => void, signal?: AbortSignal): Promise<void> {
    for (const [i, m] of open.entries()) {
      report(i, 0, `copying ${m.id} to ${this.store.host.name}:${this.storeDir}`, true);
      await this.send(m, { signal, onProgress: (pct, message) => report(i, pct / 100, message) });
      m.state = 'completed';
      delete m.message;
      await writeManifest(this.store, this.storeDir, m, signal);
    }
    for (const m of all) await this.discard(m.id, signal);
  }

  /** The staged image and any partial convert of it, once the store holds the completed backup (or the backup is deleted). */
  async discard(id: string, signal?: AbortSignal): Promise<void> {
    const image = this.imageOf({ id });
    // Only inside a real root-owned 0700 staging folder: never through a symlink planted in its place.
    await this.hv.check(sh`d=${this.dir}; [ -d "$d" ] && [ ! -L "$d" ] && [ "$(readlink -f "$d")" = "$d" ] && [ "$(stat -c '%u %a' "$d")" = "0 700" ] || exit 0; rm -f -- ${image} ${`${image}.partial`}`, { asRoot: true, signal });
  }
}
