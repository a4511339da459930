/**
 * The bundle folder and file names a push accepts (anything else never
 * reaches a host), the folder guard's shape (every level checked with stat,
 * created 0700 one level at a time), and the transfer rate meter.
 */
import { describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { BundlePushRequestSchema } from '../../shared/channels/bundle';
import { assertBundleDir, assertFileName, dirGuard } from '../../electron/engine/operations/bundle/remote-dir';
import { RateMeter } from '../../electron/engine/operations/bundle/rate';

describe('bundle folder and names', () => {
  it('takes plain absolute folders at least two levels deep, nothing that climbs or hides', () => {
    for (const ok of ['/var/lib/drydock/bundle', '/srv/bundle', '/opt/circle-ci/2.19']) expect(() => assertBundleDir(ok)).not.toThrow();
    for (const bad of ['var/lib', '/', '/tmp', '/var/lib/../etc', '/var/./lib', '/var//lib', '/var/lib/', '/var/l b', "/var/lib/$(id)", '/var/lib/x;rm']) {
      expect(() => assertBundleDir(bad), bad).toThrow(DrydockError);
    }
  });

  it('takes the admin\'s file names, not hidden ones, paths or .part', () => {
    for (const ok of ['circleci-2.19.airgap', 'license.rli', 'replicated-2.38.6+2.38.6+2.38.6.tar.gz', 'docker-ce_18.09.9~3-0~ubuntu-xenial_amd64.deb', 'nomad']) {
      expect(() => assertFileName(ok), ok).not.toThrow();
    }
    for (const bad of ['.hidden', 'a/b', '..', 'x.part', "it's", 'a b', '']) expect(() => assertFileName(bad), bad).toThrow(DrydockError);
  });

  it('guards every level of the folder with stat (no -L: a link is seen as a link) and creates missing ones 0700', () => {
    const guard = dirGuard('/var/lib/drydock/bundle');
    for (const level of ['/var', '/var/lib', '/var/lib/drydock', '/var/lib/drydock/bundle']) {
      expect(guard).toContain(`mkdir -m 0700 -- ${level} `);
      expect(guard).toContain(`stat -c '%F:%u:%a' -- ${level} `);
    }
    expect(guard).not.toMatch(/stat -L|mkdir -p/);
    // Ours exactly root's 0700; the system folders above only root-writable.
    expect(guard).toMatch(/case "\$t" in 'directory:0:700'\) ;; \*\) echo "UNTRUSTED\|\/var\/lib\/drydock\/bundle/);
    expect(guard).toMatch(/case "\$t" in 'directory:0:700'\) ;; \*\) echo "UNTRUSTED\|\/var\/lib\/drydock\|/);
  });

  it('asks for hosts or a role, not both and not neither', () => {
    expect(BundlePushRequestSchema.safeParse({ files: ['/a/b.airgap'], role: 'nomad' }).success).toBe(true);
    expect(BundlePushRequestSchema.safeParse({ files: ['/a/b.airgap'], hosts: ['svc'] }).success).toBe(true);
    expect(BundlePushRequestSchema.safeParse({ files: ['/a/b.airgap'] }).success).toBe(false);
    expect(BundlePushRequestSchema.safeParse({ files: ['/a/b.airgap'], hosts: ['svc'], role: 'nomad' }).success).toBe(false);
    expect(BundlePushRequestSchema.safeParse({ files: ['relative.airgap'], role: 'nomad' }).success).toBe(false);
    expect(BundlePushRequestSchema.safeParse({ files: ['/a/b'], role: 'nomad', dir: '/tmp/../etc' }).success).toBe(false);
  });
});

describe('RateMeter', () => {
  it('gives the rate over the last seconds and the time left at that rate', () => {
    const m = new RateMeter(0);
    const t0 = Date.now();
    m.add(10 * 1048576, t0 + 1000);
    m.add(20 * 1048576, t0 + 2000);
    expect(m.rate()).toBeGreaterThan(9 * 1048576);
    expect(m.rate()).toBeLessThan(11 * 1048576);
    expect(m.eta(40 * 1048576)).toBeCloseTo(2, 0);
  });

  it('has no time left to tell before any bytes moved', () => {
    expect(new RateMeter(5).eta(100)).toBeNull();
  });
});
