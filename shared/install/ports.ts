/**
 * The guide's port tables (ops-facts.md "Ports", admin-commands.md §2) as
 * data: what must be free or listening on each machine before install, and
 * what each machine must reach, probed from the machine itself.
 */

export type Proto = 'tcp' | 'udp';

/** On the machine itself: `free` (CircleCI will bind it) or `listening` (must already answer). */
export interface LocalPort {
  roles: readonly ('services' | 'nomad' | 'spare')[];
  proto: Proto;
  /** One port, or an inclusive range. */
  port: number;
  to?: number;
  expect: 'free' | 'listening';
  use: string;
  /** Programs that legitimately hold it once installed (a re-run after install passes). */
  owners?: readonly string[];
}

const SERVICES = ['services', 'spare'] as const;

export const LOCAL_PORTS: readonly LocalPort[] = [
  { roles: SERVICES, proto: 'tcp', port: 22, expect: 'listening', use: 'SSH for administrators', owners: ['sshd'] },
  { roles: SERVICES, proto: 'tcp', port: 80, expect: 'free', use: 'HTTP for users and GitHub webhooks', owners: ['docker-proxy', 'nginx', 'frontend'] },
  { roles: SERVICES, proto: 'tcp', port: 443, expect: 'free', use: 'HTTPS for users and GitHub webhooks', owners: ['docker-proxy', 'nginx', 'frontend'] },
  { roles: SERVICES, proto: 'tcp', port: 4434, expect: 'free', use: 'user traffic (HTTPS)', owners: ['docker-proxy'] },
  { roles: SERVICES, proto: 'tcp', port: 8800, expect: 'free', use: 'the Replicated admin console', owners: ['replicated-ui', 'replicated'] },
  { roles: SERVICES, proto: 'tcp', port: 8081, expect: 'free', use: 'CircleCI internal (ELB 8081)', owners: ['docker-proxy'] },
  { roles: SERVICES, proto: 'tcp', port: 4647, expect: 'free', use: 'Nomad RPC from the clients', owners: ['nomad', 'docker-proxy'] },
  { roles: SERVICES, proto: 'tcp', port: 8585, expect: 'free', use: "the output processor's gRPC from the clients", owners: ['docker-proxy'] },
  { roles: SERVICES, proto: 'tcp', port: 7171, expect: 'free', use: 'vm-service from the clients', owners: ['docker-proxy'] },
  { roles: SERVICES, proto: 'tcp', port: 3001, expect: 'free', use: 'vm-service from the clients', owners: ['docker-proxy'] },
  { roles: SERVICES, proto: 'udp', port: 8125, expect: 'free', use: 'statsd metrics from the clients', owners: ['docker-proxy', 'telegraf'] },
  { roles: ['nomad'], proto: 'tcp', port: 22, expect: 'listening', use: 'SSH for administrators', owners: ['sshd'] },
  { roles: ['nomad'], proto: 'tcp', port: 4646, expect: 'free', use: "the Nomad client's HTTP API", owners: ['nomad'] },
  { roles: ['nomad'], proto: 'tcp', port: 64535, to: 65535, expect: 'free', use: 'SSH into builds for users', owners: ['docker-proxy'] },
];

/** A machine that must reach another, by role; probed from `from`. */
export interface Reach {
  from: readonly ('services' | 'nomad')[];
  to: 'services' | 'nomad' | 'ghe';
  proto: Proto;
  ports: readonly number[];
  use: string;
}

export const REACH: readonly Reach[] = [
  { from: ['nomad'], to: 'services', proto: 'tcp', ports: [4647], use: 'Nomad RPC' },
  { from: ['nomad'], to: 'services', proto: 'tcp', ports: [8585], use: 'output-processor gRPC (blocked: jobs stay queued)' },
  { from: ['nomad'], to: 'services', proto: 'tcp', ports: [7171, 3001], use: 'vm-service' },
  { from: ['nomad'], to: 'services', proto: 'udp', ports: [8125], use: 'statsd metrics' },
  { from: ['services', 'nomad'], to: 'ghe', proto: 'tcp', ports: [22, 80, 443], use: 'GitHub Enterprise: git over SSH, API' },
  // Users' own network is out of reach; the Services machine stands in for them (the two ends of the range).
  { from: ['services'], to: 'nomad', proto: 'tcp', ports: [64535, 65535], use: 'SSH into builds (users → clients, both ends of the range sampled from the Services machine)' },
];

export function portLabel(p: { proto: Proto; port: number; to?: number }): string {
  return `${p.port}${p.to ? `–${p.to}` : ''}/${p.proto}`;
}
