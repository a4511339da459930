/**
 * Runs as every front end sees them: the engine's runbooks, summarised. They
 * are the source of truth for "what is going on", so a window that reloads,
 * or a second window, shows the same run at the same step.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors';

/** undone: its effect was reverted by an abort. */
export const STEP_STATUSES = ['pending', 'running', 'done', 'skipped', 'failed', 'undone'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** aborted: the admin aborted it and every step done was undone (an abort stopped half-way stays failed/interrupted). */
export const RUN_STATUSES = ['running', 'done', 'failed', 'interrupted', 'aborted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RunStepSchema = z.object({
  name: z.string(),
  title: z.string(),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  message: z.string().optional(),
  /** The step may be skipped when it fails; what that costs, in the admin's words. */
  skipConsequence: z.string().optional(),
  /** An abort can undo it. */
  undoable: z.boolean().optional(),
  /** Once this step is done an abort no longer puts things back (traffic moved): why, in the admin's words. */
  pointOfNoReturn: z.string().optional(),
  /** Still to run, it stops, starts or restarts something or switches a root: what, in the admin's words (a resume or skip lists it). */
  disrupts: z.string().optional(),
});

export const RunSummarySchema = z.object({
  id: z.string(),
  operation: z.string(),
  /** The operation in the admin's words ("Proxy settings"); absent for an operation this Drydock does not know. */
  title: z.string().optional(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** When a run that is no longer running stopped (its last save). */
  endedAt: z.string().optional(),
  steps: z.array(RunStepSchema),
  /** "Step title: what went wrong", for a failed or interrupted run. */
  error: z.string().optional(),
  errorCode: z.enum(ERROR_CODES).optional(),
  /** False when Resume must not be offered; `whyNot` says why. */
  resumable: z.boolean().optional(),
  whyNot: z.string().optional(),
  /** Secrets a resume must be given again (they are never kept in runbooks): exactly what the form asks for. */
  missingSecrets: z.array(z.object({ key: z.string(), label: z.string(), env: z.string().optional() })).optional(),
  /** What resuming this run restarts, stops, starts or switches (resume-policy.ts; the steps' own `disrupts`): a resume asks again first. */
  restartsOnResume: z.array(z.string()).optional(),
  /** Said to the admin about this run (e.g. started afresh because a secret differed). */
  notice: z.string().optional(),
  /** For a finished run: whether the operation did its job (a proxy apply whose check failed did not). */
  verdict: z.object({ ok: z.boolean(), message: z.string().optional() }).optional(),
  /** The run is being aborted, or its abort stopped half-way and can be resumed (runs:resume carries on undoing). */
  aborting: z.boolean().optional(),
});

export type RunStep = z.infer<typeof RunStepSchema>;
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** Operations that only read (facts): runs, but not runbooks an admin needs to list by default. */
export const READ_ONLY_OPERATIONS: readonly string[] = ['host-facts'];

/** How long a run took (or has taken so far), in ms. */
export function runDurationMs(run: Pick<RunSummary, 'startedAt' | 'endedAt' | 'updatedAt' | 'status'>, now = Date.now()): number {
  const start = Date.parse(run.startedAt);
  const end = run.status === 'running' ? now : Date.parse(run.endedAt ?? run.updatedAt);
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : 0;
}

/**
 * What the run goes on to stop, start or restart once the failed step
 * `step` is skipped (a skip resumes the run): its resume list without that
 * step's own entry. The engine's runs:skip refuses with the same list.
 */
export function disruptsAfterSkip(run: Pick<RunSummary, 'steps' | 'restartsOnResume'>, step: string): string[] {
  const list = [...(run.restartsOnResume ?? [])];
  const own = run.steps.find((s) => s.name === step)?.disrupts;
  const at = own ? list.indexOf(own) : -1;
  if (at >= 0) list.splice(at, 1);
  return list;
}
