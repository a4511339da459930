/** The capacity plan: builds per resource class after the 2 vCPU + 4 GiB reservation, totals, maximum-size warnings. */
import { describe, expect, it } from 'vitest';
import { capacityPlan } from '../../shared/install/capacity';

const GiB = 1024 ** 3;

describe('capacityPlan', () => {
  it('counts what fits after the reservation, bounded by the scarcer of cores and memory', () => {
    const plan = capacityPlan([
      { host: 'c8', cpus: 8, memoryBytes: 32 * GiB }, // 6 vCPU / 28 GiB for builds
      { host: 'c4', cpus: 4, memoryBytes: 8 * GiB }, // 2 vCPU / 4 GiB
    ]);
    expect(plan.clients[0]).toMatchObject({ usableCpus: 6, usableMemoryBytes: 28 * GiB, fits: { small: 6, medium: 3, large: 1 } });
    expect(plan.clients[1].fits).toEqual({ small: 2, medium: 1, large: 0 });
    expect(plan.totals).toEqual({ small: 8, medium: 4, large: 1 });
    expect(plan.defaultClass).toBe('medium');
    expect(plan.warnings).toEqual([]);
  });

  it('memory-bound clients are limited by memory', () => {
    expect(capacityPlan([{ host: 'm', cpus: 16, memoryBytes: 12 * GiB }]).clients[0].fits).toEqual({ small: 4, medium: 2, large: 1 });
  });

  it('warns about clients over 64 CPUs / 128 GiB and counts only up to the maximum', () => {
    const plan = capacityPlan([{ host: 'huge', cpus: 96, memoryBytes: 256 * GiB }]);
    expect(plan.clients[0].usableCpus).toBe(62);
    expect(plan.clients[0].usableMemoryBytes).toBe(124 * GiB);
    expect(plan.clients[0].fits.large).toBe(15);
    expect(plan.warnings).toHaveLength(2);
    expect(plan.warnings[0]).toMatch(/huge has 96 vCPUs, over the guide's maximum of 64/);
    expect(plan.warnings[1]).toMatch(/huge has 256 GiB, over the guide's maximum of 128 GiB/);
  });

  it('a client with nothing left after the reservation, and no clients at all, are called out', () => {
    const plan = capacityPlan([{ host: 'tiny', cpus: 2, memoryBytes: 4 * GiB }]);
    expect(plan.clients[0].fits).toEqual({ small: 0, medium: 0, large: 0 });
    expect(plan.warnings[0]).toMatch(/tiny has no room for any build/);
    expect(capacityPlan([]).warnings[0]).toMatch(/No Nomad clients/);
  });
});
