/**
 * Issue 7 item 19: node-forge must be a release with the fixes for
 * GHSA-5gfm-wpxj-wjgq, GHSA-554w-wpv2-vw27 and GHSA-65ch-62r8-g69g (1.3.2 or
 * later), pinned exactly, and the installed copy must be that version.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const json = (p: string) => JSON.parse(readFileSync(path.join(ROOT, p), 'utf8'));
const atLeast = (v: string, min: number[]) => {
  const parts = v.split('.').map(Number);
  for (let i = 0; i < min.length; i++) if (parts[i] !== min[i]) return parts[i] > min[i];
  return true;
};

describe('node-forge', () => {
  it('is pinned exactly to 1.3.2 or later, in package.json, the lockfile and node_modules', () => {
    const spec = json('package.json').dependencies['node-forge'];
    expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
    expect(atLeast(spec, [1, 3, 2])).toBe(true);
    expect(json('package-lock.json').packages['node_modules/node-forge'].version).toBe(spec);
    expect(json('node_modules/node-forge/package.json').version).toBe(spec);
  });
});
