/**
 * What the backup asks the Services machine over SSH: the addresses Replicated
 * holds (recorded with the snapshot for restore's preview), running builds
 * (the Nomad server is inside the app's `nomad` container), and where data
 * lives off the snapshotted disks (/etc/fstab and `mount`).
 */
import type { Inventory } from '../../inventory/inventory';
import type { HostSession } from '../../ssh/session';
import type { Machine } from './provider';

/** The inventory's Services machine: the one at the machine's private address, else the only one. */
export function servicesHostFor(inventory: Inventory, machine: Machine): string | undefined {
  const all = inventory.list().filter((h) => h.role === 'services');
  return (all.find((h) => machine.privateAddress && h.address === machine.privateAddress) ?? (all.length === 1 ? all[0] : undefined))?.name;
}

function envValue(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = new RegExp(`^\\s*(?:export\\s+)?${name}=(.*)$`).exec(line);
    if (m) return m[1].trim().replace(/^(["'])(.*)\1$/, '$2') || undefined;
  }
  return undefined;
}

/** PRIVATE_ADDRESS / PUBLIC_ADDRESS from /etc/default/replicated* (or /etc/sysconfig on RHEL). */
export async function replicatedAddresses(session: HostSession, signal?: AbortSignal): Promise<{ private?: string; public?: string }> {
  const out = await session.run('cat /etc/default/replicated /etc/default/replicated-operator /etc/sysconfig/replicated /etc/sysconfig/replicated-operator 2>/dev/null', { signal });
  const priv = envValue(out.stdout, 'PRIVATE_ADDRESS');
  const pub = envValue(out.stdout, 'PUBLIC_ADDRESS');
  return { ...(priv ? { private: priv } : {}), ...(pub ? { public: pub } : {}) };
}

/** Jobs the Nomad server reports as running (`docker exec nomad nomad status`). */
export async function runningBuilds(session: HostSession, signal?: AbortSignal): Promise<number> {
  const out = await session.check('docker exec nomad nomad status', { asRoot: true, signal });
  const lines = out.trim().split('\n');
  if (!lines[0] || /^No running jobs/.test(lines[0])) return 0;
  const header = lines[0].trim().split(/\s+/);
  const col = header.findIndex((h) => h.toLowerCase() === 'status');
  return lines.slice(1).filter((l) => l.trim().split(/\s+/)[col] === 'running').length;
}

const NETWORK_FS = /^(nfs4?|cifs|smb3|glusterfs|ceph|fuse\.sshfs|9p|lustre)$/;
const LOCAL_STORAGE = '/data/circle/storage-fileserver';

interface MountLine {
  source: string;
  target: string;
  type: string;
}

function parseMounts(text: string): MountLine[] {
  // Both /proc/mounts and /etc/fstab: SOURCE TARGET TYPE OPTIONS …
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .filter((f) => f.length >= 3)
    .map(([source, target, type]) => ({ source, target: target.replace(/\\040/g, ' '), type }));
}

/** Data a snapshot of these disks would not hold, in the admin's words. */
export async function offDiskWarnings(session: HostSession, rootOnly: boolean, signal?: AbortSignal): Promise<string[]> {
  const fstab = await session.run('cat /etc/fstab 2>/dev/null', { signal });
  const mounts = await session.run('cat /proc/mounts', { signal });
  const storage = await session.run(`test -d ${LOCAL_STORAGE} && df -P ${LOCAL_STORAGE} | tail -1`, { signal });
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const m of [...parseMounts(mounts.stdout), ...parseMounts(fstab.stdout)]) {
    if (seen.has(m.target)) continue;
    if (NETWORK_FS.test(m.type)) {
      seen.add(m.target);
      warnings.push(`${m.target} is a network mount (${m.type} from ${m.source}): no disk snapshot holds it; back it up where it lives and mount it at the same place on restore`);
    } else if (rootOnly && m.source.startsWith('/dev/') && !['/', '/boot', '/boot/efi'].includes(m.target) && m.type !== 'swap') {
      seen.add(m.target);
      warnings.push(`${m.target} is on another disk (${m.source}): a root-only backup leaves it out; back up all volumes to include it`);
    }
  }
  if (storage.code === 0 && storage.stdout.trim()) {
    const mountedOn = storage.stdout.trim().split(/\s+/).pop() ?? '/';
    const onNetwork = parseMounts(mounts.stdout).some((m) => m.target === mountedOn && NETWORK_FS.test(m.type));
    if (onNetwork || (rootOnly && mountedOn !== '/')) warnings.push(`Local object storage ${LOCAL_STORAGE} is on ${mountedOn}, which this backup does not hold`);
  }
  return warnings;
}
