/**
 * A restored disk on the spare's hypervisor: its id (`host:/path`), the
 * folder it may go to, and its manifest in Drydock's store there (which
 * backup it holds, its SHA-256, the tags a refresh-spare records).
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { sh } from '../../../ssh/quote';
import { assertSafePath } from './domain-disk';

/** Tag naming the spare domain a restored disk is for (else the profile's spareDomain). */
export const SPARE_DOMAIN_TAG = 'drydock:spare-domain';

export const DISK_MANIFEST_KIND = 'drydock-libvirt-restored-disk';
export interface DiskManifest {
  kind: typeof DISK_MANIFEST_KIND;
  version: 1;
  image: string;
  backup: string;
  sha256: string;
  createdAt: string;
  tags: Record<string, string>;
}

const diskManifestFile = (storeDir: string, image: string) => `${storeDir}/restored${image.replace(/\//g, '_')}.json`;

export async function writeDiskManifest(s: HostSession, storeDir: string, m: DiskManifest, signal?: AbortSignal): Promise<void> {
  const file = diskManifestFile(storeDir, m.image);
  const body = Buffer.from(JSON.stringify(m, null, 2) + '\n').toString('base64');
  await s.check(sh`umask 077; printf %s ${body} | base64 -d > ${`${file}.tmp`} && mv -f ${`${file}.tmp`} ${file}`, { asRoot: true, signal });
}

export async function readDiskManifest(s: HostSession, storeDir: string, image: string, signal?: AbortSignal): Promise<DiskManifest | null> {
  const file = diskManifestFile(storeDir, image);
  const out = await s.check(sh`f=${file}; [ -f "$f" ] && [ ! -L "$f" ] && cat "$f"; true`, { asRoot: true, signal });
  try {
    const m = JSON.parse(out) as DiskManifest;
    return m.kind === DISK_MANIFEST_KIND && m.image === image ? m : null;
  } catch {
    return null;
  }
}

export function parseDiskId(id: string, defaultHost: string): { host: string; image: string } {
  const at = id.indexOf(':/');
  const [host, image] = at > 0 ? [id.slice(0, at), id.slice(at + 1)] : [defaultHost, id];
  assertSafePath(image);
  return { host, image };
}

export async function waitFor(read: () => Promise<string>, wanted: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if ((await read()) === wanted) return true;
    if (Date.now() >= until) return false;
    if (signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
    await new Promise((r) => setTimeout(r, 250));
  }
}
