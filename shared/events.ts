/** Progress pushed from the engine to whichever window or browser is watching. */
import { z } from 'zod';

export const STEP_STATUSES = ['pending', 'running', 'done', 'skipped', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const StepEventSchema = z.object({
  type: z.literal('step'),
  runId: z.string(),
  operation: z.string(),
  step: z.string(),
  title: z.string(),
  status: z.enum(STEP_STATUSES),
  message: z.string().optional(),
});

export const OutputEventSchema = z.object({
  type: z.literal('output'),
  runId: z.string(),
  host: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});

export const DrydockEventSchema = z.discriminatedUnion('type', [StepEventSchema, OutputEventSchema]);
export type DrydockEvent = z.infer<typeof DrydockEventSchema>;
export type StepEvent = z.infer<typeof StepEventSchema>;
