/**
 * Swapping a libvirt domain's root disk for restore, in the domain's
 * persistent definition (`--config`; the domain is shut off):
 *
 * - detach: the disk's element is saved (Drydock's store on that hypervisor),
 *   `virsh detach-disk --config`, then its image is renamed `<path>.drydock-kept`:
 *   kept, never deleted, and plainly not in use;
 * - attach: the saved element (boot order, cache, bus, address…) pointed at
 *   the new image, `virsh attach-device --config`. Attaching a path whose
 *   image was kept renames it back first: that is how undo puts the spare's
 *   own disk back.
 *
 * A device that already holds another image is never given a second one
 * (never two roots); every step checks the definition first, so a run
 * resumed half way through finds what is done.
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { quote, sh } from '../../../ssh/quote';
import { checkImageFolder } from './pool-folder';

export const KEPT_SUFFIX = '.drydock-kept';
export const keptPathOf = (image: string): string => `${image}${KEPT_SUFFIX}`;

const SAFE_PATH = /^\/[A-Za-z0-9._/+-]+$/;
const SAFE_DEVICE = /^[a-z]{2,3}[a-z0-9]{1,4}$/;

export function assertSafePath(p: string): void {
  if (!SAFE_PATH.test(p) || p.split('/').includes('..')) throw new DrydockError('INVALID_INPUT', `Drydock only handles disk images at plain absolute paths (letters, digits, ".", "_", "+", "-"): ${p}`);
}

export interface DiskElement {
  xml: string;
  target: string;
  source: string | null;
}

/** The <disk device='disk'> elements of a domain definition (they never nest). */
export function diskElements(domainXml: string): DiskElement[] {
  return [...domainXml.matchAll(/<disk\b[^>]*>[\s\S]*?<\/disk>/g)]
    .map((m) => m[0])
    .filter((xml) => /device=['"]disk['"]/.test(xml.slice(0, xml.indexOf('>'))))
    .map((xml) => ({
      xml,
      target: /<target\b[^>]*\bdev=['"]([^'"]+)['"]/.exec(xml)?.[1] ?? '',
      source: /<source\b[^>]*\bfile=['"]([^'"]+)['"]/.exec(xml)?.[1] ?? null,
    }));
}

/** The saved element pointed at a new image of the given format (no backing chain: the image stands alone). */
export function pointElementAt(template: string, image: string, format: string): string {
  assertSafePath(image);
  let xml = template.replace(/<backingStore\b[^>]*\/>|<backingStore\b[\s\S]*?<\/backingStore>/g, '');
  xml = xml.replace(/^<disk\b[^>]*>/, (open) => open.replace(/\btype=['"][^'"]*['"]/, "type='file'"));
  xml = /<source\b[^>]*\/>/.test(xml) || /<source\b[^>]*>/.test(xml) ? xml.replace(/<source\b[^>]*?(\/?)>/, `<source file='${image}'$1>`) : xml.replace(/<target\b/, `<source file='${image}'/><target`);
  xml = /<driver\b/.test(xml) ? xml.replace(/(<driver\b[^>]*?)\btype=['"][^'"]*['"]/, `$1type='${format}'`) : xml.replace(/<source\b/, `<driver name='qemu' type='${format}'/><source`);
  return xml;
}

export function minimalElement(image: string, device: string, format: string): string {
  if (!SAFE_DEVICE.test(device)) throw new DrydockError('INVALID_INPUT', `Not a disk target: ${device}`);
  const bus = device.startsWith('vd') ? 'virtio' : device.startsWith('sd') ? 'scsi' : 'ide';
  return pointElementAt(`<disk type='file' device='disk'><driver name='qemu' type='${format}'/><source file='${image}'/><target dev='${device}' bus='${bus}'/></disk>`, image, format);
}

export interface DomainAccess {
  session: HostSession;
  domain: string;
  virsh(args: string): Promise<string>;
  /** Drydock's checked store on this hypervisor (root 0700), for the saved elements. */
  storeDir: string;
}

const templateFile = (a: DomainAccess, device: string) => `${a.storeDir}/${a.domain}-${device}.disk.xml`;

async function shutOff(a: DomainAccess, what: string): Promise<void> {
  const state = (await a.virsh(`domstate ${quote(a.domain)}`)).trim();
  if (state !== 'shut off') throw new DrydockError('CONFLICT', `${a.domain} is ${state}: stop it before ${what} (its disks are swapped only while it is shut off)`);
}

async function exists(s: HostSession, p: string): Promise<'file' | 'none' | 'other'> {
  const out = await s.check(sh`f=${p}; if [ -L "$f" ]; then echo other; elif [ -f "$f" ]; then echo file; elif [ -e "$f" ]; then echo other; else echo none; fi`, { asRoot: true });
  return out.trim() as 'file' | 'none' | 'other';
}

export async function detachDomainDisk(a: DomainAccess, device: string, image: string): Promise<void> {
  assertSafePath(image);
  await shutOff(a, `detaching ${device}`);
  // Before anything changes: the image is renamed as root in its folder, which no one else may control.
  await checkImageFolder(a.session, image);
  const el = diskElements(await a.virsh(`dumpxml --inactive ${quote(a.domain)}`)).find((d) => d.target === device);
  if (el) {
    if (el.source !== image) throw new DrydockError('CONFLICT', `${a.domain} ${device} is ${el.source ?? 'not a file'}, not ${image}: nothing was detached`);
    const body = Buffer.from(el.xml).toString('base64');
    await a.session.check(sh`umask 077; printf %s ${body} | base64 -d > ${templateFile(a, device)}`, { asRoot: true });
    await a.virsh(`detach-disk ${quote(a.domain)} ${quote(device)} --config`);
  }
  const kept = keptPathOf(image);
  const [now, keptNow] = await Promise.all([exists(a.session, image), exists(a.session, kept)]);
  if (now === 'file' && keptNow === 'none') await a.session.check(sh`mv -T -n -- ${image} ${kept} && [ -f ${kept} ] && [ ! -e ${image} ]`, { asRoot: true });
  else if (now === 'file') throw new DrydockError('CONFLICT', `${a.session.host.name}:${kept} already exists, so ${image} (detached from ${a.domain} ${device}) was not renamed: move the older kept image away, then retry`);
  else if (keptNow !== 'file') throw new DrydockError('CONFLICT', `${a.session.host.name}: neither ${image} nor ${kept} exists after detaching it from ${a.domain}`);
}

export async function attachDomainDisk(a: DomainAccess, device: string, image: string): Promise<void> {
  assertSafePath(image);
  await shutOff(a, `attaching ${image}`);
  await checkImageFolder(a.session, image);
  const current = diskElements(await a.virsh(`dumpxml --inactive ${quote(a.domain)}`)).find((d) => d.target === device);
  if (current?.source === image) return;
  if (current) throw new DrydockError('CONFLICT', `${a.domain} ${device} already holds ${current.source ?? 'a disk'}: detach it first (a domain never gets two root disks)`);

  const kept = keptPathOf(image);
  const [now, keptNow] = await Promise.all([exists(a.session, image), exists(a.session, kept)]);
  if (now === 'none' && keptNow === 'file') await a.session.check(sh`mv -T -n -- ${kept} ${image} && [ -f ${image} ]`, { asRoot: true });
  else if (now !== 'file') throw new DrydockError('NOT_FOUND', `${a.session.host.name}:${image} is ${now === 'none' ? 'missing' : 'not a regular file'}: nothing was attached to ${a.domain}`);
  else if (keptNow === 'file') throw new DrydockError('CONFLICT', `${a.session.host.name}: both ${image} and ${kept} exist; which one ${a.domain} should boot is for you to decide: move one away, then retry`);

  const info = JSON.parse(await a.session.check(`qemu-img info -U --output=json ${quote(image)}`, { asRoot: true })) as { format: string };
  const template = (await a.session.sudo(sh`cat ${templateFile(a, device)} 2>/dev/null || true`)).stdout;
  const el = template.startsWith('<disk') ? pointElementAt(template, image, info.format) : minimalElement(image, device, info.format);
  const file = `${a.storeDir}/${a.domain}-${device}.attach.xml`;
  await a.session.check(sh`umask 077; printf %s ${Buffer.from(el).toString('base64')} | base64 -d > ${file}`, { asRoot: true });
  try {
    await a.virsh(`attach-device ${quote(a.domain)} ${quote(file)} --config`);
  } finally {
    await a.session.check(sh`rm -f -- ${file}`, { asRoot: true });
  }
  const after = diskElements(await a.virsh(`dumpxml --inactive ${quote(a.domain)}`)).find((d) => d.target === device);
  if (after?.source !== image) throw new DrydockError('COMMAND_FAILED', `${a.domain} ${device} is ${after?.source ?? 'absent'} after attaching ${image}`);
}
