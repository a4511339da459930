/**
 * `drydock preflight` and `drydock capacity` as scripts run them: exit 0 when
 * every check passes or warns, 5 when one fails, 1 when a host could not be
 * checked; the --json shape; --only-failed; the Markdown and HTML exports.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from './proxy-fixture';
import { startPreflightWorld, type PreflightWorld } from './install-preflight-fixture';

let w: PreflightWorld;
let cli: ReturnType<typeof bundleCli>;
let out: string;
const drydock = (...args: string[]) => cli.run(args, { DRYDOCK_HOME: w.fx.home });

beforeAll(async () => {
  cli = bundleCli();
  w = await startPreflightWorld(['nomad-1']);
  out = mkdtempSync(path.join(os.tmpdir(), 'drydock-preflight-out-'));
});

afterAll(async () => {
  await w?.dispose();
  cli?.dispose();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('drydock preflight', () => {
  it('--only-failed before any preflight: exit 1, says to run one first', async () => {
    const ran = await drydock('preflight', '--only-failed');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/No earlier preflight/);
  });

  it('healthy hosts: exit 0, --json has the documented shape', async () => {
    const ran = await drydock('preflight', '--json', '--circle-hostname', 'services');
    expect(ran.code, JSON.stringify(JSON.parse(ran.stdout).hosts.flatMap((h: { checks: { status: string }[] }) => h.checks.filter((c) => c.status === 'fail')))).toBe(0);
    const r = JSON.parse(ran.stdout);
    expect(r.status).toBe('warn');
    expect(r.gheHostname).toBe(w.lab.hosts.ghe.ip);
    expect(r.hosts.map((h: { host: string }) => h.host)).toEqual(['services', 'nomad-1']);
    for (const k of ['id', 'group', 'host', 'title', 'status', 'value', 'fix']) expect(r.hosts[0].checks[0]).toHaveProperty(k);
  });

  it('a failed check: exit 5; the text names host, value and fix; exports as Markdown and HTML', async () => {
    const n1 = w.lab.hosts['nomad-1'];
    expect(n1.exec('mkdir -p /opt/nomad && mount -t tmpfs -o size=16m tmpfs /opt/nomad').code).toBe(0);
    const ran = await drydock('preflight', '--out', path.join(out, 'pf.md'));
    expect(ran.code).toBe(5);
    expect(ran.stdout).toMatch(/^nomad-1 \(nomad, [\d.]+\): FAIL$/m);
    expect(ran.stdout).toMatch(/ {2}FAIL Free space for \/opt\/nomad: 0\.0 GiB free of 0\.0 GiB\n {7}fix: Free or add space on \/opt\/nomad .*at least 2\.0 GiB free\./);
    expect(ran.stderr).toMatch(/Preflight: 1 failed/);
    const md = readFileSync(path.join(out, 'pf.md'), 'utf8');
    expect(md).toMatch(/^# Drydock install preflight/m);
    expect(md).toMatch(/## nomad-1 \(nomad, [\d.]+\): FAIL/);
    expect(md).toMatch(/\| FAIL \| Free space for \/opt\/nomad \| 0\.0 GiB free of 0\.0 GiB \| Free or add space on \/opt\/nomad/);
    const html = await drydock('preflight', '--only-failed', '--out', path.join(out, 'pf.html'));
    expect(html.code).toBe(5);
    const doc = readFileSync(path.join(out, 'pf.html'), 'utf8');
    expect(doc).toMatch(/^<!DOCTYPE html>/i);
    expect(doc).toMatch(/<td>FAIL<\/td>\s*<td>Free space for \/opt\/nomad<\/td>/);
    expect(doc).toMatch(/Not ready to install/);
  });

  it('--only-failed after the fix: exit 0, and capacity reads the measured client', async () => {
    w.lab.hosts['nomad-1'].exec('umount /opt/nomad');
    const ran = await drydock('preflight', '--only-failed', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout).hosts[1].checks.find((c: { id: string }) => c.id === 'disk:/opt/nomad').status).toBe('pass');
    const cap = await drydock('capacity', '--json');
    expect(cap.code).toBe(0);
    const plan = JSON.parse(cap.stdout);
    expect(plan.clients[0]).toMatchObject({ host: 'nomad-1', cpus: 8, fits: { large: 1 } });
    const text = await drydock('capacity');
    expect(text.stdout).toMatch(/Default resource class: medium \(3 concurrent builds\)/);
  });

  it('a host that cannot be logged in to: exit 1, named', async () => {
    const ghe = w.lab.hosts.ghe;
    w.fx.engine.inventory.add({ name: 'nomad-9', address: ghe.ip, port: ghe.port, user: 'root', role: 'nomad', keyPath: w.lab.clientKey });
    const ran = await drydock('preflight', '--hosts', 'nomad-9');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/Could not check nomad-9/);
    expect(ran.stdout).toMatch(/FAIL Log in and run the checks: .*(host key|not trusted|unknown)/i);
  });

  it('help', async () => {
    const help = await drydock('help', 'preflight');
    expect(help.stdout).toMatch(/--only-failed/);
    expect(help.stdout).toMatch(/5 a check failed/);
    expect((await drydock('--help')).stdout).toMatch(/capacity +how many small\/medium\/large builds/);
  });
});
