/**
 * What a CircleCI support engineer asks for, per host role: Replicated's
 * logs and state, each container's recent log, Nomad's status, the config
 * files the guide names, and the machine's vital signs. Read-only; each
 * item is one command (as root), so one that fails is listed, not fatal.
 */
import type { HostRole } from '../../../../shared/hosts';
import type { HostSession } from '../../ssh/session';
import { quote } from '../../ssh/quote';

export interface CollectedFile {
  /** Path inside the host's folder of the bundle. */
  path: string;
  text: string;
}

export interface Collected {
  files: CollectedFile[];
  missing: { item: string; why: string }[];
}

interface Item {
  /** Bundle path (under the host's folder). */
  path: string;
  command: string;
}

const COMMON: Item[] = [
  { path: 'system/df.txt', command: 'df -h' },
  { path: 'system/free.txt', command: 'free -m' },
  { path: 'system/uptime.txt', command: 'uptime' },
  { path: 'system/dmesg-tail.txt', command: 'dmesg | tail -n 200' },
  { path: 'files/etc/environment', command: 'cat /etc/environment' },
];

const SERVICES: Item[] = [
  { path: 'docker/ps-a.txt', command: 'docker ps -a' },
  { path: 'replicated/app-status-inspect.json', command: 'replicatedctl app status inspect' },
  { path: 'nomad/status.txt', command: 'docker exec nomad nomad status' },
  { path: 'nomad/node-status.txt', command: 'docker exec nomad nomad node-status -allocs' },
  { path: 'files/etc/replicated.conf', command: 'cat /etc/replicated.conf' },
  { path: 'files/etc/circle-installation-customizations', command: 'cat /etc/circle-installation-customizations' },
];

const NOMAD: Item[] = [
  { path: 'docker/ps-a.txt', command: 'docker ps -a' },
  { path: 'nomad/node-status-self.txt', command: 'nomad node-status -self' },
  { path: 'files/etc/nomad/config.hcl', command: 'cat /etc/nomad/config.hcl' },
];

/** A path from the host made safe as a bundle path: no "..", no odd characters. */
export function safeBundlePath(p: string): string {
  return p
    .split('/')
    .filter((c) => c && c !== '.' && c !== '..')
    .map((c) => c.replace(/[^A-Za-z0-9._@+-]/g, '_'))
    .join('/');
}

const said = (r: { stdout: string; stderr: string; code: number | null }) =>
  `exit ${r.code ?? 'none'}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`;

export async function collectHost(session: HostSession, role: HostRole, tailLines: number, signal?: AbortSignal, progress?: (note: string) => void): Promise<Collected> {
  const out: Collected = { files: [], missing: [] };
  const items = [...COMMON, ...(role === 'services' ? SERVICES : role === 'nomad' ? NOMAD : [])];
  const run = async (item: Item) => {
    const r = await session.sudo(item.command, { signal, timeoutMs: 120_000 });
    if (r.code === 0) out.files.push({ path: item.path, text: r.stdout });
    else out.missing.push({ item: item.command, why: said(r) });
    return r;
  };
  for (const item of items) await run(item);

  if (role === 'services' || role === 'nomad') {
    // Every container's recent log (stdout and stderr together, as `docker logs` shows them).
    const names = await session.sudo(`docker ps -a --format '{{.Names}}'`, { signal, timeoutMs: 60_000 });
    if (names.code === 0) {
      const list = names.stdout.split('\n').map((n) => n.trim()).filter((n) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n));
      progress?.(`logs of ${list.length} containers`);
      for (const name of list) {
        await run({ path: `docker/logs/${name}.log`, command: `docker logs --tail ${Math.floor(tailLines)} ${quote(name)} 2>&1` });
      }
    } else out.missing.push({ item: 'docker logs', why: `docker ps failed: ${said(names)}` });
  }

  if (role === 'services') {
    // /var/log/replicated: every regular file, its last 2 MB.
    const list = await session.sudo(`find /var/log/replicated -xdev -type f 2>/dev/null | head -n 500`, { signal, timeoutMs: 60_000 });
    const files = list.stdout.split('\n').filter((f) => f.startsWith('/var/log/replicated/'));
    if (!files.length) out.missing.push({ item: '/var/log/replicated', why: 'no files there' });
    for (const f of files) await run({ path: `files/${safeBundlePath(f)}`, command: `tail -c 2000000 ${quote(f)}` });
  }
  return out;
}
