/**
 * The AWS provider on the real SDK against the EC2 simulator: finding the
 * Services instance three ways, snapshots tagged at creation and followed to
 * completed, retries through throttling and 5xx, a snapshot in `error`
 * reported with its reason, what restore needs (volume from snapshot, stop,
 * swap the root, start), a custom CA bundle over HTTPS, and the credential
 * chain never asking the metadata service unless told to.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsProvider } from '../../electron/engine/operations/backup/aws/aws-provider';
import { Ec2Simulator } from '../ec2-sim/server';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-aws-provider-'));
let sim: Ec2Simulator;
const saved = { ...process.env };

function provider(extra: Partial<ConstructorParameters<typeof AwsProvider>[0]['profile']> = {}, maxAttempts?: number): AwsProvider {
  return new AwsProvider({ profile: { region: 'us-east-1', endpoint: sim.endpoint, imds: false, ...extra }, ...(maxAttempts ? { maxAttempts } : {}) });
}

beforeAll(async () => {
  // No ~/.aws of the machine running the tests: only what each test sets.
  process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
  sim = new Ec2Simulator({ speed: 200 });
  const ready = await sim.start();
  process.env.AWS_ACCESS_KEY_ID = ready.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = ready.secretAccessKey;
});

afterAll(async () => {
  await sim.stop();
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(p: AwsProvider, ids: string[]) {
  for (let i = 0; i < 200; i++) {
    const list = await p.listSnapshots({ ids });
    if (list.every((s) => s.state !== 'pending')) return list;
    await sleep(25);
  }
  throw new Error('snapshots never settled');
}

describe('AWS provider against the EC2 simulator', () => {
  it('finds the Services instance by id, private IP and Name tag, with its root and data volumes', async () => {
    const p = provider();
    const info = sim.ready().instances[0];
    for (const ref of [info.id, info.privateIp, 'services']) {
      const m = await p.findMachine(ref);
      expect(m.id).toBe(info.id);
      expect(m.rootDevice).toBe('/dev/sda1');
      expect(m.running).toBe(true);
    }
    const disks = await p.disks(await p.findMachine('services'));
    expect(disks.map((d) => [d.root, d.sizeGiB])).toEqual([[true, 8], [false, 20]]);
    expect(disks[0].id).toBe(info.rootVolumeId);
    await expect(p.findMachine('nope')).rejects.toThrow(/No EC2 instance nope/);
    expect(await p.identity()).toMatch(/environment/);
    await p.close();
  });

  it('snapshots all volumes at once, tagged at creation, pending then completed; the root alone with CreateSnapshot', async () => {
    const p = provider();
    const m = await p.findMachine('services');
    const disks = await p.disks(m);
    const made = await p.createSnapshots({ machine: m, disks, tags: { 'drydock:run': 'run-all' }, description: 'test' });
    expect(made).toHaveLength(2);
    expect(made.every((s) => s.state === 'pending' && s.tags['drydock:run'] === 'run-all')).toBe(true);
    expect(made.find((s) => s.root)?.disk).toBe(disks[0].id);
    // The run tag was in CreateSnapshots itself, not added afterwards.
    const create = sim.calls('CreateSnapshots').at(-1)!;
    expect(create.params['TagSpecification.1.Tag.1.Key']).toBe('drydock:run');
    const done = await settle(p, made.map((s) => s.id));
    expect(done.every((s) => s.state === 'completed' && s.progress === 100)).toBe(true);
    expect((await p.listSnapshots({ tags: { 'drydock:run': 'run-all' } })).map((s) => s.id).sort()).toEqual(made.map((s) => s.id).sort());

    const rootOnly = await p.createSnapshots({ machine: m, disks: [disks[0]], tags: { 'drydock:run': 'run-root' }, description: 'root' });
    expect(rootOnly.map((s) => [s.disk, s.root])).toEqual([[disks[0].id, true]]);
    expect(sim.calls('CreateSnapshot').length).toBe(1);
    await p.close();
  });

  it('rides out RequestLimitExceeded and 5xx bursts', async () => {
    const p = provider();
    sim.throttle(3, 'DescribeInstances');
    sim.serverErrors(2, 'DescribeVolumes');
    const before = sim.requests.length;
    const m = await p.findMachine('services');
    expect((await p.disks(m)).length).toBe(2);
    const statuses = sim.requests.slice(before).map((r) => `${r.action}:${r.status}`);
    expect(statuses.filter((s) => s === 'DescribeInstances:503')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'DescribeVolumes:500')).toHaveLength(2);
    await p.close();
  });

  it('gives up on an endless throttle with the reason', async () => {
    const p = provider({}, 2);
    sim.throttle(5, 'DescribeRegions');
    await expect(p.identity()).rejects.toThrow(/RequestLimitExceeded.*after 2 attempts/);
    await p.close();
    sim.throttle(0);
  });

  it('reports a snapshot that ends in error with its reason', async () => {
    const p = provider();
    const m = await p.findMachine('services');
    const disks = await p.disks(m);
    sim.failNextSnapshot('The volume was unreachable');
    const [s] = await p.createSnapshots({ machine: m, disks: [disks[0]], tags: { 'drydock:run': 'run-err' }, description: 'x' });
    const [after] = await settle(p, [s.id]);
    expect(after.state).toBe('error');
    expect(after.message).toBe('The volume was unreachable');
    await p.close();
  });

  it('does what restore needs: volume from a snapshot, stop, swap the root, start', async () => {
    const p = provider();
    const spare = await p.findMachine('spare');
    const snaps = await p.listSnapshots({ tags: { 'drydock:run': 'run-all' } });
    const root = snaps.find((s) => s.root)!;
    const vol = await p.createDiskFromSnapshot(root.id, spare.zone!, { Name: 'restored' });
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await sleep(20);
    };
    await waitFor(async () => (await p.describeDisk(vol.id)).state === 'available');
    await p.stopMachine(spare);
    await waitFor(async () => (await p.findMachine(spare.id)).state === 'stopped');
    const [oldRoot] = await p.disks(spare);
    await expect(p.attachDisk(spare, vol, spare.rootDevice)).rejects.toThrow(/already in use/);
    await p.detachDisk(spare, oldRoot);
    await waitFor(async () => (await p.describeDisk(oldRoot.id)).state === 'available');
    await p.attachDisk(spare, vol, spare.rootDevice);
    await waitFor(async () => (await p.disks(spare)).some((d) => d.root && d.id === vol.id && d.state === 'attached'));
    await p.startMachine(spare);
    await waitFor(async () => (await p.findMachine(spare.id)).running);
    expect((await p.findMachine(spare.id)).running).toBe(true);
    expect((await p.describeDisk(oldRoot.id)).state).toBe('available');
    await p.close();
  });

  it('trusts a custom CA bundle for an HTTPS endpoint, and refuses the endpoint without it', async () => {
    const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Test CA', '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.pem'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', path.join(dir, 'leaf.key'), '-out', path.join(dir, 'leaf.csr')]);
    run(['x509', '-req', '-in', path.join(dir, 'leaf.csr'), '-CA', path.join(dir, 'ca.pem'), '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', path.join(dir, 'leaf.ext'), '-out', path.join(dir, 'leaf.pem')]);
    const { readFileSync } = await import('node:fs');
    const tls = new Ec2Simulator({ tls: { key: readFileSync(path.join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(path.join(dir, 'leaf.pem'), 'utf8') }, accessKeyId: sim.accessKeyId, secretAccessKey: sim.secretAccessKey });
    const ready = await tls.start();
    try {
      const good = new AwsProvider({ profile: { region: 'us-east-1', endpoint: ready.endpoint, imds: false, caBundle: path.join(dir, 'ca.pem') }, maxAttempts: 1 });
      expect((await good.findMachine('services')).id).toBe(ready.instances[0].id);
      await good.close();
      const bad = new AwsProvider({ profile: { region: 'us-east-1', endpoint: ready.endpoint, imds: false }, maxAttempts: 1 });
      await expect(bad.findMachine('services')).rejects.toThrow(/certificate/i);
      await bad.close();
    } finally {
      await tls.stop();
    }
  });

  it('never asks the instance metadata service unless the profile opts in', async () => {
    let hits = 0;
    const imds: Server = createServer((req, res) => {
      hits++;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => imds.listen(0, '127.0.0.1', () => r()));
    const env = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
    // "auto" defaults mode would look up the region in IMDS: the profile's region wins, IMDS stays untouched.
    process.env.AWS_DEFAULTS_MODE = 'auto';
    try {
      const off = provider({}, 1);
      await expect(off.findMachine('services')).rejects.toThrow(/No AWS credentials found.*add --imds/);
      expect(hits).toBe(0);
      await off.close();
      const on = provider({ imds: true }, 1);
      await expect(on.findMachine('services')).rejects.toThrow(/instance metadata service/);
      expect(hits).toBeGreaterThan(0);
      await on.close();
    } finally {
      process.env = env;
      await new Promise((r) => imds.close(r));
    }
  });
});

