/**
 * The Restore wizard's world in e2e: lab hosts for the primary Services
 * machine, the hot spare and two Nomad clients; the EC2 simulator whose
 * `services` and `spare` instances have the lab hosts' addresses; an AWS
 * backup profile and one completed backup, made through the engine's own
 * channels as the Backup page makes them. The server reads the simulator's
 * keys from its environment (set here before any server starts), so a
 * `drydock serve` restarted mid-run still reaches it.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { Ec2Simulator } from '../ec2-sim/server';
import { startLab, type Lab } from '../lab/lab';
import { test as base } from './fixtures';
import { rpc } from './rpc';

export { rpc };

export interface RestoreWorld {
  lab: Lab;
  sim: Ec2Simulator;
  /**
   * What the spare's boot on the restored disk looks like: its lab host
   * takes the primary's files (keeping its own address) and a new host key,
   * which cloud-init prints on the console ('console') or not ('unproven':
   * the run must stop for the admin).
   */
  reimage(hostKey: 'console' | 'unproven'): void;
  /** The restored frontend does not answer (true) or answers again (false). */
  frontendDown(down: boolean): Promise<void>;
  /** Hold the spare's boot (StartInstances answers once released): a run waiting inside a step. Returns the release. */
  holdBoot(): () => void;
  stop(): Promise<void>;
}

const awsDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-restore-aws-'));
const SIM_KEYS = { accessKeyId: 'AKIADRYDOCKRESTOREE2E', secretAccessKey: 'drydock/restore/e2e/secret/0000000000000' };

/**
 * Environment every `drydock serve` of these tests inherits (set when this
 * module loads, before any server starts): the simulator's keys only,
 * nothing from this machine's ~/.aws.
 */
function useSimulatorKeys(): void {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: SIM_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SIM_KEYS.secretAccessKey,
    AWS_CONFIG_FILE: path.join(awsDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(awsDir, 'credentials'),
    DRYDOCK_BACKUP_POLL_MS: '50',
    DRYDOCK_RESTORE_POLL_MS: '50',
  });
  delete process.env.AWS_PROFILE;
}
useSimulatorKeys();

/**
 * The installation's hostname in the restored app config: `localhost`, so
 * the check from this computer stays on the machine (the air gap of the
 * e2e server) and resolves to an address that is not the spare's, as a
 * DNS record not switched yet does.
 */
export const HOSTNAME = 'localhost';

export const NAMES = { primary: 'rs-services', spare: 'rs-spare', nomad: ['rs-nomad1', 'rs-nomad2'] } as const;

export async function startRestoreWorld(speed = 200): Promise<RestoreWorld> {
  const lab = await startLab([
    { name: NAMES.primary, standins: true },
    { name: NAMES.spare, standins: true },
    { name: NAMES.nomad[0], standins: true },
    { name: NAMES.nomad[1], standins: true },
  ]);
  const primary = lab.hosts[NAMES.primary];
  primary.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${primary.ip}\nPUBLIC_ADDRESS=203.0.113.10\nREPLICATED_OPTS=""\n`);
  primary.writeFile('/etc/default/replicated-operator', `DAEMON_ENDPOINT=[${primary.ip}]:9879\nDAEMON_HOST=[${primary.ip}]\nPRIVATE_ADDRESS=${primary.ip}\n`);
  primary.writeFile('/var/lib/lab/replicated/transition-ms', '100');
  for (const name of NAMES.nomad) {
    lab.hosts[name].writeFile('/etc/nomad/config.hcl', `client {\n  enabled = true\n  servers = ["${primary.ip}:4647"]\n}\ntelemetry {\n  statsd_address = "${primary.ip}:8125"\n}\n`);
  }
  const sim = new Ec2Simulator({
    speed,
    ...SIM_KEYS,
    instances: [
      { name: 'services', privateIp: primary.ip },
      { name: 'spare', privateIp: lab.hosts[NAMES.spare].ip },
    ],
  });
  await sim.start();
  const spare = lab.hosts[NAMES.spare];
  const servers: Server[] = [];
  let hostKey: 'console' | 'unproven' = 'console';
  let held: Promise<void> | undefined;
  let down = false;
  let booted = false;

  sim.onBoot = async ({ instanceId, name }) => {
    if (name !== 'spare') return;
    for (const f of ['/etc/default/replicated', '/etc/default/replicated-operator']) spare.writeFile(f, primary.readFile(f)!);
    spare.writeFile('/var/lib/lab/replicated/transition-ms', '100');
    // The primary's app config came with the disk: the hostname users reach CircleCI by.
    spare.writeFile('/var/lib/lab/replicated/app-config/hostname.value', HOSTNAME);
    spare.writeFile('/opt/nomad/data/client/client-id', 'primary-client-id\n');
    spare.writeFile('/var/lib/lab/nomad/nodes', '');
    await spare.replaceHostKey();
    const block = `-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 ${spare.fingerprint} root@ip-10-0-1-11 (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----\n`;
    sim.setConsoleOutput(instanceId, `[  OK  ] Started Initial cloud-init job.\n${hostKey === 'console' ? `ec2: \n${block}` : ''}Cloud-init v. 21.4 finished.\n`);
    // The restored frontend answers on the spare's address once it has booted.
    booted = true;
    if (servers.length === 0 && !down) servers.push(await frontend(spare.ip));
    await held;
  };

  // A Nomad client whose config names the spare joins it: the spare's `nomad node-status` lists it ready.
  const joins = setInterval(() => {
    if (!spare.running) return;
    const ready = NAMES.nomad.filter((n) => (lab.hosts[n].readFile('/etc/nomad/config.hcl') ?? '').includes(`"${spare.ip}:4647"`));
    const rows = ready.map((n, i) => `${i}a${i}b${i}c${i}d default ${n} linux-64bit false eligible ready`).join('\n');
    if ((spare.readFile('/var/lib/lab/nomad/nodes') ?? '').trim() !== rows) spare.writeFile('/var/lib/lab/nomad/nodes', rows ? `${rows}\n` : '');
  }, 200);

  return {
    lab,
    sim,
    reimage(choice) {
      hostKey = choice;
    },
    async frontendDown(value) {
      down = value;
      if (down) for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
      else if (booted && servers.length === 0) servers.push(await frontend(spare.ip));
    },
    holdBoot() {
      let release = () => undefined as void;
      held = new Promise<void>((r) => (release = r));
      return () => {
        release();
        held = undefined;
      };
    },
    async stop() {
      clearInterval(joins);
      for (const s of servers) await new Promise((r) => s.close(r));
      await sim.stop();
      await lab.stop();
    },
  };
}

/** The frontend's health endpoint (admin-commands.md §6) on the restored spare's address. */
function frontend(ip: string): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health-check' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/health-check' ? 'OK' : 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(80, ip, () => resolve(server));
  });
}

/** The inventory (trusted keys), the AWS profile and one completed backup of the primary. */
export async function prepareInstallation(page: Page, url: string, world: RestoreWorld): Promise<{ backupId: string }> {
  const { lab, sim } = world;
  const roles: [string, string][] = [
    [NAMES.primary, 'services'],
    [NAMES.spare, 'spare'],
    [NAMES.nomad[0], 'nomad'],
    [NAMES.nomad[1], 'nomad'],
  ];
  for (const [name, role] of roles) {
    const host = lab.hosts[name];
    await rpc(page, url, 'hosts:add', { name, address: host.ip, port: host.port, user: 'root', role, keyPath: lab.clientKey });
    await rpc(page, url, 'hosts:trust', { name, fingerprint: host.fingerprint });
  }
  await rpc(page, url, 'backup:profile-set', { name: 'prod', provider: 'aws', instance: 'services', region: sim.region, endpoint: sim.endpoint, imds: false });
  const backup = await rpc<{ runId: string; summary: string }>(page, url, 'backup:run', { profile: 'prod', mode: 'live', volumes: 'all', wait: true });
  return { backupId: backup.runId };
}

/** A test with a restore world of its own: each test changes the spare and the clients (its own lab and simulator). */
export const test = base.extend<{ world: RestoreWorld }>({
  world: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const world = await startRestoreWorld();
      try {
        await use(world);
      } finally {
        await world.stop();
      }
    },
    { timeout: 120_000 },
  ],
});
