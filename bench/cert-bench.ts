/**
 * How long certificate generation takes, against a reference measured in the
 * same run on the same machine: the guide's own command,
 * `openssl req -newkey rsa:2048 -nodes -x509`, spawned the same number of
 * times. Prints medians and ratios; the target (RSA 2048 < 300 ms) is
 * reported, never asserted (timings belong in benchmarks, not tests).
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issue } from '../electron/engine/operations/certs/generate';
import { createCa } from '../electron/engine/operations/certs/ca-store';
import { buildCertificate, generateKey } from '../electron/engine/operations/certs/x509-build';

const TARGET_MS = 300;

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up: module loading and JIT are not what is measured
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-'));
const runs = Number(process.env.BENCH_RUNS ?? 15);
try {
  createCa(home, { name: 'bench', passphrase: 'bench passphrase', days: 30, key: 'rsa2048' });
  const reference = time(runs, () =>
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-x509', '-days', '1', '-subj', '/CN=ci.example.com', '-out', '/dev/null'], { stdio: 'ignore' }),
  );
  const cases: [string, () => void][] = [
    ['self-signed RSA 2048 (key + cert)', () => issue(home, { hostname: 'ci.example.com', sans: ['10.0.0.1'], days: 365, key: 'rsa2048' })],
    ['self-signed ECDSA P-256', () => issue(home, { hostname: 'ci.example.com', sans: [], days: 365, key: 'p256' })],
    ['internal-CA RSA 2048 (incl. CA key decrypt)', () => issue(home, { hostname: 'ci.example.com', sans: [], days: 365, key: 'rsa2048', ca: 'bench', caPassphrase: 'bench passphrase' })],
  ];
  const key = generateKey('rsa2048');
  const pub = createPublicKey(key);
  cases.push(['certificate only (forge TBS + Node sign), RSA 2048', () => buildCertificate({ subject: { commonName: 'ci.example.com' }, days: 1, isCA: false, publicKey: pub, signingKey: key })]);

  const rows = cases.map(([name, fn]) => [name, time(runs, fn)] as const);
  console.log(`cert-bench: median of ${runs} runs, node ${process.version}, ${os.cpus().length} CPU(s)`);
  console.log(`  ${'reference: openssl req -newkey rsa:2048 -nodes -x509 (spawned)'.padEnd(58)} ${reference.toFixed(1).padStart(8)} ms   1.00x`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / reference).toFixed(2)}x`);
  const rsa = rows[0][1];
  console.log(`target: RSA 2048 under ${TARGET_MS} ms: ${rsa < TARGET_MS ? 'met' : 'NOT met'} (${rsa.toFixed(1)} ms; RSA key generation time varies a lot between runs: it searches for primes)`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
