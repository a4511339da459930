/**
 * Install preflight and capacity channels (engine side:
 * electron/engine/operations/install/preflight/). The bundle push and the
 * Replicated/Nomad install have their own files (bundle.ts, install-services.ts).
 */
import { z } from 'zod';
import { CapacityClientSchema, CapacityPlanSchema } from '../install/capacity';
import { PreflightReportSchema, PreflightRequestSchema } from '../install/preflight';

export const installChannels = {
  /** Every host's checks in parallel, read-only; the report is kept as the last preflight in DRYDOCK_HOME. */
  'install:preflight': { request: PreflightRequestSchema, response: PreflightReportSchema },
  /** The last preflight's report (a reloaded window shows it again), or null. */
  'install:preflight-last': { request: z.object({}).strict(), response: PreflightReportSchema.nullable() },
  /** The last preflight as a Markdown or HTML document. */
  'install:preflight-export': {
    request: z.object({ format: z.enum(['markdown', 'html']) }).strict(),
    response: z.object({ filename: z.string(), content: z.string() }),
  },
  /** Builds per resource class from the given clients, or from the Nomad clients of the last preflight. */
  'install:capacity': {
    request: z.object({ clients: z.array(CapacityClientSchema).optional() }).strict(),
    response: CapacityPlanSchema,
  },
} as const;
