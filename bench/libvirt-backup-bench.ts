/**
 * libvirt backup copy throughput against `cp` of the same image on the same
 * host, in one run: Drydock's live backup of a running domain (disk-only
 * snapshot, qemu-img copy of the frozen base into the store, SHA-256,
 * blockcommit) vs `cp` of that base image to the same store, both over the
 * same SSH connection to the hypervisor (a lab host; a real libvirtd as
 * nobody, as in the tests). Prints medians, MiB/s and the ratio (above 1 =
 * Drydock slower); asserts nothing.
 * Needs root: `sudo node bench/run.mjs bench/libvirt-backup-bench.ts` (BENCH_RUNS, BENCH_MIB).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../electron/engine/engine';
import { LibvirtProvider } from '../electron/engine/operations/backup/libvirt/libvirt-provider';
import { startLab } from '../test/lab/lab';
import { startLibvirt } from '../test/integration/libvirt-fixture';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const mib = Number(process.env.BENCH_MIB ?? 256);
const STORE = '/var/backups/drydock-bench';

const median = (s: number[]) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)];

async function main() {
  const [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }])]);
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-lv-'));
  try {
    lv.bindInto(lab.hosts.hv);
    const engine = createEngine({ home, defaultSecrets: {} });
    engine.inventory.add({ name: 'hv', address: lab.hosts.hv.ip, port: 22, user: 'root', role: 'hypervisor', keyPath: lab.clientKey });
    await engine.pool.trust('hv', lab.hosts.hv.fingerprint);
    // Real data in the image (a fresh qcow2 is almost empty): filled before the domain runs.
    const { image } = lv.createDomain('bench', { diskMiB: mib, fillMiB: mib });
    const bytes = statSync(image).size;
    const hv = await engine.pool.session('hv');
    await hv.check(`mkdir -p -m 700 ${STORE}`);

    const p = new LibvirtProvider(engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'hv', dir: STORE }, domain: 'bench' });
    const machine = await p.findMachine('bench');
    const disks = await p.disks(machine);
    const drydock: number[] = [];
    const cp: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint();
      const [snap] = await p.createSnapshots({ machine, disks, tags: { 'drydock:run': `bench-${i}` }, description: 'bench' });
      drydock.push(Number(process.hrtime.bigint() - t) / 1e9);
      await p.deleteSnapshot(snap.id);
      t = process.hrtime.bigint();
      await hv.check(`cp ${image} ${STORE}/cp-copy && sync -f ${STORE}/cp-copy`);
      cp.push(Number(process.hrtime.bigint() - t) / 1e9);
      await hv.check(`rm -f ${STORE}/cp-copy`);
    }
    // Where Drydock's time goes, from the audit log (every remote command with its duration).
    const slow = engine.audit.tail(1000).filter((e) => e.durationMs > 100).map((e) => `${e.durationMs} ms  ${e.command.slice(0, 90)}`);
    console.log('slowest remote commands:\n  ' + slow.slice(-12).join('\n  '));
    const d = median(drydock);
    const c = median(cp);
    const rate = (s: number) => (bytes / 2 ** 20 / s).toFixed(0);
    console.log(`image ${(bytes / 2 ** 20).toFixed(0)} MiB (qcow2, ${mib} MiB written), ${runs} run(s), medians:`);
    console.log(`  Drydock live backup (snapshot + qemu-img copy + sha256 + blockcommit): ${d.toFixed(2)} s  (${rate(d)} MiB/s)`);
    console.log(`  cp of the same image to the same store:                              ${c.toFixed(2)} s  (${rate(c)} MiB/s)`);
    console.log(`  ratio Drydock / cp: ${(d / c).toFixed(2)}`);
    await engine.close();
  } finally {
    await lab.stop();
    await lv.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
