/**
 * libvirt backup copy throughput against `cp` of the same image on the same
 * host, in one run: Drydock's live backup of a running domain (disk-only
 * snapshot, qemu-img copy of the frozen base into the store, SHA-256,
 * blockcommit) vs `cp` of that base image to the same store, both over the
 * same SSH connection to the hypervisor (a lab host; a real libvirtd as
 * nobody, as in the tests). Prints medians, MiB/s and the ratio (above 1 =
 * Drydock slower); asserts nothing.
 * Then the same with the store on a second lab host (`store`): Drydock's
 * backup (the base staged on the hypervisor, committed back, relayed through
 * this computer, SHA-256 on both sides) vs `cp` on the hypervisor plus the
 * plain-tools relay `ssh hv cat | ssh store 'cat >'` of the same image.
 * Needs root: `sudo node bench/run.mjs bench/libvirt-backup-bench.ts` (BENCH_RUNS, BENCH_MIB).
 */
import { execSync } from 'node:child_process';
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
  const [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }, { name: 'store' }])]);
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-lv-'));
  try {
    lv.bindInto(lab.hosts.hv);
    const engine = createEngine({ home, defaultSecrets: {} });
    engine.inventory.add({ name: 'hv', address: lab.hosts.hv.ip, port: 22, user: 'root', role: 'hypervisor', keyPath: lab.clientKey });
    await engine.pool.trust('hv', lab.hosts.hv.fingerprint);
    engine.inventory.add({ name: 'store', address: lab.hosts.store.ip, port: 22, user: 'root', role: 'bastion', keyPath: lab.clientKey });
    await engine.pool.trust('store', lab.hosts.store.fingerprint);
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
    // The store on another host: Drydock's relay vs the same bytes through plain ssh.
    const far = new LibvirtProvider(engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'store', dir: STORE }, domain: 'bench' });
    const store = await engine.pool.session('store');
    await store.check(`mkdir -p -m 700 ${STORE}`);
    const ssh = (host: 'hv' | 'store') => `ssh -i ${lab.clientKey} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@${lab.hosts[host].ip}`;
    const remote: number[] = [];
    const relay: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint();
      const [snap] = await far.createSnapshots({ machine, disks, tags: { 'drydock:run': `bench-far-${i}` }, description: 'bench' });
      remote.push(Number(process.hrtime.bigint() - t) / 1e9);
      await far.deleteSnapshot(snap.id);
      t = process.hrtime.bigint();
      await hv.check(`cp ${image} ${STORE}/cp-copy && sync -f ${STORE}/cp-copy`);
      execSync(`${ssh('hv')} cat ${STORE}/cp-copy | ${ssh('store')} 'cat > ${STORE}/relay-copy && sync -f ${STORE}/relay-copy'`);
      relay.push(Number(process.hrtime.bigint() - t) / 1e9);
      await hv.check(`rm -f ${STORE}/cp-copy`);
      await store.check(`rm -f ${STORE}/relay-copy`);
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
    const r = median(remote);
    const q = median(relay);
    console.log(`  store on another host, Drydock (stage + commit back + relay + sha256 both sides): ${r.toFixed(2)} s  (${rate(r)} MiB/s)`);
    console.log(`  cp on the hypervisor + ssh cat | ssh cat through this computer:              ${q.toFixed(2)} s  (${rate(q)} MiB/s)`);
    console.log(`  ratio Drydock / (cp + ssh relay): ${(r / q).toFixed(2)}`);
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
