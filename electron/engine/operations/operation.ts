/**
 * The shape every operation takes: named steps, each with "already done?",
 * apply and verify, defined once and driven alike by the GUI, the CLI and the
 * tests. Steps keep what later steps need in `state`, which the runbook
 * persists after every step; that is what makes a run resumable.
 */
import type { z } from 'zod';
import type { TransferEvent } from '../../../shared/events';
import type { AuditLog } from '../audit/audit-log';
import type { Inventory } from '../inventory/inventory';
import type { SshPool } from '../ssh/pool';
import type { SecretField } from '../runbook/secret-input';

/** What a step may use: the engine's services, never Electron. */
export interface EngineServices {
  home: string;
  inventory: Inventory;
  pool: SshPool;
  audit: AuditLog;
}

export interface StepContext<Input, State> {
  readonly input: Input;
  /** JSON-serialisable; persisted after each step. */
  state: State;
  readonly services: EngineServices;
  readonly signal?: AbortSignal;
  readonly runId: string;
  /** A line for the step's status, shown beside it in the GUI and CLI. */
  note(message: string): void;
  /**
   * Persist `state` now, mid-step: for what must survive a crash inside the
   * step, such as the name of a backup set about to be filled.
   */
  checkpoint(): void;
  /** Remote output, streamed as it arrives. */
  output(host: string, stream: 'stdout' | 'stderr', text: string): void;
  /** Progress of a file on its way to a host (absent where nothing listens, as in describeChanges). */
  transfer?(event: Omit<TransferEvent, 'type' | 'runId'>): void;
}

export interface Step<Input, State> {
  name: string;
  /** In the guide's words: "Stop the app", "Take the snapshot". */
  title: string;
  /** True when the step's effect is already in place; apply is then skipped. */
  check?(ctx: StepContext<Input, State>): Promise<boolean>;
  apply(ctx: StepContext<Input, State>): Promise<void>;
  /** Throws when the effect is not in place after apply (or after a skip). */
  verify?(ctx: StepContext<Input, State>): Promise<void>;
  /**
   * Put back what apply changed (an abort runs it for every step done, newest
   * first). Like check, it inspects the real world first: it may run after a
   * crash half-way through apply, or twice when an abort is resumed.
   */
  undo?(ctx: StepContext<Input, State>): Promise<void>;
  /** Only a step that says so may be skipped when it fails, and the admin is told what that costs. */
  skip?: { consequence: string };
  /** Once this step is done an abort no longer puts things back (traffic moved): why, in the admin's words. */
  pointOfNoReturn?: string;
  /**
   * What running this step stops, starts or restarts, or which root it
   * switches, in the admin's words ("stops the spare spare-1 (i-0abc)"); null
   * when it does none of that for this run. Read from the runbook alone (no
   * host is asked): a resume or a skip lists it for every step still to run
   * and goes on only once the admin confirmed (runbook/disruptive.ts).
   */
  disrupts?(input: Input, state: State): string | null;
}

export interface Operation<Input, State, Result> {
  name: string;
  title: string;
  input: z.ZodType<Input>;
  initialState(input: Input): State;
  /** Input fields that are secrets: kept in memory, never in the runbook on disk. */
  secretInput?: readonly SecretField[];
  steps: Step<Input, State>[];
  result(state: State, input: Input): Result;
  /**
   * Operations that change the same things (proxy apply and rollback): a run
   * is no longer resumable once a later run of its group has started.
   */
  group?: string;
  /** Whether the finished run did its job (a proxy apply whose check failed did not): the CLI's exit code. */
  outcome?(result: Result): { ok: boolean; message?: string };
  /**
   * After a step failed or was stopped: exactly what the run has changed so
   * far and on which host (null: nothing), so the admin knows what to undo.
   */
  describeChanges?(ctx: StepContext<Input, State>): Promise<string | null>;
  /** A recovery run (restore, drill): one at a time per installation, under the recovery lock. */
  recovery?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any, any>;

/** Define an operation with its types inferred from the input schema. */
export function defineOperation<S extends z.ZodType, State, Result>(
  op: Operation<z.output<S>, State, Result> & { input: S },
): Operation<z.output<S>, State, Result> {
  return op;
}
