/**
 * Verdicts on what one host is: OS, cores and memory, disks, Docker, names
 * it resolves, proxy settings. Pure: measured facts in, checks out.
 */
import type { PreflightCheck } from './preflight';
import type { HostMeasure } from './measure';
import {
  BUNDLE_MIN_FREE,
  CLIENT_MAX,
  CLIENT_RESERVED,
  DISK_NEEDS,
  DOCKER_VERSIONS,
  GiB,
  MEMORY_TOLERANCE,
  RESOURCE_CLASSES,
  SERVICES_MIN,
  SUPPORTED_OS,
} from './requirements';

export interface AssessContext {
  circleHostname: string | null;
  gheHostname: string | null;
  bundleDir: string;
  bundleBytes?: number;
}

export const gib = (bytes: number) => `${(bytes / GiB).toFixed(bytes < 10 * GiB ? 1 : 0)} GiB`;

type Check = Omit<PreflightCheck, 'host' | 'group'>;
const check = (id: string, title: string, status: Check['status'], value: string, fix = ''): Check => ({ id, title, status, value, fix: status === 'pass' ? '' : fix });

export function assessOs(m: HostMeasure): Check[] {
  if (!m.os) return [];
  const { id, name, version, kernel } = m.os;
  const known = SUPPORTED_OS.find((o) => o.id === id);
  const ok = !!known && known.versions.some((v) => version === v || version.startsWith(`${v}.`));
  const value = `${name} ${version} (kernel ${kernel})`;
  return [
    check('os', 'Operating system', ok ? 'pass' : 'warn', value, `Use one of ${SUPPORTED_OS.map((o) => o.label).join(', ')}, which CircleCI Server 2.x ran on, or accept the risk of an untested distribution.`),
  ];
}

export function assessResources(m: HostMeasure): Check[] {
  if (!m.resources) return [];
  const { cpus, memoryBytes } = m.resources;
  const out: Check[] = [];
  if (m.role === 'nomad') {
    const usableCpus = cpus - CLIENT_RESERVED.cpus;
    const usableMem = memoryBytes - CLIENT_RESERVED.memoryBytes * MEMORY_TOLERANCE;
    const small = RESOURCE_CLASSES[0];
    const medium = RESOURCE_CLASSES[1];
    const cpuStatus = usableCpus < small.cpus ? 'fail' : usableCpus < medium.cpus ? 'warn' : cpus > CLIENT_MAX.cpus ? 'warn' : 'pass';
    out.push(
      check(
        'cpu',
        'CPUs (2 held back for Nomad)',
        cpuStatus,
        `${cpus} vCPUs, ${Math.max(0, usableCpus)} for builds`,
        cpus > CLIENT_MAX.cpus
          ? `Use clients of at most ${CLIENT_MAX.cpus} vCPUs (the guide's maximum): split this one into smaller clients.`
          : `Give this client at least ${CLIENT_RESERVED.cpus + medium.cpus} vCPUs: ${CLIENT_RESERVED.cpus} are held back for coordination and a medium build needs ${medium.cpus}.`,
      ),
    );
    const memStatus = usableMem < small.memoryBytes * MEMORY_TOLERANCE ? 'fail' : usableMem < medium.memoryBytes * MEMORY_TOLERANCE ? 'warn' : memoryBytes > CLIENT_MAX.memoryBytes ? 'warn' : 'pass';
    out.push(
      check(
        'memory',
        'Memory (4 GB held back for Nomad)',
        memStatus,
        `${gib(memoryBytes)}, ${gib(Math.max(0, memoryBytes - CLIENT_RESERVED.memoryBytes))} for builds`,
        memoryBytes > CLIENT_MAX.memoryBytes
          ? `Use clients of at most ${gib(CLIENT_MAX.memoryBytes)} (the guide's maximum): split this one into smaller clients.`
          : `Give this client at least ${gib(CLIENT_RESERVED.memoryBytes + medium.memoryBytes)} of memory: 4 GiB are held back for coordination and a medium build needs 4 GiB.`,
      ),
    );
  } else {
    out.push(
      check('cpu', 'CPUs', cpus < SERVICES_MIN.cpus ? 'warn' : 'pass', `${cpus} vCPUs`, `Give the Services machine at least ${SERVICES_MIN.cpus} vCPUs, CircleCI Server 2.x's published minimum.`),
      check(
        'memory',
        'Memory',
        memoryBytes < SERVICES_MIN.memoryBytes * MEMORY_TOLERANCE ? 'warn' : 'pass',
        gib(memoryBytes),
        `Give the Services machine at least ${gib(SERVICES_MIN.memoryBytes)} of memory, CircleCI Server 2.x's published minimum.`,
      ),
    );
  }
  return out;
}

export function assessDisks(m: HostMeasure, ctx: AssessContext): Check[] {
  if (!m.disks) return [];
  const out: Check[] = [];
  const at = (path: string) => m.disks!.find((d) => d.path === path);
  for (const need of DISK_NEEDS.filter((n) => n.roles.includes(m.role))) {
    const d = at(need.path);
    if (!d) {
      out.push(check(`disk:${need.path}`, `Free space for ${need.path}`, 'fail', 'not measured', `Check that df works on ${need.path} (or its parent) as the login user.`));
      continue;
    }
    const where = d.mount === need.path ? '' : ` (on ${d.mount})`;
    out.push(
      check(
        `disk:${need.path}`,
        `Free space for ${need.path}`,
        d.freeBytes < need.minFreeBytes ? 'fail' : 'pass',
        `${gib(d.freeBytes)} free of ${gib(d.sizeBytes)}${where}`,
        `Free or add space on ${d.mount} for ${need.why}: at least ${gib(need.minFreeBytes)} free.`,
      ),
    );
  }
  if (m.role !== 'nomad') {
    const root = at('/var/lib/replicated') ?? at('/');
    if (root) {
      out.push(
        check('size:disk', 'Disk size', root.sizeBytes < SERVICES_MIN.diskBytes ? 'warn' : 'pass', `${gib(root.sizeBytes)} on ${root.mount}`, 'Give the Services machine at least 100 GB of disk, CircleCI Server 2.x\'s published minimum.'),
      );
    }
  }
  const bundle = at(ctx.bundleDir);
  if (bundle) {
    const need = ctx.bundleBytes ?? BUNDLE_MIN_FREE;
    out.push(
      check(
        `disk:bundle`,
        `Free space for the bundle (${ctx.bundleDir})`,
        bundle.freeBytes < need ? 'fail' : 'pass',
        `${gib(bundle.freeBytes)} free on ${bundle.mount}`,
        `Free at least ${gib(need)} on ${bundle.mount}${ctx.bundleBytes ? ' (the bundle\'s size)' : ''}, or push the bundle to another folder.`,
      ),
    );
  }
  return out;
}

export function assessDocker(m: HostMeasure): Check[] {
  if (!m.docker) return [];
  const { client, server } = m.docker;
  if (!client) {
    return [check('docker', 'Docker', 'warn', 'not installed', 'Push the Docker .deb files with the bundle: the install step installs them (the air-gap installer does not).')];
  }
  const version = server ?? client;
  const known = DOCKER_VERSIONS.some((v) => version.startsWith(v));
  const value = `client ${client}, daemon ${server ?? 'not answering'}`;
  if (!server) return [check('docker', 'Docker', 'warn', value, 'Start the Docker daemon (systemctl start docker) and give the login user access, or let the install step set it up.')];
  return [check('docker', 'Docker', known ? 'pass' : 'warn', value, `CircleCI Server 2.x shipped with Docker ${DOCKER_VERSIONS.join(' or ')}: install that version from the bundle, or accept an untested one.`)];
}

export function assessDns(m: HostMeasure, ctx: AssessContext): Check[] {
  if (!m.dns) return [];
  const out: Check[] = [];
  for (const kind of ['circleci', 'ghe'] as const) {
    const name = kind === 'circleci' ? ctx.circleHostname : ctx.gheHostname;
    const label = kind === 'circleci' ? 'the CircleCI hostname' : 'GitHub Enterprise';
    if (!name) {
      out.push(check(`dns:${kind}`, `DNS: ${label}`, 'warn', 'not checked: no hostname given', kind === 'circleci' ? 'Give the hostname CircleCI will serve (--circle-hostname) so every host can be checked to resolve it.' : 'Add the GitHub Enterprise host to the inventory (role ghe) or give --ghe HOST.'));
      continue;
    }
    const found = m.dns.find((d) => d.kind === kind);
    const ok = !!found && found.addresses.length > 0;
    out.push(
      check(
        `dns:${kind}`,
        `DNS: ${label} (${name})`,
        ok ? 'pass' : 'fail',
        ok ? found!.addresses.join(', ') : 'does not resolve',
        `Make ${name} resolvable from this host (its DNS server, or an /etc/hosts entry, which several CircleCI containers copy).`,
      ),
    );
  }
  return out;
}

export function assessProxy(m: HostMeasure): Check[] {
  if (!m.proxy) return [];
  const { expected, found, missing, unreadable } = m.proxy;
  if (unreadable.length) return [check('proxy', 'Proxy settings', 'warn', `could not read ${unreadable.join(', ')}`, 'Run preflight as root or with a sudo password so the root-only proxy files can be read.')];
  if (expected) {
    return [
      check(
        'proxy',
        'Proxy settings',
        missing.length ? 'fail' : 'pass',
        missing.length ? `missing in ${missing.join(', ')}` : `set in ${found.join(', ')}`,
        'Apply the proxy settings again from the Proxy page (drydock proxy apply): the files Drydock wrote have lost them.',
      ),
    ];
  }
  return [check('proxy', 'Proxy settings', 'pass', found.length ? `set by hand in ${found.join(', ')}` : 'no proxy configured')];
}
