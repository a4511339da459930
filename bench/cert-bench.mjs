#!/usr/bin/env node
// Runs bench/cert-bench.ts: bundles it with esbuild (the project's own
// TypeScript, no extra runner needed) and executes the bundle.
//   node bench/cert-bench.mjs        (BENCH_RUNS=N for more samples)
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(path.join(os.tmpdir(), 'drydock-bench-build-'));
try {
  const outfile = path.join(out, 'cert-bench.cjs');
  await build({ entryPoints: [path.join(here, 'cert-bench.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning', nodePaths: [path.join(here, '..', 'node_modules')] });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(out, { recursive: true, force: true });
}
