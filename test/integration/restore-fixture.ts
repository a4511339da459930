/**
 * The restore tests' world: a primary Services machine, a hot spare and two
 * Nomad clients (real lab hosts with the CircleCI stand-ins), the EC2
 * simulator whose `services` and `spare` instances have the lab hosts'
 * addresses, a completed backup of the primary's root, and an engine whose
 * channels are called as the GUI and CLI call them.
 *
 * The glue that makes the simulator's disk swap real: when the simulator
 * starts the spare from the restored volume, the spare lab host is
 * "re-imaged" with the primary's CircleCI files (keeping its own address),
 * and presents either the primary's host key or a new one that the spare's
 * console output reports (or, for the refusal test, a new one it does not).
 * When it starts from its own root again (an abort), its own files and key
 * come back. A Nomad client whose config points at the spare and whose nomad
 * was restarted registers with the spare's Nomad (the stand-in's node list).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RestorePlanRequest, RestoreRunResult } from '../../shared/channels/restore';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { CUSTOMIZATIONS, DOCKER_DROP_IN, ENVIRONMENT, renderCustomizations, renderDockerDropIn, renderEnvironment, type ProxySettings } from '../../shared/proxy/render';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { AwsProvider } from '../../electron/engine/operations/backup/aws/aws-provider';
import { Ec2Simulator, type ReadyLine } from '../ec2-sim/server';
import type { SimSecurityGroup } from '../ec2-sim/model';
import { ISOLATES_TAG } from '../../electron/engine/operations/backup/aws/isolate';
import { startLab, type Lab, type LabHost } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

export type KeyMode = 'primary' | 'console' | 'unproven';

/** What the re-imaged spare carries: the primary's CircleCI state (tar of these paths). */
const CIRCLECI_PATHS = ['etc/default/replicated', 'etc/default/replicated-operator', 'etc/circle-installation-customizations', 'var/lib/lab/replicated', 'var/lib/lab/docker', 'var/lib/lab/units', 'opt/nomad'];

export interface RestoreWorld {
  lab: Lab;
  sim: Ec2Simulator;
  ready: ReadyLine;
  fx: EngineFixture;
  provider: AwsProvider;
  awsEnv: Record<string, string>;
  /** The backup's id (its run tag) and root snapshot. */
  backup: { id: string; snapshotId: string };
  spareId: string;
  spareRoot: string;
  /** Whether the frontend's health endpoint on the spare answers 200. */
  healthy: boolean;
  /** Key the spare shows after the next re-image. */
  keyMode: KeyMode;
  /** Fingerprints seen: the primary's, and the spare's own before any re-image. */
  keys: { primary: string; spareOwn: string; spareNow: () => string };
  reimages: number;
  /** The spare's security groups as EC2 has them now, and those Drydock made to isolate it. */
  spareGroups(): string[];
  isolatingGroups(): SimSecurityGroup[];
  /** At each start of the spare: the root it booted, its groups, and a copy of each of those groups as they were then. */
  spareBoots: { rootVolumeId: string; groups: SimSecurityGroup[] }[];
  call<C extends Channel>(channel: C, request: RequestOf<C>, emit?: (e: DrydockEvent) => void): Promise<ResponseOf<C>>;
  /** restore:plan, then restore:run of exactly that plan (its fingerprint), confirmed: what the GUI and CLI do. */
  runFromPlan(request: RestorePlanRequest, emit?: (e: DrydockEvent) => void): Promise<RestoreRunResult>;
  /** Values of a shell defaults file on a host, as the shell reads it (parsed, not grepped). */
  defaults(host: LabHost, file: string): Record<string, string>;
  /** The spare's root volume id(s) as EC2 has them attached at RootDeviceName. */
  rootsAttached(): string[];
  dispose(): Promise<void>;
}

const CONFIG_HCL = (services: string, self: string) => `log_level = "DEBUG"
data_dir = "/opt/nomad"
datacenter = "default"
advertise {
    http = "${self}"
    rpc = "${self}"
    serf = "${self}"
}
client {
    enabled = true
    servers = ["${services}:4647"]
    node_class = "linux-64bit"
    options = {"driver.raw_exec.enable" = "1"}
}
telemetry {
    publish_node_metrics = true
    statsd_address = "${services}:8125"
}
`;

/** `spareBehindBastion`: the spare is reached only through a jump host (inventory `jump`), as in a private subnet. */
export async function startRestoreWorld(options: { speed?: number; backupState?: 'completed' | 'error'; spareBehindBastion?: boolean } = {}): Promise<RestoreWorld> {
  const lab = await startLab([
    { name: 'services', standins: true },
    { name: 'spare', standins: true },
    { name: 'nomad1', standins: true },
    { name: 'nomad2', standins: true },
    ...(options.spareBehindBastion ? [{ name: 'bastion' }] : []),
  ]);
  const { services, spare, nomad1, nomad2 } = lab.hosts;
  services.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${services.ip}\nPUBLIC_ADDRESS=203.0.113.10\nREPLICATED_OPTS=" -e LOG_LEVEL=info -e NODENAME=services"\n`);
  services.writeFile('/etc/default/replicated-operator', `DAEMON_ENDPOINT=[${services.ip}]:9879\nDAEMON_HOST=[${services.ip}]\nPRIVATE_ADDRESS=${services.ip}\n`);
  services.writeFile('/var/lib/lab/replicated/transition-ms', '200');
  services.writeFile('/var/lib/lab/replicated/app-config/hostname.value', 'ci.restore-test.invalid');
  services.writeFile('/opt/nomad/data/server/raft.db', 'the primary nomad state\n');
  // The proxy feature's files as it writes them: the bypass lists name the primary's addresses.
  const proxy = proxySettingsFor(services.ip);
  services.writeFile(CUSTOMIZATIONS, renderCustomizations('export CIRCLE_URL="https://ci.restore-test.invalid"\n', proxy));
  for (const [c, name] of [[nomad1, 'nomad1'], [nomad2, 'nomad2']] as const) {
    c.writeFile(ENVIRONMENT, renderEnvironment('PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n', proxy));
    c.writeFile(DOCKER_DROP_IN, renderDockerDropIn(proxy));
    c.writeFile('/etc/nomad/config.hcl', CONFIG_HCL(services.ip, c.ip));
    services.exec(`mkdir -p /var/lib/lab/nomad && echo "${name === 'nomad1' ? '4e5f6a7b' : '8c9d0e1f'} default ${name} linux-64bit false eligible ready" >>/var/lib/lab/nomad/nodes`);
  }
  // The spare as it stands before any restore: its own (older) install, app stopped.
  spare.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${spare.ip}\nREPLICATED_OPTS=""\n`);
  spare.writeFile('/var/lib/lab/replicated/state', 'stopped');

  const sim = new Ec2Simulator({ speed: options.speed ?? 1000, instances: [{ name: 'services', privateIp: services.ip }, { name: 'spare', privateIp: spare.ip }] });
  const ready = await sim.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-restore-'));
  const awsEnv = {
    AWS_ACCESS_KEY_ID: ready.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ready.secretAccessKey,
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    DRYDOCK_RESTORE_POLL_MS: '40',
    DRYDOCK_HEALTH_ENDPOINT_HOST: spare.ip,
  };
  const saved = { ...process.env };
  Object.assign(process.env, awsEnv);
  const fx = await engineWithHosts(lab, [
    ...(options.spareBehindBastion ? [{ name: 'bastion', role: 'bastion' as const }] : []),
    { name: 'services', role: 'services' },
    { name: 'spare', role: 'spare', ...(options.spareBehindBastion ? { jump: 'bastion' } : {}) },
    { name: 'nomad1', role: 'nomad' },
    { name: 'nomad2', role: 'nomad' },
  ]);
  const handlers = createHandlers(fx.engine);
  const provider = new AwsProvider({ profile: { region: ready.region, endpoint: ready.endpoint, imds: false }, keys: { accessKeyId: ready.accessKeyId, secretAccessKey: ready.secretAccessKey } });
  const [primaryInst, spareInst] = ready.instances;

  // The backup: the primary's root, tagged as a Drydock backup of this installation.
  const profile = await dispatch(handlers, 'backup:profile-set', { name: 'prod', provider: 'aws', instance: primaryInst.id, region: ready.region, endpoint: ready.endpoint, imds: false }, { emit: () => undefined });
  if (!profile.ok) throw new Error(profile.error.message);
  if (options.backupState === 'error') sim.failNextSnapshot('Internal error: the snapshot could not be completed');
  const backupId = '2026-01-01-backup-run-0001';
  const [snap] = await provider.createSnapshots({
    machine: await provider.findMachine(primaryInst.id),
    disks: [{ id: primaryInst.rootVolumeId, device: '/dev/sda1', root: true, sizeGiB: 8 }],
    tags: { 'drydock:installation': profile.value.installationId, 'drydock:run': backupId, 'drydock:private-address': services.ip, 'drydock:public-address': '203.0.113.10', 'drydock:mode': 'live' },
    description: 'test backup',
  });
  for (let i = 0; i < 500; i++) {
    const [s] = await provider.listSnapshots({ ids: [snap.id] });
    if (s.state !== 'pending') break;
    await new Promise((r) => setTimeout(r, 10));
  }

  // The frontend's health endpoint on the spare's address (the curl in the verify step runs on the spare).
  const health: Server = createServer((req, res) => {
    res.writeHead(req.url === '/health-check' ? (world.healthy ? 200 : 503) : 404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => health.once('error', reject).listen(80, spare.ip, () => resolve()));

  // The spare's own state and key, to put back when it boots its own root again.
  const keyFile = (h: LabHost) => h.hostKeyPub.replace(/\.pub$/, '');
  const own = { tar: spare.exec(`cd / && tar -cf - --ignore-failed-read ${CIRCLECI_PATHS.join(' ')} 2>/dev/null | base64 -w0`).stdout, key: `${dir}/spare-own-key` };
  copyFileSync(keyFile(spare), own.key);
  copyFileSync(spare.hostKeyPub, `${own.key}.pub`);
  let spareFingerprint = spare.fingerprint;

  const world: RestoreWorld = {
    lab,
    sim,
    ready,
    fx,
    provider,
    awsEnv,
    backup: { id: backupId, snapshotId: snap.id },
    spareId: spareInst.id,
    spareRoot: spareInst.rootVolumeId,
    keyMode: 'console',
    healthy: true,
    keys: { primary: services.fingerprint, spareOwn: spare.fingerprint, spareNow: () => spareFingerprint },
    reimages: 0,
    spareGroups: () => [...(sim.world.instance(spareInst.id)!.groups ?? [])],
    isolatingGroups: () => (sim.world.state.securityGroups ?? []).filter((g) => g.tags.some((t) => t.Key === ISOLATES_TAG && t.Value === spareInst.id)),
    spareBoots: [],
    async call(channel, request, emit = () => undefined) {
      const result = await dispatch(handlers, channel, request, { emit });
      if (!result.ok) throw fromErrorPayload(result.error);
      return result.value as never;
    },
    async runFromPlan(request, emit) {
      const plan = await world.call('restore:plan', request);
      return world.call('restore:run', { ...request, planFingerprint: plan.fingerprint, confirmed: true }, emit);
    },
    defaults(host, file) {
      const out = host.exec(`env -i bash -c 'set -a; . ${file}; env -0'`).stdout;
      return Object.fromEntries(out.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    },
    rootsAttached() {
      const inst = sim.world.instance(spareInst.id)!;
      return sim.world.volumesOf(inst.id).filter((v) => v.attachment!.device === inst.rootDeviceName).map((v) => v.id);
    },
    async dispose() {
      clearInterval(registrar);
      await new Promise<void>((resolve) => health.close(() => resolve()));
      await provider.close();
      await fx.dispose();
      await sim.stop();
      await lab.stop();
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const setKey = async (from: string) => {
    copyFileSync(from, keyFile(spare));
    copyFileSync(`${from}.pub`, spare.hostKeyPub);
    await spare.stop();
    await spare.start();
  };
  const disks = new Map<string, { tar: string; key: string; fingerprint: string }>();
  sim.onBoot = async (boot) => {
    if (boot.instanceId !== spareInst.id) return;
    const groups = (sim.world.instance(spareInst.id)!.groups ?? []).map((id) => JSON.parse(JSON.stringify(sim.world.securityGroup(id))) as SimSecurityGroup);
    // A disk keeps what was written on it: leaving a restored disk, its files and host key are kept, and they are
    // what the spare shows when that disk boots again (a refreshed spare's disk, put back after a drill).
    const left = world.spareBoots.at(-1)?.rootVolumeId;
    world.spareBoots.push({ rootVolumeId: boot.rootVolumeId, groups });
    const wipe = `cd / && rm -rf ${CIRCLECI_PATHS.join(' ')}`;
    if (left && left !== boot.rootVolumeId && left !== spareInst.rootVolumeId) {
      const key = `${dir}/disk-${left}-key`;
      copyFileSync(keyFile(spare), key);
      copyFileSync(spare.hostKeyPub, `${key}.pub`);
      disks.set(left, { tar: spare.exec(`cd / && tar -cf - --ignore-failed-read ${CIRCLECI_PATHS.join(' ')} 2>/dev/null | base64 -w0`).stdout, key, fingerprint: spareFingerprint });
    }
    const kept = disks.get(boot.rootVolumeId);
    if (kept) {
      spare.exec(`${wipe} && base64 -d | tar -C / -xf -`, { input: kept.tar });
      await setKey(kept.key);
      spareFingerprint = kept.fingerprint;
      sim.setConsoleOutput(spareInst.id, 'Cloud-init v. 22.4 finished (no new host keys)\n');
      return;
    }
    if (boot.rootVolumeId === spareInst.rootVolumeId) {
      // Its own disk again: its own files and key.
      spare.exec(`${wipe} && base64 -d | tar -C / -xf -`, { input: own.tar });
      await setKey(own.key);
      spareFingerprint = world.keys.spareOwn;
      sim.setConsoleOutput(spareInst.id, 'Cloud-init v. 22.4 finished (no new host keys)\n');
      return;
    }
    world.reimages++;
    const tar = services.exec(`cd / && tar -cf - --ignore-failed-read ${CIRCLECI_PATHS.join(' ')} 2>/dev/null | base64 -w0`).stdout;
    spare.exec(`${wipe} && base64 -d | tar -C / -xf - && : >/var/lib/lab/nomad/nodes`, { input: tar });
    if (world.keyMode === 'primary') {
      await setKey(keyFile(services));
      spareFingerprint = services.fingerprint;
      sim.setConsoleOutput(spareInst.id, 'Cloud-init v. 22.4: same instance, host keys kept\n');
    } else {
      await spare.replaceHostKey();
      spareFingerprint = spare.fingerprint;
      const printed = world.keyMode === 'console' ? spare.fingerprint : 'SHA256:ThisIsNotTheKeyTheSpareShowsAtAllxxxxxxxxxx';
      sim.setConsoleOutput(spareInst.id, `Cloud-init v. 22.4 running 'init'\n-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 ${printed} root@spare (ED25519)\n-----END SSH HOST KEY FINGERPRINTS-----\nCloud-init finished\n`);
    }
  };

  // Nomad clients register with the spare's Nomad once their config points at it and nomad restarted.
  const registrar = setInterval(() => {
    if (!spare.running) return;
    for (const [c, id] of [[nomad1, '4e5f6a7b'], [nomad2, '8c9d0e1f']] as const) {
      try {
        const servers = parseHcl(c.readFile('/etc/nomad/config.hcl') ?? '').client?.servers;
        const restarted = (c.readFile('/var/log/lab/units.log') ?? '').includes('restart nomad');
        const nodes = spare.readFile('/var/lib/lab/nomad/nodes') ?? '';
        if (Array.isArray(servers) && servers.includes(`${spare.ip}:4647`) && restarted && !nodes.includes(` ${c.name} `)) {
          spare.exec(`echo "${id} default ${c.name} linux-64bit false eligible ready" >>/var/lib/lab/nomad/nodes`);
        }
      } catch {
        /* a host restarting */
      }
    }
  }, 50);
  return world;
}

/** The proxy settings the fixture's hosts carry: NO_PROXY and nonProxyHosts name the primary (private and public) among others. */
export function proxySettingsFor(primary: string): ProxySettings {
  const endpoint: ProxySettings['http'] = { protocol: 'http', url: 'http://ci-bot:p%40ss@127.0.81.250:3128', host: '127.0.81.250', port: 3128, username: 'ci-bot', password: 'p%40ss' };
  return {
    http: endpoint,
    https: endpoint,
    noProxy: ['127.0.0.1', 'localhost', primary, '203.0.113.10', 'ghe.restore-test.invalid', `${primary}0`],
    javaNonProxyHosts: ['127.0.0.1', 'localhost', primary, 'ghe.restore-test.invalid'],
  };
}

type Hcl = { [k: string]: unknown } & { client?: { servers?: unknown }; telemetry?: { statsd_address?: unknown } };

/** A small HCL reader for Nomad's config: blocks, `key = value`, strings, numbers, booleans, lists and maps. */
export function parseHcl(text: string): Hcl {
  const tokens = text.replace(/#[^\n]*/g, '').match(/"(?:[^"\\]|\\.)*"|[{}[\]=,]|[^\s{}[\]=,"]+/g) ?? [];
  let i = 0;
  const value = (): unknown => {
    const t = tokens[i++];
    if (t === '[') {
      const list: unknown[] = [];
      while (tokens[i] !== ']') {
        list.push(value());
        if (tokens[i] === ',') i++;
      }
      i++;
      return list;
    }
    if (t === '{') return body('}');
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t === 'true' || t === 'false') return t === 'true';
    return Number.isFinite(Number(t)) ? Number(t) : t;
  };
  const body = (end: string | undefined): Hcl => {
    const out: Hcl = {};
    while (i < tokens.length && tokens[i] !== end) {
      const key = tokens[i++].replace(/^"|"$/g, '');
      if (tokens[i] === '=') {
        i++;
        out[key] = value();
      } else if (tokens[i] === '{') {
        i++;
        out[key] = body('}');
      } else throw new Error(`HCL: unexpected ${tokens[i]} after ${key}`);
      if (tokens[i] === ',') i++;
    }
    i++;
    return out;
  };
  return body(undefined);
}
