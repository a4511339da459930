/**
 * Nomad clients provisioned against lab hosts that share the Services
 * machine's Nomad state (LabHostSpec.binds): config.hcl, parsed with the HCL
 * reader, points at the Services machine; each node shows ready in
 * `nomad node-status` there once its agent starts; Docker comes from the
 * bundle where missing and is restarted where daemon.json changed; a drain
 * waits for the node's running allocations to reach 0, then stops nomad.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrydockEvent } from '../../shared/events';
import { parseHcl, type HclObject } from '../../shared/install/hcl';
import { parseNodeStatus } from '../../shared/install/nomad';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { caller, laptopFiles, putInBundle, type LaptopFiles } from './install-fixture';

let lab: Lab;
let files: LaptopFiles;
let fx: EngineFixture;
let call: ReturnType<typeof caller>;
let shared: string;
const CLIENTS = ['nomad-1', 'nomad-2'] as const;

beforeAll(async () => {
  files = laptopFiles();
  shared = mkdtempSync(path.join(os.tmpdir(), 'drydock-nomad-server-'));
  chmodSync(shared, 0o755);
  writeFileSync(path.join(shared, 'nodes'), '');
  lab = await startLab([
    { name: 'services', standins: true, binds: { '/var/lib/lab/nomad': shared } },
    { name: 'nomad-1', standins: true, binds: { '/var/lib/lab/nomad-server': shared }, files: { '/var/lib/lab/units/nomad': 'inactive\n', '/etc/docker/daemon.json': '{\n  "log-driver": "json-file"\n}\n' } },
    { name: 'nomad-2', standins: true, binds: { '/var/lib/lab/nomad-server': shared }, files: { '/var/lib/lab/units/nomad': 'inactive\n', '/var/lib/lab/docker/not-installed': '' } },
  ]);
  const services = lab.hosts.services;
  // What install.sh recorded on the Services machine, and where its Nomad server listens.
  services.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${services.ip}\n`);
  writeFileSync(path.join(shared, 'address'), `${services.ip}:4647\n`);
  putInBundle(lab.hosts['nomad-1'], files.nomad);
  putInBundle(lab.hosts['nomad-2'], files.nomad);
  for (const deb of files.dockerDebs) putInBundle(lab.hosts['nomad-2'], deb);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }, ...CLIENTS.map((name) => ({ name, role: 'nomad' as const }))]);
  call = caller(fx.engine);
}, 60_000);

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  files?.dispose();
  if (shared) rmSync(shared, { recursive: true, force: true });
});

const serverNodes = () => parseNodeStatus(lab.hosts.services.exec('docker exec nomad nomad node-status -allocs').stdout);

describe('provisioning', () => {
  it('plans every client: the Services private address, Docker from the bundle on nomad-2, a Docker restart on nomad-1', async () => {
    const plan = await call('install:nomad-plan', { pollSeconds: 0.3 });
    expect(plan.blockers).toEqual([]);
    expect(plan.servicesAddress).toBe(lab.hosts.services.ip);
    expect(plan.clients.map((c) => [c.host, c.advertise, c.docker.installed])).toEqual([
      ['nomad-1', lab.hosts['nomad-1'].ip, true],
      ['nomad-2', lab.hosts['nomad-2'].ip, false],
    ]);
    expect(plan.installs).toContain('restart Docker on nomad-1 (userns-remap; running containers there stop)');
    expect(plan.installs).toContain("install Docker on nomad-2 from the bundle's .debs");
    expect(plan.installs.some((i) => i.startsWith('restart Docker on nomad-2'))).toBe(false);
    await expect(call('install:nomad-run', { request: {}, confirm: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(lab.hosts['nomad-1'].readFile('/etc/nomad/config.hcl')).toBeNull();
  });

  it('provisions both clients; config.hcl (parsed) points at the Services machine; both nodes ready in node-status there', async () => {
    const plan = await call('install:nomad-plan', {});
    const notes: string[] = [];
    const emit = (e: DrydockEvent) => {
      if (e.type === 'step' && e.step === 'ready' && e.message) notes.push(e.message);
    };
    const result = await call('install:nomad-run', { request: { pollSeconds: 0.3, waitMinutes: 1 }, confirm: true, planFingerprint: plan.fingerprint }, emit);
    expect(result.clients.map((c) => [c.host, c.status, c.dockerFromBundle, c.dockerRestarted])).toEqual([
      ['nomad-1', 'ready', false, true],
      ['nomad-2', 'ready', true, false],
    ]);
    const svcIp = lab.hosts.services.ip;
    for (const name of CLIENTS) {
      const host = lab.hosts[name];
      const hcl = parseHcl(host.readFile('/etc/nomad/config.hcl')!);
      const client = hcl.client as HclObject;
      expect(client.enabled).toBe(true);
      expect(client.servers).toEqual([`${svcIp}:4647`]);
      expect(client.node_class).toBe('linux-64bit');
      expect((client.options as HclObject)['driver.raw_exec.enable']).toBe('1');
      expect((hcl.telemetry as HclObject).statsd_address).toBe(`${svcIp}:8125`);
      expect(hcl.advertise).toEqual({ http: host.ip, rpc: host.ip, serf: host.ip });
      expect(hcl.data_dir).toBe('/opt/nomad');
      expect(JSON.parse(host.readFile('/etc/docker/daemon.json')!)['userns-remap']).toBe('default');
      expect(host.readFile('/etc/systemd/system/nomad.service')).toContain('ExecStart=/usr/bin/nomad agent -config /etc/nomad/config.hcl');
      expect(createHash('sha256').update(host.exec('cat /usr/bin/nomad').stdout).digest('hex')).toBe(createHash('sha256').update(readFileSync(files.nomad, 'utf8')).digest('hex'));
      expect(JSON.parse(host.exec('docker network inspect ci-privileged').stdout)[0].Options).toEqual({ 'com.docker.network.bridge.name': 'ci-privileged' });
      expect(host.exec('systemctl is-active nomad').stdout.trim()).toBe('active');
    }
    // nomad-1's own daemon.json keys are kept; its Docker restarted for userns-remap.
    expect(JSON.parse(lab.hosts['nomad-1'].readFile('/etc/docker/daemon.json')!)['log-driver']).toBe('json-file');
    expect(lab.hosts['nomad-1'].readFile('/var/log/lab/units.log')).toContain('restart docker');
    expect(lab.hosts['nomad-2'].exec("dpkg-query -W -f='${Status}' lab-docker-ce").stdout).toBe('install ok installed');
    const nodes = serverNodes();
    expect(nodes.map((n) => [n.name, n.status, n.drain]).sort()).toEqual([
      ['nomad-1', 'ready', false],
      ['nomad-2', 'ready', false],
    ]);
    expect(notes[notes.length - 1]).toBe('nomad-1: ready, nomad-2: ready');
  }, 60_000);

  it('a second run finds everything in place and changes nothing', async () => {
    const before = lab.hosts['nomad-1'].readFile('/var/log/lab/units.log');
    const plan = await call('install:nomad-plan', {});
    expect(plan.clients.every((c) => c.binaryInstalled && c.networkExists && c.nomadRunning && c.node?.status === 'ready')).toBe(true);
    expect(plan.clients.flatMap((c) => c.fileChanges.filter((f) => f.action !== 'unchanged'))).toEqual([]);
    expect(plan.installs).toEqual([]);
    const again = await call('install:nomad-run', { request: { pollSeconds: 0.3, waitMinutes: 1 }, confirm: true });
    expect(again.clients.map((c) => c.status)).toEqual(['ready', 'ready']);
    // Neither Docker nor nomad was restarted: every step found its effect in place.
    expect(lab.hosts['nomad-1'].readFile('/var/log/lab/units.log')).toBe(before);
    const run = fx.engine.runner.store.load(again.runId)!;
    expect(run.steps.filter((s) => s.status === 'done').map((s) => s.name)).toEqual(['plan', 'ready']);
  });
});

describe('drain and remove', () => {
  it('drains nomad-1: waits for its running allocations to reach 0, then stops nomad there', async () => {
    const id = serverNodes().find((n) => n.name === 'nomad-1')!.id;
    // Builds running on nomad-1; they move off one every 250 ms once it drains.
    const rows = readFileSync(path.join(shared, 'nodes'), 'utf8').replace(new RegExp(`^(${id} .*) 0$`, 'm'), '$1 4');
    writeFileSync(path.join(shared, 'nodes'), rows);
    writeFileSync(path.join(shared, 'drain-step-ms'), '250\n');
    const plan = await call('nomad:drain-plan', { host: 'nomad-1' });
    expect(plan).toMatchObject({ nodeId: id, name: 'nomad-1', runningAllocs: 4, drain: false, status: 'ready' });
    await expect(call('nomad:drain', { host: 'nomad-1', confirm: false })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(serverNodes().find((n) => n.id === id)!.drain).toBe(false);

    const left: number[] = [];
    const emit = (e: DrydockEvent) => {
      if (e.type === 'step' && e.step === 'wait' && e.message) left.push(Number(/^(\d+)/.exec(e.message)?.[1]));
    };
    const result = await call('nomad:drain', { host: 'nomad-1', confirm: true, pollSeconds: 0.2, waitMinutes: 1 }, emit);
    expect(result).toMatchObject({ nodeId: id, allocsAtStart: 4, stopped: true });
    expect(left[0]).toBeGreaterThan(0);
    expect(left[left.length - 1]).toBe(0);
    expect(left).toEqual([...left].sort((a, b) => b - a));
    expect(lab.hosts.services.readFile('/var/log/lab/calls.log')).toContain(`docker exec nomad nomad node-drain -enable -yes ${id}`);
    expect(lab.hosts['nomad-1'].exec('systemctl is-active nomad').stdout.trim()).toBe('inactive');
    const node = serverNodes().find((n) => n.id === id)!;
    expect([node.drain, node.status, node.runningAllocs]).toEqual([true, 'down', 0]);
    // The other client is untouched.
    expect(serverNodes().find((n) => n.name === 'nomad-2')!.status).toBe('ready');
  }, 60_000);

  it('a drain that outlasts its wait stops before nomad is stopped; the resume waits again without draining twice', async () => {
    const id = serverNodes().find((n) => n.name === 'nomad-2')!.id;
    writeFileSync(path.join(shared, 'nodes'), readFileSync(path.join(shared, 'nodes'), 'utf8').replace(new RegExp(`^(${id} .*) 0$`, 'm'), '$1 50'));
    writeFileSync(path.join(shared, 'drain-step-ms'), '100000\n');
    const err = await call('nomad:drain', { host: 'nomad-2', confirm: true, pollSeconds: 0.3, waitMinutes: 0.05 }).catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('TIMEOUT');
    expect((err as Error).message).toMatch(/50 allocation\(s\) still running .* nomad was not stopped/);
    expect(lab.hosts['nomad-2'].exec('systemctl is-active nomad').stdout.trim()).toBe('active');
    const [run] = fx.engine.runner.store.list().filter((r) => r.operation === 'nomad-drain' && r.status !== 'done');
    // The builds finish moving off; the resume (which says it drains, so it is confirmed) waits again.
    writeFileSync(path.join(shared, 'drain-step-ms'), '1\n');
    await expect(call('runs:resume', { id: run.id })).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    const resumed = await call('runs:resume', { id: run.id, confirmRestarts: true });
    expect(resumed.status).toBe('done');
    expect(resumed.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
    const drains = (lab.hosts.services.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter((l) => l.includes(`node-drain -enable -yes ${id}`));
    expect(drains).toHaveLength(1);
    expect(lab.hosts['nomad-2'].exec('systemctl is-active nomad').stdout.trim()).toBe('inactive');
  }, 60_000);
});
