/**
 * What an SSH round trip costs through Drydock, against OpenSSH measured in
 * the same run against the same lab host:
 * - a command on an open connection: Drydock's pooled session vs `ssh` over a
 *   ControlMaster socket (OpenSSH's own connection reuse);
 * - a new connection with host-key verification and login: Drydock's connect
 *   vs a fresh `ssh -o ControlPath=none … true`.
 * Prints medians and ratios (below 1 = Drydock faster); asserts nothing.
 * Needs root (the lab): `sudo node bench/run.mjs bench/ssh-bench.ts`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../electron/engine/engine';
import { startLab } from '../test/lab/lab';

const runs = Number(process.env.BENCH_RUNS ?? 40);

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

async function main() {
  const lab = await startLab([{ name: 'services' }]);
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-ssh-'));
  const control = path.join(home, 'cm.sock');
  const host = lab.hosts.services;
  const sshArgs = ['-i', lab.clientKey, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes'];
  const master = spawn('ssh', [...sshArgs, '-M', '-N', '-o', `ControlPath=${control}`, `root@${host.ip}`], { stdio: 'ignore' });
  try {
    const engine = createEngine({ home, defaultSecrets: {} });
    engine.inventory.add({ name: 'services', address: host.ip, port: 22, user: 'root', role: 'services', keyPath: lab.clientKey });
    await engine.pool.trust('services', host.fingerprint);
    await new Promise((r) => setTimeout(r, 500)); // the master connects

    const cmdRef = await time(() => execFileSync('ssh', [...sshArgs, '-o', `ControlPath=${control}`, `root@${host.ip}`, 'true']));
    const session = await engine.pool.session('services');
    const cmdOurs = await time(() => session.check('true'));

    const connRef = await time(() => execFileSync('ssh', [...sshArgs, '-o', 'ControlPath=none', `root@${host.ip}`, 'true']));
    const connOurs = await time(async () => {
      engine.pool.drop('services');
      await (await engine.pool.session('services')).check('true');
    });
    await engine.close();

    const row = (what: string, ours: number, ref: number) => console.log(`${what.padEnd(44)} drydock ${ours.toFixed(1).padStart(7)} ms   openssh ${ref.toFixed(1).padStart(7)} ms   ratio ${(ours / ref).toFixed(2)}`);
    console.log(`ssh bench: median of ${runs} runs against one lab host`);
    row('command on an open connection', cmdOurs, cmdRef);
    row('new connection + key check + login + command', connOurs, connRef);
  } finally {
    master.kill();
    await lab.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
