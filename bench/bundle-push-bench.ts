/**
 * The offline bundle push against bare OpenSSH, in one run, to the same lab
 * host: the same file (1 GiB unless BENCH_MIB says otherwise) sent by
 * - `sftp put` (OpenSSH, no checksum anywhere), and
 * - Drydock's push, SHA-256 computed on the laptop while reading and on the
 *   host while the bytes land, compared, renamed into place;
 * both on the same cipher (aes128-gcm@openssh.com, which ssh2 does through
 * Node's OpenSSL). Runs are alternated (BENCH_RUNS pairs, default 3) so the
 * machine's load hits both alike; prints medians and the ratio (≤ 1: Drydock
 * no slower than sftp without any checksum). Asserts nothing.
 * Needs root (the lab): `node bench/run.mjs bench/bundle-push-bench.ts`.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { Client } from 'ssh2';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../electron/engine/engine';
import { ensureOnHost } from '../electron/engine/operations/bundle/push';
import { startLab } from '../test/lab/lab';

const MIB = Number(process.env.BENCH_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CIPHER = 'aes128-gcm@openssh.com';

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const lab = await startLab([{ name: 'services' }]);
  const host = lab.hosts.services;
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-bundle-'));
  const file = path.join(home, 'bench.airgap');
  const fd = openSync(file, 'w');
  for (let i = 0; i < MIB / 16; i++) writeSync(fd, randomBytes(16 * 1024 * 1024));
  closeSync(fd);
  const engine = createEngine({ home, defaultSecrets: {} });
  try {
    engine.inventory.add({ name: 'services', address: host.ip, port: 22, user: 'root', role: 'services', keyPath: lab.clientKey });
    await engine.pool.trust('services', host.fingerprint);
    const sftpArgs = ['-q', '-c', CIPHER, '-i', lab.clientKey, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', '-b', '-', `root@${host.ip}`];
    host.exec('mkdir -p /var/tmp/sftp-target');
    // Warm the page cache for the local file and both paths once.
    execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Drydock's connect sets only host-key algorithms: a plain ssh2 client with its defaults shows the cipher it negotiates.
    const cipher = await new Promise<string>((resolve, reject) => {
      const c = new Client();
      c.on('handshake', (n) => resolve(n.cs.cipher)).on('error', reject).on('ready', () => c.end());
      c.connect({ host: host.ip, port: 22, username: 'root', privateKey: readFileSync(lab.clientKey) });
    });
    if (cipher !== CIPHER) throw new Error(`bench: ssh2 negotiated ${cipher}, not ${CIPHER}`);
    const sftp: number[] = [];
    const ours: number[] = [];
    const timeSftp = () => {
      const t = process.hrtime.bigint();
      execFileSync('sftp', sftpArgs, { input: `put ${file} /var/tmp/sftp-target/bench.airgap\n`, stdio: ['pipe', 'ignore', 'inherit'] });
      sftp.push(Number(process.hrtime.bigint() - t) / 1e9);
    };
    const timeOurs = async () => {
      const t = process.hrtime.bigint();
      const r = await ensureOnHost(engine, 'services', file);
      ours.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (r.skipped) throw new Error('bench: the copy was not removed between runs');
      const there = host.exec('sha256sum < /var/lib/drydock/bundle/bench.airgap').stdout.split(' ')[0];
      if (there !== r.sha256) throw new Error(`bench: checksum differs on the host (${there} vs ${r.sha256})`);
    };
    // Each transfer starts with no dirty pages from the other (a 1 GiB write is still being flushed
    // when the next starts, and the kernel throttles the newcomer); the order alternates.
    const fresh = () => {
      host.exec('rm -f /var/tmp/sftp-target/bench.airgap /var/lib/drydock/bundle/bench.airgap /var/lib/drydock/bundle/.bench.airgap.part');
      execFileSync('sync');
    };
    for (let i = 0; i < RUNS; i++) {
      fresh();
      if (i % 2) await timeOurs();
      else timeSftp();
      fresh();
      if (i % 2) timeSftp();
      else await timeOurs();
      console.log(`run ${i + 1}: sftp put ${sftp[i].toFixed(2)} s   drydock push+sha256 both ends ${ours[i].toFixed(2)} s`);
    }
    const a = median(ours);
    const b = median(sftp);
    console.log(`bundle push ${MIB} MiB (${cipher} on both), median of ${RUNS}:`);
    console.log(`  drydock ${a.toFixed(2)} s (${(MIB / a).toFixed(0)} MiB/s)   sftp put ${b.toFixed(2)} s (${(MIB / b).toFixed(0)} MiB/s)   ratio ${(a / b).toFixed(2)}`);
  } finally {
    await engine.close();
    await lab.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
