#!/usr/bin/env node
// Runs a TypeScript benchmark: bundles it with esbuild (the project's own
// toolchain, no extra runner) and executes the bundle.
//   node bench/run.mjs bench/cert-bench.ts     (BENCH_RUNS=N for more samples)
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/run.mjs bench/NAME.ts');
  process.exit(2);
}
// The lab finds its scripts beside its source, not beside the bundle.
process.env.DRYDOCK_LAB_SOURCE ??= path.join(here, '..', 'test', 'lab');
// Built inside the repo so the bundle's require() of packages (left external:
// ssh2 carries native parts) resolves to this project's node_modules.
mkdirSync(path.join(here, '.build'), { recursive: true });
const out = mkdtempSync(path.join(here, '.build', 'run-'));
try {
  const outfile = path.join(out, `${path.basename(entry, '.ts')}.cjs`);
  await build({ entryPoints: [path.resolve(entry)], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning', packages: 'external' });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(out, { recursive: true, force: true });
}
