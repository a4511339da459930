/**
 * What the engine measured on one host, before any verdict: the input of
 * assess.ts. Each part is absent when its group was not run (a re-run of
 * failed checks only) and carries `error` when the host could not answer it.
 */
import type { Proto } from './ports';

export type ProbeOutcome = 'open' | 'refused' | 'timeout' | 'unreachable' | 'unresolved' | 'error';

export interface Probe {
  /** `services`, `ghe` or a Nomad client's inventory name. */
  target: string;
  address: string;
  proto: Proto;
  port: number;
  outcome: ProbeOutcome;
  detail: string;
}

export interface Listener {
  proto: Proto;
  address: string;
  port: number;
  process?: string;
}

export interface DiskMeasure {
  path: string;
  /** The mount point holding the path (or its nearest existing parent). */
  mount: string;
  freeBytes: number;
  sizeBytes: number;
}

export interface HostMeasure {
  host: string;
  role: 'services' | 'nomad' | 'spare';
  address: string;
  /** Could not log in or run the script at all. */
  error?: string;
  os?: { id: string; name: string; version: string; kernel: string };
  resources?: { cpus: number; memoryBytes: number };
  disks?: DiskMeasure[];
  docker?: { client: string | null; server: string | null };
  /** Host clock minus laptop clock, and half the round trip it was read over. */
  clock?: { offsetMs: number; uncertaintyMs: number };
  dns?: { name: string; kind: 'circleci' | 'ghe'; addresses: string[] }[];
  listeners?: Listener[];
  probes?: Probe[];
  /** UDP 8125 to the Services machine: `received` only when Drydock's listener got this host's datagram. */
  udp?: { outcome: 'received' | 'not-received' | 'not-checkable'; detail: string };
  /** Proxy variables: `expected` when Drydock's proxy feature configured this host. */
  proxy?: { expected: boolean; found: string[]; missing: string[]; unreadable: string[] };
}
