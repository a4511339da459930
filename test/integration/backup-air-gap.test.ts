/**
 * The backup feature on an air-gapped laptop: the built CLI, with the
 * connection recorder loaded, runs a backup against a profile whose endpoint
 * is the EC2 simulator. The only connections it makes are the simulator's
 * endpoint and the inventory's hosts (SSH to the Services machine): no
 * instance metadata service (169.254.169.254), no ECS credentials endpoint
 * (169.254.170.2), no DNS question about amazonaws.com. With no credentials at
 * all (no AWS_* keys, a HOME without ~/.aws) the run fails saying so, and
 * still asks neither metadata service.
 *
 * scripts/test-all.sh runs this inside `unshare -n` (only `lo` up), where any
 * other destination could not be reached anyway: the recorder shows it was not
 * even tried.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConnections, recorderEnv, violations, type ConnectionRecord } from '../air-gap/connections';
import { startBackupWorld, type BackupWorld } from './backup-fixture';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
const METADATA = /^169\.254\.|^fd00:ec2::|^\[?fd00:ec2::/i;

let w: BackupWorld;
let dir: string;

beforeAll(async () => {
  w = await startBackupWorld();
  dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-backup-air-gap-'));
});

afterAll(async () => {
  await w?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The CLI as a timer would run it, recorded; env holds only what is named here (no ~/.aws of this machine). */
function drydock(args: string[], log: string, aws: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(path.join(dir, 'home-'));
  const env = { PATH: process.env.PATH!, HOME: home, DRYDOCK_HOME: w.fx.home, DRYDOCK_BACKUP_POLL_MS: '50', ...aws };
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...recorderEnv(log, env) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const network = (records: ConnectionRecord[]) => records.filter((r) => r.kind === 'tcp' || r.kind === 'udp');

/** Nothing toward a metadata service or AWS's public names, in any record. */
function expectNoAwsReach(records: ConnectionRecord[]): void {
  expect(network(records).filter((r) => METADATA.test(r.host ?? ''))).toEqual([]);
  expect(records.filter((r) => r.kind === 'dns' && /amazonaws\.com|\.aws$|^instance-data/i.test(r.name ?? ''))).toEqual([]);
}

describe('backup with a custom endpoint makes no other connection', () => {
  it('profile set, run --yes --wait and list reach only the simulator and the inventory', async () => {
    const keys = { AWS_ACCESS_KEY_ID: w.awsEnv.AWS_ACCESS_KEY_ID!, AWS_SECRET_ACCESS_KEY: w.awsEnv.AWS_SECRET_ACCESS_KEY! };
    const log = path.join(dir, 'with-keys.jsonl');
    const set = await drydock(['backup', 'profile', 'set', 'gap', '--provider', 'aws', '--instance', 'services', '--endpoint', w.sim.endpoint], log, keys);
    expect(set.code, set.stderr).toBe(0);
    const before = w.sim.calls('CreateSnapshot').length;
    const ran = await drydock(['backup', 'run', '--profile', 'gap', '--volumes', 'root', '--wait', '--yes'], log, keys);
    expect(ran.code, ran.stderr).toBe(0);
    expect(w.sim.calls('CreateSnapshot').length).toBe(before + 1);
    const list = await drydock(['backup', 'list', '--profile', 'gap', '--json'], log, keys);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).backups.length).toBeGreaterThan(0);

    const records = readConnections(log);
    expect(violations(records)).toEqual([]);
    const sim = new URL(w.sim.endpoint);
    const inventory = [w.lab.hosts.services!.ip, w.lab.hosts.bastion!.ip];
    const destinations = new Set(network(records).map((r) => `${r.host}:${r.port}`));
    // Both kinds of traffic were really seen: the EC2 API and SSH to the Services machine.
    expect(destinations).toContain(`${sim.hostname}:${sim.port}`);
    expect(destinations).toContain(`${w.lab.hosts.services!.ip}:${w.lab.hosts.services!.port}`);
    for (const r of network(records)) {
      const toSim = r.host === sim.hostname && r.port === Number(sim.port);
      expect(toSim || r.inInventory || inventory.includes(r.host ?? ''), `${r.kind} ${r.host}:${r.port}`).toBe(true);
    }
    expectNoAwsReach(records);
  });

  it('with no credentials anywhere the run fails saying so and asks no metadata service (one that opts in with --imds does)', async () => {
    // Were the SDK to reach for IMDS or the ECS endpoint, these point it at listeners of ours (instead of
    // 169.254.x, unreachable here anyway): they must hear nothing. They are addresses, not credentials.
    const heard: string[] = [];
    const trap = createServer((req, res) => {
      heard.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    try {
      const log = path.join(dir, 'no-keys.jsonl');
      const ran = await drydock(['backup', 'run', '--profile', 'gap', '--volumes', 'root', '--wait', '--yes'], log, {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: trapUrl,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${trapUrl}/ecs-credentials`,
      });
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(/No AWS credentials found\. Tried: environment \(AWS_ACCESS_KEY_ID…\): .*profile default in ~\/\.aws: /);
      expect(ran.stderr).toMatch(/instance metadata service is not asked: add --imds/);
      expect(heard).toEqual([]);
      const records = readConnections(log);
      expect(violations(records)).toEqual([]);
      expectNoAwsReach(records);
      // Nothing went anywhere: signing failed before any request, the trap's address included.
      expect(network(records).map((r) => `${r.host}:${r.port}`)).toEqual([]);

      // The trap works: a profile that opts in (--imds, for a Drydock on EC2) does ask, and is heard.
      const optIn = await drydock(['backup', 'profile', 'set', 'on-ec2', '--provider', 'aws', '--instance', 'services', '--endpoint', w.sim.endpoint, '--imds'], log, {});
      expect(optIn.code, optIn.stderr).toBe(0);
      const asked = await drydock(['backup', 'run', '--profile', 'on-ec2', '--volumes', 'root', '--yes'], path.join(dir, 'opt-in.jsonl'), {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: trapUrl,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${trapUrl}/ecs-credentials`,
      });
      expect(asked.code).toBe(1);
      expect(heard.some((h) => h.includes('/ecs-credentials'))).toBe(true);
      expect(heard.some((h) => h.includes('/latest/'))).toBe(true);
    } finally {
      await new Promise((r) => trap.close(r));
    }
  });
});
