/** Progress pushed from the engine to whichever window or browser is watching. */
import { z } from 'zod';
import { AuditEntrySchema } from './audit';
import { RunSummarySchema, STEP_STATUSES } from './runs';

export { STEP_STATUSES, type StepStatus } from './runs';

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

/** A run started, moved on a step or ended: every window keeps its list of runs from these. */
export const RunEventSchema = z.object({ type: z.literal('run'), run: RunSummarySchema });

/** A line was added to the audit log by this engine. */
export const AuditEventSchema = z.object({ type: z.literal('audit'), entry: AuditEntrySchema });

export const DrydockEventSchema = z.discriminatedUnion('type', [StepEventSchema, OutputEventSchema, RunEventSchema, AuditEventSchema]);
export type DrydockEvent = z.infer<typeof DrydockEventSchema>;
export type StepEvent = z.infer<typeof StepEventSchema>;
export type OutputEvent = z.infer<typeof OutputEventSchema>;
/** What a run reports to the caller that started it. */
export type ProgressEvent = StepEvent | OutputEvent;
