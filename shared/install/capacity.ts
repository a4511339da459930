/**
 * The capacity plan: from each Nomad client's cores and memory, after the
 * 2 vCPU + 4 GB it holds back for coordination, how many builds of each
 * resource class fit at once, the totals, and warnings for clients over the
 * guide's maximum size (what lies beyond it goes unused).
 */
import { z } from 'zod';
import { CLIENT_MAX, CLIENT_RESERVED, DEFAULT_CLASS, GiB, RESOURCE_CLASSES, type ResourceClassName } from './requirements';

export const CapacityClientSchema = z.object({ host: z.string(), cpus: z.number().int().min(0), memoryBytes: z.number().min(0) });
export type CapacityClient = z.infer<typeof CapacityClientSchema>;

const PerClass = z.object({ small: z.number().int(), medium: z.number().int(), large: z.number().int() });

export const CapacityPlanSchema = z.object({
  clients: z.array(
    CapacityClientSchema.extend({
      /** What builds get: beyond the reservation, and capped at the maximum size. */
      usableCpus: z.number(),
      usableMemoryBytes: z.number(),
      fits: PerClass,
      warnings: z.array(z.string()),
    }),
  ),
  totals: PerClass,
  defaultClass: z.enum(['small', 'medium', 'large']),
  warnings: z.array(z.string()),
});
export type CapacityPlan = z.infer<typeof CapacityPlanSchema>;

const gib = (b: number) => `${Math.round((b / GiB) * 10) / 10} GiB`;

export function capacityPlan(clients: CapacityClient[]): CapacityPlan {
  const planned = clients.map((c) => {
    const warnings: string[] = [];
    if (c.cpus > CLIENT_MAX.cpus) warnings.push(`${c.host} has ${c.cpus} vCPUs, over the guide's maximum of ${CLIENT_MAX.cpus}: only ${CLIENT_MAX.cpus} are counted; split it into smaller clients.`);
    if (c.memoryBytes > CLIENT_MAX.memoryBytes) warnings.push(`${c.host} has ${gib(c.memoryBytes)}, over the guide's maximum of ${gib(CLIENT_MAX.memoryBytes)}: only that much is counted; split it into smaller clients.`);
    const usableCpus = Math.max(0, Math.min(c.cpus, CLIENT_MAX.cpus) - CLIENT_RESERVED.cpus);
    const usableMemoryBytes = Math.max(0, Math.min(c.memoryBytes, CLIENT_MAX.memoryBytes) - CLIENT_RESERVED.memoryBytes);
    const fits = Object.fromEntries(
      RESOURCE_CLASSES.map((rc) => [rc.name, Math.floor(Math.min(usableCpus / rc.cpus, usableMemoryBytes / rc.memoryBytes))]),
    ) as Record<ResourceClassName, number>;
    if (fits.small === 0) warnings.push(`${c.host} has no room for any build after the 2 vCPU + 4 GiB reservation.`);
    return { ...c, usableCpus, usableMemoryBytes, fits, warnings };
  });
  const totals = { small: 0, medium: 0, large: 0 };
  for (const c of planned) for (const k of Object.keys(totals) as ResourceClassName[]) totals[k] += c.fits[k];
  const warnings = planned.flatMap((c) => c.warnings);
  if (!clients.length) warnings.push('No Nomad clients measured: add clients to the inventory (role nomad) and run preflight.');
  return { clients: planned, totals, defaultClass: DEFAULT_CLASS, warnings };
}
