/** What Drydock learns about a host before it changes anything on it. */
import { z } from 'zod';

export const DiskSchema = z.object({
  mount: z.string(),
  filesystem: z.string(),
  sizeBytes: z.number(),
  freeBytes: z.number(),
});

export const HostFactsSchema = z.object({
  hostname: z.string(),
  os: z.object({ id: z.string(), name: z.string(), version: z.string() }),
  kernel: z.string(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  disks: z.array(DiskSchema),
  software: z.object({
    /** The Docker client, as `docker --version` reports it. */
    docker: z.string().nullable(),
    /** The Docker daemon (`docker version --format '{{.Server.Version}}'`); null when it cannot be reached. */
    dockerServer: z.string().nullable(),
    nomad: z.string().nullable(),
    replicated: z.string().nullable(),
  }),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;
export type Disk = z.infer<typeof DiskSchema>;
