/**
 * Loads test/lab/lab.ts into Playwright's (CommonJS) test process.
 *
 * lab.ts finds its scripts with `import.meta.url`; Playwright compiles test
 * code to CommonJS, and Node then rejects the file ("exports is not defined
 * in ES module scope"). Until lab.ts uses `__dirname` (which vitest also
 * provides), bundle it to CommonJS with esbuild, pinning `import.meta.url` to
 * the real file so its paths still resolve beside it.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as LabModule from '../lab/lab';

const LAB_TS = path.resolve(__dirname, '..', 'lab', 'lab.ts');

export function loadLab(): typeof LabModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(LAB_TS) as typeof LabModule;
  } catch (err) {
    if (!/ES module scope|import\.meta/.test(String(err))) throw err;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-lab-'));
  const outfile = path.join(dir, 'lab.cjs');
  buildSync({
    entryPoints: [LAB_TS],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(LAB_TS).href) },
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(outfile) as typeof LabModule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
