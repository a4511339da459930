/**
 * What the guide asks of each machine before CircleCI Server 2.x goes on it
 * (ops-facts.md "Topology", admin-commands.md §1–2), as data: the preflight
 * engine, the wizard, the CLI and the tests all read these numbers from here.
 */
import type { HostRole } from '../hosts';

export const GiB = 1024 ** 3;
export const GB = 1000 ** 3;

/** Each Nomad client holds this back for coordination; builds get the rest. */
export const CLIENT_RESERVED = { cpus: 2, memoryBytes: 4 * GiB } as const;
/** The guide's largest Nomad client. */
export const CLIENT_MAX = { cpus: 64, memoryBytes: 128 * GiB } as const;
/** CircleCI Server 2.x's published minimum for the Services machine: below it is a warning, not a failure. */
export const SERVICES_MIN = { cpus: 8, memoryBytes: 32 * GiB, diskBytes: 100 * GB } as const;

/**
 * /proc/meminfo's MemTotal is what the kernel keeps after its own reservations:
 * a 32 GB VM reports about 31.3 GiB. Memory within this share of a figure
 * counts as having it.
 */
export const MEMORY_TOLERANCE = 0.94;

export const RESOURCE_CLASSES = [
  { name: 'small', cpus: 1, memoryBytes: 2 * GiB },
  { name: 'medium', cpus: 2, memoryBytes: 4 * GiB },
  { name: 'large', cpus: 4, memoryBytes: 8 * GiB },
] as const;
export type ResourceClassName = (typeof RESOURCE_CLASSES)[number]['name'];
/** CircleCI's default resource class. */
export const DEFAULT_CLASS: ResourceClassName = 'medium';

/** Where the admin's bundle goes unless told otherwise (the bundle push's default). */
export const DEFAULT_BUNDLE_DIR = '/var/lib/drydock/bundle';

/** The roles preflight looks at: the machines CircleCI Server runs on. */
export const PREFLIGHT_ROLES: readonly HostRole[] = ['services', 'nomad', 'spare'];

/** A path whose filesystem needs room, per role; the spare is checked as a Services machine. */
export interface DiskNeed {
  path: string;
  roles: readonly HostRole[];
  /** Below this much free space: fail. */
  minFreeBytes: number;
  why: string;
}

export const DISK_NEEDS: readonly DiskNeed[] = [
  { path: '/', roles: ['services', 'spare', 'nomad'], minFreeBytes: 5 * GiB, why: 'the OS, logs and package installs' },
  { path: '/var/lib/docker', roles: ['services', 'spare'], minFreeBytes: 40 * GiB, why: 'the ~40 CircleCI containers and their images' },
  { path: '/var/lib/replicated', roles: ['services', 'spare'], minFreeBytes: 10 * GiB, why: "Replicated's state, the unpacked air-gap bundle and snapshots" },
  { path: '/var/lib/docker', roles: ['nomad'], minFreeBytes: 20 * GiB, why: 'build images and containers' },
  { path: '/opt/nomad', roles: ['nomad'], minFreeBytes: 2 * GiB, why: "Nomad's data_dir (allocations, build workspaces' metadata)" },
];

/** The bundle's target: fail below the bundle's size when known, else below this. */
export const BUNDLE_MIN_FREE = 10 * GiB;

/** Distributions CircleCI Server 2.x was run on in the field (ids from /etc/os-release). */
export const SUPPORTED_OS: readonly { id: string; versions: readonly string[]; label: string }[] = [
  { id: 'ubuntu', versions: ['16.04', '18.04', '20.04', '22.04'], label: 'Ubuntu 16.04–22.04' },
  { id: 'rhel', versions: ['7', '8', '9'], label: 'RHEL 7–9' },
  { id: 'centos', versions: ['7', '8'], label: 'CentOS 7–8' },
  { id: 'rocky', versions: ['8', '9'], label: 'Rocky Linux 8–9' },
  { id: 'almalinux', versions: ['8', '9'], label: 'AlmaLinux 8–9' },
];

/** Docker versions CircleCI shipped with 2.x (Services: 17.12.1 or 18.09.9; clients 18.09.9). */
export const DOCKER_VERSIONS: readonly string[] = ['17.12.1', '18.09.9'];

/** Clock skew, in seconds: TLS, Nomad heartbeats and Replicated's license checks get unreliable past these. */
export const CLOCK = { warnSeconds: 2, failSeconds: 30 } as const;

/** How long a TCP probe waits before calling a port filtered. */
export const PROBE_TIMEOUT_SECONDS = 3;
