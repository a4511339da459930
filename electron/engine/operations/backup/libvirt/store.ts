/**
 * The backup store on the hypervisor: a directory Drydock keeps root-owned,
 * mode 0700, reached by no symlink anywhere on its path. Each backup is an
 * image and a manifest beside it (domain, disk, time, mode, size, SHA-256,
 * Drydock version, tags); the manifests are the catalog.
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { quote, sh } from '../../../ssh/quote';

export const MANIFEST_KIND = 'drydock-libvirt-backup';

export interface Manifest {
  kind: typeof MANIFEST_KIND;
  version: 1;
  id: string;
  domain: string;
  disk: string;
  root: boolean;
  /** The disk image that was copied (the frozen base). */
  source: string;
  mode: string;
  createdAt: string;
  state: 'pending' | 'completed' | 'error';
  message?: string;
  /** Bytes of the stored image, and the disk's virtual size. */
  sizeBytes?: number;
  virtualSizeBytes: number;
  sha256?: string;
  drydockVersion: string;
  tags: Record<string, string>;
}

/** Create the store if absent (root, 0700); refuse one that is a symlink, not root's, or open to others. */
export async function checkStore(session: HostSession, dir: string, signal?: AbortSignal): Promise<void> {
  const script = sh`d=${dir}
if [ ! -e "$d" ] && [ ! -L "$d" ]; then mkdir -p -m 700 "$d" && chown 0:0 "$d"; fi
[ -L "$d" ] && { echo "symlink"; exit 3; }
[ "$(readlink -f "$d")" = "$d" ] || { echo "path through a symlink: $(readlink -f "$d")"; exit 3; }
[ -d "$d" ] || { echo "not a directory"; exit 3; }
stat -c '%u %a' "$d"`;
  const out = await session.sudo(script, { signal });
  const said = out.stdout.trim();
  if (out.code !== 0) throw new DrydockError('CONFLICT', `${session.host.name}:${dir} is not a safe backup store (${said || out.stderr.trim()}); Drydock keeps backups only in a real root-owned 0700 directory`);
  const [uid, mode] = said.split(' ');
  if (uid !== '0' || mode !== '700') {
    throw new DrydockError('CONFLICT', `${session.host.name}:${dir} is owned by uid ${uid} with mode ${mode}; a backup store must be root's with mode 700 (chown root: and chmod 700 it, or choose another directory)`);
  }
}

export async function writeManifest(session: HostSession, dir: string, m: Manifest, signal?: AbortSignal): Promise<void> {
  const file = `${dir}/${m.id}.json`;
  const tmp = `${file}.tmp`;
  const body = Buffer.from(JSON.stringify(m, null, 2) + '\n').toString('base64');
  await session.check(sh`umask 077; printf %s ${body} | base64 -d > ${tmp} && mv -f ${tmp} ${file}`, { asRoot: true, signal });
}

/** A run's unfinished manifests say why it failed (a recorded checksum is kept: a resume sends what is staged). */
export async function markFailed(session: HostSession, dir: string, manifests: Manifest[], err: unknown): Promise<void> {
  for (const m of manifests.filter((x) => x.state !== 'completed')) {
    m.state = 'error';
    m.message = (err as Error).message;
    await writeManifest(session, dir, m).catch(() => undefined);
  }
}

/** Every manifest in the store, in one round trip. */
export async function readManifests(session: HostSession, dir: string, signal?: AbortSignal): Promise<Manifest[]> {
  const out = await session.check(sh`cd ${dir} 2>/dev/null || exit 0; for f in *.json; do [ -f "$f" ] && [ ! -L "$f" ] && base64 -w0 < "$f" && echo; done; true`, { asRoot: true, signal });
  const found: Manifest[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    try {
      const m = JSON.parse(Buffer.from(line, 'base64').toString('utf8')) as Manifest;
      if (m.kind === MANIFEST_KIND) found.push(m);
    } catch {
      /* not one of ours */
    }
  }
  return found;
}

/**
 * SHA-256 of a stored image. OpenSSL's digest uses the CPU's SHA extensions
 * (measured 4–5x faster than coreutils' sha256sum here: the checksum was most
 * of a backup's time); sha256sum where OpenSSL is absent. Same digest.
 */
export async function sha256Of(session: HostSession, file: string, signal?: AbortSignal): Promise<string> {
  const f = quote(file);
  const out = await session.check(`if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r ${f}; else sha256sum ${f}; fi`, { asRoot: true, signal });
  return out.trim().split(/\s+/)[0];
}

/** An image checked against its manifest before anything (a restore) uses it. */
export async function verifyImage(session: HostSession, dir: string, m: Manifest, signal?: AbortSignal): Promise<void> {
  if (m.state !== 'completed' || !m.sha256) throw new DrydockError('CONFLICT', `Backup ${m.id} is ${m.state}: it cannot be used`);
  const actual = await sha256Of(session, `${dir}/${m.id}.qcow2`, signal);
  if (actual !== m.sha256) throw new DrydockError('CONFLICT', `Backup ${m.id} does not match its manifest (SHA-256 ${actual}, manifest says ${m.sha256}): the image is damaged or was changed`);
}
