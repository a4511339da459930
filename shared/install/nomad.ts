/**
 * A Nomad client's files and the Nomad CLI's tables, as pure functions
 * (admin-commands.md §2, server-static-install's provisioning script): the
 * Docker daemon's userns-remap, /etc/nomad/config.hcl pointing at the
 * Services machine, the systemd unit, and `nomad node-status` read back.
 */

export const DAEMON_JSON = '/etc/docker/daemon.json';
export const NOMAD_CONFIG = '/etc/nomad/config.hcl';
export const NOMAD_UNIT = '/etc/systemd/system/nomad.service';
export const NOMAD_BINARY = '/usr/bin/nomad';
export const NOMAD_RPC_PORT = 4647;
export const STATSD_PORT = 8125;
export const CI_NETWORK = 'ci-privileged';

export class DaemonJsonError extends Error {}

/** daemon.json with `"userns-remap": "default"`, every other key kept. */
export function renderDaemonJson(current: string | null): string {
  let conf: Record<string, unknown> = {};
  if (current !== null && current.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(current);
    } catch (err) {
      throw new DaemonJsonError(`${DAEMON_JSON} is not valid JSON (${(err as Error).message}); fix it by hand first`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DaemonJsonError(`${DAEMON_JSON} does not hold a JSON object; fix it by hand first`);
    conf = parsed as Record<string, unknown>;
    if (conf['userns-remap'] === 'default') return current;
  }
  return JSON.stringify({ ...conf, 'userns-remap': 'default' }, null, 2) + '\n';
}

export interface NomadClientConfig {
  /** The client's own address, advertised for http, rpc and serf. */
  advertise: string;
  /** The Services machine's private address (the Nomad server and statsd). */
  servicesAddress: string;
}

const hclString = (s: string) => JSON.stringify(s);

/** /etc/nomad/config.hcl as CircleCI's provisioning script writes it, with nomad-metrics telemetry. */
export function renderNomadConfig(c: NomadClientConfig): string {
  return [
    '# Written by Drydock: a CircleCI Server 2.x Nomad client (admin-commands.md §2).',
    'log_level = "DEBUG"',
    'data_dir = "/opt/nomad"',
    'datacenter = "default"',
    '',
    'advertise {',
    `  http = ${hclString(c.advertise)}`,
    `  rpc = ${hclString(c.advertise)}`,
    `  serf = ${hclString(c.advertise)}`,
    '}',
    '',
    'client {',
    '  enabled = true',
    `  servers = [${hclString(`${c.servicesAddress}:${NOMAD_RPC_PORT}`)}]`,
    '  node_class = "linux-64bit"',
    '  options = {"driver.raw_exec.enable" = "1"}',
    '}',
    '',
    'telemetry {',
    '  publish_node_metrics = true',
    `  statsd_address = ${hclString(`${c.servicesAddress}:${STATSD_PORT}`)}`,
    '}',
    '',
  ].join('\n');
}

export function renderNomadUnit(): string {
  return [
    '# Written by Drydock: the Nomad client agent (CircleCI Server 2.x).',
    '[Unit]',
    'Description=Nomad client for CircleCI Server',
    'Wants=network-online.target docker.service',
    'After=network-online.target docker.service',
    '',
    '[Service]',
    `ExecStart=${NOMAD_BINARY} agent -config ${NOMAD_CONFIG}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export interface NomadNode {
  id: string;
  dc: string;
  name: string;
  nodeClass: string;
  drain: boolean;
  eligibility: string;
  status: string;
  /** With `node-status -allocs` only. */
  runningAllocs?: number;
}

/**
 * `nomad node-status [-allocs]`: a header row (ID DC Name Class Drain
 * Eligibility Status [Running Allocs]) and one row per node; "No nodes
 * registered" is an empty list.
 */
export function parseNodeStatus(text: string): NomadNode[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const header = lines.findIndex((l) => /^ID\s+DC\s+Name\s+Class\s+Drain/.test(l));
  if (header < 0) {
    if (lines.some((l) => /No nodes registered/i.test(l))) return [];
    throw new Error(`not a nomad node-status table: ${lines[0] ?? '(empty)'}`);
  }
  const withAllocs = /Running Allocs/.test(lines[header]);
  return lines.slice(header + 1).map((l) => {
    const c = l.split(/\s+/);
    const node: NomadNode = { id: c[0], dc: c[1], name: c[2], nodeClass: c[3], drain: c[4] === 'true', eligibility: c[5], status: c[6] };
    if (withAllocs && c[7] !== undefined) node.runningAllocs = Number(c[7]);
    return node;
  });
}
