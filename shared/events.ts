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

/**
 * Bytes of one file on their way to one host (the offline bundle push): how
 * far, how fast, how long to go. Sent a few times a second, not per packet.
 */
export const TransferEventSchema = z.object({
  type: z.literal('transfer'),
  runId: z.string(),
  host: z.string(),
  /** The file's name (as on the laptop and on the host). */
  file: z.string(),
  /** Where it lands on the host. */
  path: z.string(),
  /** Bytes on the host so far, those kept from an earlier attempt included. */
  bytes: z.number(),
  total: z.number(),
  /** Bytes the host already had and that were kept (their hash matched). */
  resumedFrom: z.number(),
  /** Bytes per second over the last few seconds. */
  rate: z.number(),
  /** Seconds left at that rate (null: not known yet). */
  etaSeconds: z.number().nullable(),
  status: z.enum(['waiting', 'sending', 'done', 'skipped', 'failed']),
  sha256: z.string().optional(),
  message: z.string().optional(),
});

/** A run started, moved on a step or ended: every window keeps its list of runs from these. */
export const RunEventSchema = z.object({ type: z.literal('run'), run: RunSummarySchema });

/** A line was added to the audit log by this engine. */
export const AuditEventSchema = z.object({ type: z.literal('audit'), entry: AuditEntrySchema });

export const DrydockEventSchema = z.discriminatedUnion('type', [StepEventSchema, OutputEventSchema, TransferEventSchema, RunEventSchema, AuditEventSchema]);
export type DrydockEvent = z.infer<typeof DrydockEventSchema>;
export type StepEvent = z.infer<typeof StepEventSchema>;
export type OutputEvent = z.infer<typeof OutputEventSchema>;
export type TransferEvent = z.infer<typeof TransferEventSchema>;
/** What a run reports to the caller that started it. */
export type ProgressEvent = StepEvent | OutputEvent | TransferEvent;
