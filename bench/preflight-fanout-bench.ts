/**
 * Preflight fan-out: the whole preflight (every check, UDP listener included)
 * on 50 lab hosts (a Services machine and 49 Nomad clients) against the same
 * preflight of one client, in the same run, as a ratio (target ≤ 2×: the
 * hosts are checked in parallel, not one after another). Measured twice per
 * size: cold (logins included) and warm (the SSH pool's connections open).
 * Reports the Drydock process's memory (RSS, sampled every 20 ms, and heap).
 * Asserts nothing. Needs root (the lab):
 *   node bench/run.mjs bench/preflight-fanout-bench.ts      (BENCH_RUNS=N, default 3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../electron/engine/engine';
import { runPreflight } from '../electron/engine/operations/install/preflight/run-preflight';
import { startLab, type Lab } from '../test/lab/lab';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const CLIENTS = 49;
const MiB = 1024 * 1024;

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

async function timed(engine: Engine, hosts: string[] | undefined, cold: boolean): Promise<{ ms: number; checks: number; cpuMs: number }> {
  if (cold) await engine.pool.closeAll();
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = await runPreflight(engine, hosts ? { hosts, circleHostname: 'services' } : { circleHostname: 'services' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const checks = r.hosts.reduce((n, h) => n + h.checks.length, 0);
  const fails = r.hosts.filter((h) => h.checks.some((c) => c.id === 'ssh')).length;
  if (fails) throw new Error(`${fails} hosts could not be checked: ${r.hosts.find((h) => h.checks.some((c) => c.id === 'ssh'))?.checks[0].value}`);
  return { ms, checks, cpuMs };
}

async function main() {
  const names = Array.from({ length: CLIENTS }, (_, i) => `nomad-${i + 1}`);
  const started = Date.now();
  const lab: Lab = await startLab([{ name: 'services', standins: true }, ...names.map((name) => ({ name, standins: true }))]);
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-preflight-'));
  try {
    console.log(`lab of ${CLIENTS + 1} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const engine = createEngine({ home, defaultSecrets: {} });
    for (const name of ['services', ...names]) {
      const h = lab.hosts[name];
      engine.inventory.add({ name, address: h.ip, port: h.port, user: 'root', role: name === 'services' ? 'services' : 'nomad', keyPath: lab.clientKey });
      await engine.pool.trust(name, h.fingerprint);
    }
    const baseRss = process.memoryUsage().rss;
    await timed(engine, ['nomad-1'], true); // warm-up (JIT, first logins)

    const sample = async (hosts: string[] | undefined, cold: boolean) => {
      const out: number[] = [];
      const cpu: number[] = [];
      let checks = 0;
      for (let i = 0; i < runs; i++) {
        const r = await timed(engine, hosts, cold);
        out.push(r.ms);
        cpu.push(r.cpuMs);
        checks = r.checks;
      }
      return { ms: median(out), checks, cpuMs: median(cpu) };
    };
    const oneCold = await sample(['nomad-1'], true);
    const allCold = await sample(undefined, true);
    const oneWarm = await sample(['nomad-1'], false);
    const allWarm = await sample(undefined, false);
    const mem = process.memoryUsage();
    await engine.close();

    type Sample = { ms: number; checks: number; cpuMs: number };
    const row = (what: string, one: Sample, all: Sample) =>
      console.log(
        `${what.padEnd(30)} 1 host ${one.ms.toFixed(0).padStart(6)} ms (${one.checks} checks, Drydock CPU ${one.cpuMs.toFixed(0)} ms)   ${CLIENTS + 1} hosts ${all.ms.toFixed(0).padStart(6)} ms (${all.checks} checks, Drydock CPU ${all.cpuMs.toFixed(0)} ms)   ratio ${(all.ms / one.ms).toFixed(2)} (target ≤ 2)`,
      );
    // The lab's hosts are namespaces of this machine: their scripts share its cores with Drydock and with each other.
    console.log(`preflight fan-out bench: median of ${runs} runs, ${os.cpus().length} CPUs shared by all ${CLIENTS + 1} lab hosts, load average ${os.loadavg()[0].toFixed(1)} at the end`);
    row('cold (logins included)', oneCold, allCold);
    row('warm (pool connections open)', oneWarm, allWarm);
    console.log(`one host after another would take about ${((oneWarm.ms * (CLIENTS + 1)) / 1000).toFixed(1)} s warm (${CLIENTS + 1} × the one-host time)`);
    console.log(
      `memory of the Drydock process: RSS ${(baseRss / MiB).toFixed(0)} MiB before, peak ${(peakRss / MiB).toFixed(0)} MiB during, ${(mem.rss / MiB).toFixed(0)} MiB after; heap used ${(mem.heapUsed / MiB).toFixed(0)} MiB`,
    );
  } finally {
    clearInterval(sampler);
    await lab.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
