/**
 * Reading one member of a .tar.gz made by GNU tar (the way Replicated ships
 * replicated.tar.gz: ./install.sh among large members), without extracting.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTarMember } from '../../electron/engine/operations/support/tar-read';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-tar-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function archive(name: string, files: Record<string, Buffer | string>): string {
  const src = path.join(dir, `${name}-src`);
  mkdirSync(src);
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, p)), { recursive: true });
    writeFileSync(path.join(src, p), data);
  }
  const out = path.join(dir, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', out, '-C', src, ...Object.keys(files).map((p) => `./${p}`)]);
  return out;
}

describe('readTarMember', () => {
  it('finds ./install.sh after a large member, byte for byte', async () => {
    const script = '#!/bin/bash\n# usage: install.sh [airgap] [private-address=<IP>] [no-docker]\n';
    const tarball = archive('replicated', { 'replicated.tar': randomBytes(3 * 1024 * 1024 + 123), 'install.sh': script, 'after.txt': 'x' });
    expect((await readTarMember(tarball, ['install.sh']))?.toString('utf8')).toBe(script);
  });

  it('null when the archive has no such member, and for a member too big to be a script', async () => {
    const tarball = archive('other', { 'README': 'no installer here\n', 'big/install.sh': 'not at the top\n' });
    expect(await readTarMember(tarball, ['install.sh'])).toBeNull();
    const huge = archive('huge', { 'install.sh': randomBytes(64 * 1024) });
    expect(await readTarMember(huge, ['install.sh'], 1024)).toBeNull();
  });
});
