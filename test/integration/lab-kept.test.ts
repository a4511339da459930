/**
 * A lab in a folder of the caller's choosing, on addresses of its choosing,
 * kept between runs (what `npm run demo -- --keep` stands on): the second
 * start continues the first (same keys, same files); a held address is
 * refused by name; without keep the folder goes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountsUnder, startLab } from '../lab/lab';

const base = mkdtempSync(path.join(os.tmpdir(), 'drydock-lab-kept-'));
const ADDRESSES = ['127.0.81.2', '127.0.81.3'];

afterAll(() => rmSync(base, { recursive: true, force: true }));

function keyscan(ip: string): string {
  return spawnSync('ssh-keyscan', ['-T', '5', '-t', 'ed25519', ip], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[2] ?? '';
}

describe('a kept lab', () => {
  it('comes back with the same keys and files on the same addresses, and goes when not kept', async () => {
    const dir = path.join(base, 'lab');
    const specs = [{ name: 'alpha', standins: true }, { name: 'beta' }];
    const first = await startLab(specs, { dir, addresses: ADDRESSES, keep: true });
    expect(first.hosts.alpha!.ip).toBe('127.0.81.2');
    expect(first.hosts.beta!.ip).toBe('127.0.81.3');
    first.hosts.alpha!.writeFile('/etc/drill-step', 'proxy applied\n');
    const fingerprint = first.hosts.alpha!.fingerprint;
    const served = keyscan('127.0.81.2');
    await first.stop();
    expect(existsSync(path.join(dir, 'hosts', 'alpha', 'upper', 'etc', 'drill-step'))).toBe(true);
    expect(existsSync('/tmp/drydock-lab/ips/127.0.81.2')).toBe(false);
    expect(mountsUnder(dir)).toEqual([]);

    const second = await startLab(specs, { dir, addresses: ADDRESSES });
    try {
      expect(second.hosts.alpha!.fingerprint).toBe(fingerprint);
      expect(keyscan('127.0.81.2')).toBe(served);
      expect(second.hosts.alpha!.readFile('/etc/drill-step')).toBe('proxy applied\n');
      // Not a first boot again: the stand-ins' state is the host's own.
      expect(second.hosts.alpha!.exec('cat /var/lib/lab/replicated/state').stdout).toBe('started\n');
    } finally {
      await second.stop();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses an address another lab holds, naming it', async () => {
    const holder = await startLab([{ name: 'holder' }], { addresses: ['127.0.81.4'] });
    try {
      await expect(startLab([{ name: 'other' }], { addresses: ['127.0.81.4'] })).rejects.toThrow(/127\.0\.81\.4 is in use/);
    } finally {
      await holder.stop();
    }
  });
});
