/**
 * `drydock health` and `drydock nomad status` as scripts run them, against a
 * Services host on a real Docker daemon: exit 0 healthy or only mild, 5 when
 * something severe or moderate is down, 1 when it could not check; the
 * documented --json shape; --watch keeps checking.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from './proxy-fixture';
import { startHealthWorld, type HealthWorld } from './health-fixture';

let w: HealthWorld;
let cli: ReturnType<typeof bundleCli>;
const drydock = (...args: string[]) => cli.run(args, { DRYDOCK_HOME: w.fx.home, DRYDOCK_HEALTH_ENDPOINT_HOST: w.lab.hosts.services.ip });

beforeAll(async () => {
  cli = bundleCli();
  w = await startHealthWorld();
});

afterAll(async () => {
  await w?.dispose();
  cli?.dispose();
});

describe('drydock health', () => {
  it('all up: exit 0, and --json has the documented shape', async () => {
    const ran = await drydock('health', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const r = JSON.parse(ran.stdout);
    for (const k of ['containers', 'endpoints', 'app', 'nomad', 'advice']) expect(r).toHaveProperty(k);
    for (const k of ['name', 'tableName', 'state', 'severity', 'role', 'impact', 'dependsOn', 'impactedBy']) expect(r.containers[0]).toHaveProperty(k);
    for (const k of ['url', 'ok', 'httpCode']) expect(r.endpoints[0]).toHaveProperty(k);
    expect(r.app).toEqual({ state: 'started', error: '' });
    expect(Object.keys(r.nomad.jobs).sort()).toEqual(['complete', 'dead', 'pending', 'running']);
    for (const k of ['name', 'status', 'eligibility', 'drain', 'allocs']) expect(r.nomad.nodes[0]).toHaveProperty(k);
    const text = await drydock('health');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^services: HEALTHY/);
    expect(text.stdout).toMatch(/Endpoints: 9\/9 answer 200/);
  });

  it('postgres stopped: exit 5, impacted containers listed', async () => {
    w.dockerd.docker('stop', 'postgres');
    try {
      const ran = await drydock('health', '--json');
      expect(ran.code).toBe(5);
      const r = JSON.parse(ran.stdout);
      const impacted = r.containers.filter((c: { impactedBy: string[] }) => c.impactedBy.includes('postgres')).map((c: { name: string }) => c.name);
      expect(impacted).toEqual(expect.arrayContaining(['frontend', 'api-service', 'workflows-conductor', 'federations-service', 'contexts-service']));
      const text = await drydock('health');
      expect(text.code).toBe(5);
      expect(text.stdout).toMatch(/postgres: potential total data loss; running builds fail; UI down\n\s+takes down: .*frontend/);
      expect(text.stderr).toMatch(/Down: postgres \(severe\)/);
    } finally {
      w.dockerd.docker('start', 'postgres');
    }
  });

  it('exim stopped: exit 0 (only mild)', async () => {
    w.dockerd.docker('stop', 'exim');
    try {
      const ran = await drydock('health');
      expect(ran.code, ran.stdout).toBe(0);
      expect(ran.stdout).toMatch(/HEALTHY \(only mild problems\)/);
    } finally {
      w.dockerd.docker('start', 'exim');
    }
  });

  it('Docker unreachable on the Services machine: exit 1, could not check', async () => {
    const h = w.lab.hosts.services;
    h.exec('mv /run/docker.sock /run/docker.sock.off');
    try {
      const ran = await drydock('health');
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(/Could not check health: services: docker ps failed/);
    } finally {
      h.exec('mv /run/docker.sock.off /run/docker.sock');
    }
  });

  it('no Services machine in the inventory: exit 1', async () => {
    const ran = await cli.run(['health'], { DRYDOCK_HOME: mkdtempSync(path.join(os.tmpdir(), 'drydock-empty-')) });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/No Services machine in the inventory/);
  });

  it('--watch checks again every N seconds until Ctrl-C', async () => {
    const child = spawn(process.execPath, [cli.file, 'health', '--json', '--watch', '1'], {
      env: { PATH: process.env.PATH!, NODE_PATH: path.resolve(__dirname, '../../node_modules'), DRYDOCK_HOME: w.fx.home, DRYDOCK_HEALTH_ENDPOINT_HOST: w.lab.hosts.services.ip },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const two = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').filter(Boolean).length >= 2) resolve();
    }));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await two;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const reports = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.every((r: { verdict: string }) => r.verdict === 'healthy')).toBe(true);
    expect(reports[1].checkedAt > reports[0].checkedAt).toBe(true);
  });

  it('nomad status --json', async () => {
    const ran = await drydock('nomad', 'status', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const r = JSON.parse(ran.stdout);
    expect(r.nomad.jobs.running).toBe(1);
    expect(r.nomad.nodes.map((n: { name: string }) => n.name)).toEqual(['nomad-client-1', 'nomad-client-2']);
    const text = await drydock('nomad', 'status');
    expect(text.stdout).toMatch(/jobs pending 0, running 1/);
    expect(text.stdout).toMatch(/nomad-client-1\s+ready\s+eligible\s+false\s+1\s+8\s+32\.0 GiB/);
  });
});
