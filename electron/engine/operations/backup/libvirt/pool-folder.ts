/**
 * Where a restored image is put on the spare's hypervisor: the folder of the
 * spare's own image (libvirt's pool folder), and Drydock's staging folder
 * inside it. Drydock works there as root, so no one else may control any
 * component of those paths: a user who can write a folder on the way (say
 * libvirt-qemu, which owns the images) could swap a name for a symlink
 * between Drydock's check and its write, and root would then write, chown or
 * rename a file of that user's choosing. `[ -L ]` checks cannot close that
 * window; folders only root can change do:
 *
 * - every folder from `/` down to the pool folder is a real directory (no
 *   symlink) owned by root; the pool folder is writable by no one else, a
 *   folder above it either that or sticky (`/tmp`-like: others cannot rename
 *   root's entries in it);
 * - the copy is written in `<pool>/.drydock-restore`, root's, mode 0700 (same
 *   filesystem, so the finished image takes its name by an atomic rename),
 *   and only the verified image is given libvirt's owner and moved out.
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { sh } from '../../../ssh/quote';

export const STAGING_NAME = '.drydock-restore';

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`. */
export function foldersOnTheWay(dir: string): string[] {
  const parts = dir.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

interface Entry {
  type: string;
  uid: string;
  user: string;
  mode: number;
  path: string;
}

async function statAll(s: HostSession, paths: string[], signal?: AbortSignal): Promise<Entry[]> {
  // stat without -L describes a symlink itself, never what it points to.
  const out = await s.sudo(`stat -c '%F|%u|%U|%a|%n' -- ${paths.map((p) => sh`${p}`).join(' ')}`, { signal });
  const entries = out.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [type, uid, user, mode, ...path] = l.split('|');
    return { type, uid, user, mode: parseInt(mode, 8), path: path.join('|') };
  });
  if (out.code !== 0 || entries.length !== paths.length) throw new DrydockError('CONFLICT', `${s.host.name}: cannot check ${paths[paths.length - 1]} (${(out.stderr || out.stdout).trim()})`);
  return entries;
}

const modeText = (mode: number) => mode.toString(8).padStart(4, '0');

/** Refuse a folder (or a folder above it) that anyone but root could change; `doing` says what root would do there. Paths: checked by the caller (assertSafePath). */
async function checkFolders(s: HostSession, dir: string, extra: string[], doing: string, signal?: AbortSignal): Promise<Entry[]> {
  const folders = foldersOnTheWay(dir);
  const entries = await statAll(s, [...folders, ...extra], signal);
  for (const e of entries.slice(0, folders.length)) {
    const isPool = e.path === dir;
    const what = isPool ? `${s.host.name}:${dir}, the folder of the spare's image,` : `${s.host.name}:${e.path}, a folder on the way to ${dir},`;
    if (e.type !== 'directory') {
      throw new DrydockError('CONFLICT', `${what} is a ${e.type}, not a real directory: Drydock does not put a restored image behind a symlink. Point the spare's disk at an image in a real folder, then retry.`);
    }
    const othersWrite = (e.mode & 0o022) !== 0;
    const sticky = (e.mode & 0o1000) !== 0;
    if (e.uid !== '0' || (othersWrite && (isPool || !sticky))) {
      throw new DrydockError(
        'CONFLICT',
        `${what} is owned by ${e.user} (uid ${e.uid}) with mode ${modeText(e.mode)}: Drydock ${doing} there as root only when the folder is root's and no group or other user can write it (whoever can write it could swap in a symlink and have root write or chown a file of their choosing). Nothing was written or renamed there. Make it root's and closed to others (chown root: ${e.path}; chmod go-w ${e.path} — libvirt keeps reading images by their own owner and mode), or move the spare's disk to such a folder; then retry.`,
      );
    }
  }
  return entries.slice(folders.length);
}

/**
 * The pool folder a restored image goes to, checked (checkFolders); returns
 * the owner (uid:gid) of the spare's current image, which the restored image
 * gets (the user libvirt runs QEMU as, or root when libvirt hands images
 * over at start).
 */
export async function checkPoolFolder(s: HostSession, dir: string, spareImage: string, signal?: AbortSignal): Promise<string> {
  const [image] = await checkFolders(s, dir, [spareImage], 'writes the restored image', signal);
  if (!image.type.startsWith('regular')) throw new DrydockError('CONFLICT', `${s.host.name}:${spareImage}, the spare's image, is a ${image.type}: Drydock restores beside a disk image that is a regular file only`);
  const owner = await s.check(sh`stat -c '%u:%g' -- ${spareImage}`, { asRoot: true, signal });
  return owner.trim();
}

/** The folder of a disk image Drydock renames as root (detach keeps it, attach puts it back). */
export async function checkImageFolder(s: HostSession, image: string, signal?: AbortSignal): Promise<void> {
  await checkFolders(s, image.slice(0, image.lastIndexOf('/')) || '/', [], 'renames disk images', signal);
}

/**
 * Drydock's staging folder in a checked pool folder: created root's, 0700;
 * one that is there must be exactly that (a symlink, another owner or a wider
 * mode is refused, not repaired: Drydock did not make it so).
 */
export async function stagingFolder(s: HostSession, poolDir: string, signal?: AbortSignal): Promise<string> {
  const d = `${poolDir}/${STAGING_NAME}`;
  const out = await s.sudo(sh`d=${d}; if [ ! -e "$d" ] && [ ! -L "$d" ]; then mkdir -m 0700 -- "$d" && chown -h 0:0 -- "$d"; fi; stat -c '%F|%u|%a' -- "$d"`, { signal });
  const [type, uid, mode] = out.stdout.trim().split('|');
  if (out.code !== 0 || type !== 'directory' || uid !== '0' || mode !== '700') {
    throw new DrydockError(
      'CONFLICT',
      `${s.host.name}:${d} is ${out.code !== 0 ? `not usable (${(out.stderr || out.stdout).trim()})` : `a ${type} owned by uid ${uid} with mode ${mode}`}: Drydock stages restored images only in a real root-owned 0700 folder it made. Look at what it is, move it away, then retry.`,
    );
  }
  return d;
}
