/**
 * The practice installation: which hosts it has, what each holds before the
 * admin touches it (the files a real CircleCI Server 2.x site has), and the
 * inventory that names them. Addresses are fixed (127.0.79.x) so a kept
 * installation comes back where its inventory and known_hosts expect it.
 */
import type { LabHostSpec } from '../test/lab/lab';
import type { HostRole } from '../shared/hosts';

export const DEMO_NET = '127.0.79.';

export interface DemoHost {
  name: string;
  role: HostRole;
  address: string;
  /** Reached through this host (ProxyJump). */
  jump?: string;
}

export const DEMO_HOSTS: DemoHost[] = [
  { name: 'bastion', role: 'bastion', address: `${DEMO_NET}2` },
  { name: 'services', role: 'services', address: `${DEMO_NET}3` },
  { name: 'nomad-1', role: 'nomad', address: `${DEMO_NET}4`, jump: 'bastion' },
  { name: 'nomad-2', role: 'nomad', address: `${DEMO_NET}5`, jump: 'bastion' },
  { name: 'spare', role: 'spare', address: `${DEMO_NET}6` },
  { name: 'ghe', role: 'ghe', address: `${DEMO_NET}7` },
];

/** Where the practice services listen (the lab's hosts use .2-.19). */
export const PROXY_ADDRESS = `${DEMO_NET}20`;
export const ORIGIN_ADDRESS = `${DEMO_NET}21`;
export const GHE_PORT = 443;
/** The EC2 API simulator: a fixed endpoint, so a kept installation's backup profile still points at it. */
export const EC2_ADDRESS = `${DEMO_NET}22`;
export const EC2_PORT = 8773;
/** 20× EC2's pace: the Services machine's 8 GiB root snapshot completes in about 1.5 s, a stop in under 1 s. */
export const EC2_SPEED = 20;

const address = (name: string) => DEMO_HOSTS.find((h) => h.name === name)!.address;

function replicatedConf(hostname: string): string {
  return JSON.stringify(
    {
      DaemonAuthenticationType: 'password',
      DaemonAuthenticationPassword: 'practice-only-pw',
      TlsBootstrapType: 'self-signed',
      TlsBootstrapHostname: hostname,
      BypassPreflightChecks: true,
    },
    null,
    2,
  ) + '\n';
}

/** /etc/default/replicated{,-operator} as the 2.x backup page shows them: the machine's own private address. */
function replicatedDefaults(ip: string, node: string): Record<string, string> {
  return {
    '/etc/default/replicated': `PRIVATE_ADDRESS=${ip}\nREPLICATED_OPTS=" -e DAEMON_TOKEN=practice0token0not0secret -e LOG_LEVEL=info -e NODENAME=${node}"\n`,
    '/etc/default/replicated-operator': `DAEMON_ENDPOINT=[${ip}]:9879\nDAEMON_HOST=[${ip}]\nPRIVATE_ADDRESS=${ip}\n`,
  };
}

const ENVIRONMENT = 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games"\n';
const CUSTOMIZATIONS = '# CircleCI Server installation customizations\nexport CIRCLE_URL="https://ci.practice.test"\nexport JVM_HEAP_SIZE="4g"\n';

/** The Nomad client's agent config, pointing at the Services machine (admin-commands.md §2). */
function nomadConfig(own: string, services: string): string {
  return [
    'log_level = "DEBUG"',
    'data_dir = "/opt/nomad"',
    'datacenter = "default"',
    `advertise { http = "${own}"  rpc = "${own}"  serf = "${own}" }`,
    'client {',
    '    enabled = true',
    `    servers = ["${services}:4647"]`,
    '    node_class = "linux-64bit"',
    '    options = {"driver.raw_exec.enable" = "1"}',
    '}',
    'telemetry {',
    '    publish_node_metrics = true',
    `    statsd_address = "${services}:8125"`,
    '}',
    '',
  ].join('\n');
}

/** Lab specs in DEMO_HOSTS order (startLab's addresses follow the same order); with a real Docker daemon's socket folder for the Services machine. */
export function labSpecs(dockerSocketDir?: string): LabHostSpec[] {
  const services = address('services');
  return DEMO_HOSTS.map((h): LabHostSpec => {
    switch (h.name) {
      case 'services':
        return {
          name: h.name,
          standins: true,
          ...(dockerSocketDir ? { docker: { socketDir: dockerSocketDir } } : {}),
          files: {
            '/etc/replicated.conf': { content: replicatedConf('ci.practice.test'), mode: 0o600 },
            ...replicatedDefaults(h.address, h.name),
            '/etc/circle-installation-customizations': CUSTOMIZATIONS,
            '/etc/environment': ENVIRONMENT,
          },
        };
      case 'spare':
        // A hot spare: Replicated installed, the app stopped, its own address.
        return {
          name: h.name,
          standins: true,
          files: {
            '/etc/replicated.conf': { content: replicatedConf('ci.practice.test'), mode: 0o600 },
            ...replicatedDefaults(h.address, h.name),
            '/etc/environment': ENVIRONMENT,
            '/var/lib/lab/replicated/state': 'stopped\n',
          },
        };
      case 'nomad-1':
      case 'nomad-2':
        return {
          name: h.name,
          standins: true,
          files: {
            '/etc/nomad/config.hcl': nomadConfig(h.address, services),
            '/etc/environment': ENVIRONMENT,
            '/var/lib/lab/docker/containers': '',
          },
        };
      default:
        return { name: h.name };
    }
  });
}

/** The inventory the demo's DRYDOCK_HOME starts with (keys not trusted: that is the admin's first step). */
export function inventoryHosts(keyPath: string) {
  return DEMO_HOSTS.map((h) => ({
    name: h.name,
    address: h.address,
    port: 22,
    user: 'root',
    role: h.role,
    keyPath,
    ...(h.jump ? { jump: h.jump } : {}),
  }));
}
