/**
 * `npm run demo` around its main run: refused without root (one line, exit
 * 2), `stop` with nothing running, and --keep / --reset: a kept practice
 * installation comes back as it was left (same host keys, the admin's trust
 * and files), a reset one does not, and neither leaves a host process, mount
 * or address lock behind when it stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountsUnder } from '../lab/lab';
import { cliAsUser, DEMO_MAIN, demoBase, ROOT, runDemo, startDemo, type DemoRun } from '../demo/run-demo';

const ADDRESSES = ['127.0.79.2', '127.0.79.3', '127.0.79.4', '127.0.79.5', '127.0.79.6', '127.0.79.7'];
const where = demoBase();
let current: DemoRun | null = null;

afterAll(async () => {
  if (current && current.child.exitCode === null) await current.interrupt();
  current?.dispose();
});

function nothingRunning(dir: string): void {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  });
  expect(procs, 'processes of the demo').toEqual([]);
  expect(mountsUnder(dir)).toEqual([]);
  for (const ip of ADDRESSES) expect(existsSync(`/tmp/drydock-lab/ips/${ip}`), `address lock ${ip}`).toBe(false);
  expect(existsSync(path.join(dir, 'tmp')), 'temporary files').toBe(false);
}

describe('npm run demo', () => {
  it('refuses to start without root, saying why in one line (exit 2)', () => {
    for (const script of [DEMO_MAIN, path.join(ROOT, 'scripts', 'demo.js')]) {
      const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, script], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/run it with sudo: .*namespaces with overlay mounts/);
    }
  });

  it('`stop` with no demo running says so', async () => {
    const r = await runDemo(['stop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No practice installation is running.');
  });

  it('--keep keeps the installation; the next run continues it; --reset starts from scratch; `stop` stops it', async () => {
    current = await startDemo(['--keep'], where);
    const services = current.fingerprints.services!;
    const trusted = await cliAsUser(current.home, ['hosts', 'trust', 'services', '--fingerprint', services]);
    expect(trusted.code).toBe(0);
    // A backup taken in this run (the printed AWS exports, the profile "demo")…
    const backup = await cliAsUser(current.home, ['backup', 'run', '--profile', 'demo', '--volumes', 'root', '--wait', '--yes'], undefined, current.exports);
    expect(backup.code, backup.stderr).toBe(0);
    const catalog = async () => (JSON.parse((await cliAsUser(current.home, ['backup', 'list', '--profile', 'demo', '--json'], undefined, current.exports)).stdout) as { backups: { id: string; state: string }[] }).backups;
    const taken = await catalog();
    expect(taken).toHaveLength(1);
    expect((await current.interrupt()).code).toBe(0);
    expect(current.output()).toContain(`Kept the practice installation in ${where.dir}`);
    nothingRunning(where.dir);
    expect(existsSync(path.join(where.dir, 'kept.json'))).toBe(true);

    // Continued without the real Docker daemon: the kept Services machine gets the docker stand-in back.
    current = await startDemo(['--no-docker'], where);
    expect(current.output()).toMatch(/practice installation — continued/);
    expect(current.output()).toMatch(/^ {2}Docker\s+not started \(--no-docker\); the Services machine has the docker stand-in, so Health cannot read its containers$/m);
    expect(readFileSync(path.join(where.dir, 'lab/hosts/services/upper/usr/local/bin/docker'), 'utf8')).toContain('standin-lib.sh');
    expect(current.fingerprints.services).toBe(services);
    // The admin's trust survived: facts need no new confirmation.
    const facts = await cliAsUser(current.home, ['hosts', 'facts', 'services', '--json']);
    expect(facts.code, facts.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(facts.stdout))).toContain('"hostname":"services"');
    // …is still in the EC2 simulator's catalog: its world was kept with the installation.
    expect((await catalog()).map((b) => b.id)).toEqual(taken.map((b) => b.id));
    // This run was not --keep: stopping it removes the installation.
    expect((await current.interrupt()).code).toBe(0);
    nothingRunning(where.dir);
    expect(existsSync(where.dir)).toBe(false);

    current = await startDemo(['--keep', '--no-docker'], where);
    const kept = current.fingerprints.services!;
    await current.interrupt();
    current = await startDemo(['--reset', '--no-docker'], where);
    expect(current.output()).not.toMatch(/continued/);
    expect(current.fingerprints.services).not.toBe(kept);
    expect(readdirSync(current.home)).not.toContain('known_hosts');
    expect(await catalog()).toEqual([]);
    // `npm run demo -- stop` from another terminal stops it like Ctrl-C.
    const stopped = await runDemo(['stop']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/Stopped the practice installation \(pid \d+\)/);
    expect((await current.exited).code).toBe(0);
    nothingRunning(where.dir);
    expect(existsSync(where.dir)).toBe(false);
  }, 150_000);

  it('a start that fails keeps the kept installation it was continuing, and says why', async () => {
    current = await startDemo(['--keep', '--no-docker'], where);
    const services = current.fingerprints.services!;
    await current.interrupt();
    // Something else now listens where the Services machine's sshd must.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(22, '127.0.79.3', resolve));
    try {
      const r = await runDemo(['--user', 'nobody', '--dir', where.dir, '--no-docker']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('127.0.79.3 is in use');
      expect(r.stdout).toContain(`Kept the practice installation in ${where.dir}`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    nothingRunning(where.dir);
    current = await startDemo(['--keep', '--no-docker'], where);
    expect(current.output()).toMatch(/continued/);
    expect(current.fingerprints.services).toBe(services);
    await current.interrupt();
    current = await startDemo(['--reset', '--no-docker'], where);
    await current.interrupt();
    expect(existsSync(where.dir)).toBe(false);
  }, 120_000);
});
