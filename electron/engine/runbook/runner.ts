/**
 * Runs an operation's steps in order, persisting the runbook after each one
 * and reporting progress. Resuming a run skips the steps already done and
 * re-enters the one that was running, whose `check` decides whether its
 * effect already landed before the interruption.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DrydockError, toErrorPayload } from '../../../shared/errors';
import type { DrydockEvent } from '../../../shared/events';
import { parseOrThrow } from '../../../shared/validate';
import type { AnyOperation, EngineServices, StepContext } from '../operations/operation';
import { bootId, RunStore, type RunRecord } from './run-store';
import { withSecrets, withoutSecrets } from './secret-input';

export interface RunOptions {
  emit?: (event: DrydockEvent) => void;
  signal?: AbortSignal;
  /** On resume: where the operation's secret input comes from again (the new request). */
  secrets?: unknown;
}

export interface RunOutcome<R> {
  runId: string;
  result: R;
}

function whoAmI(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}@${os.hostname()}`;
  }
}

export class Runner {
  readonly store: RunStore;

  constructor(
    private readonly services: EngineServices,
    private readonly operations: Map<string, AnyOperation>,
  ) {
    this.store = new RunStore(services.home);
  }

  /** Validate the input (nothing runs on bad input), create the runbook, run it. */
  async start<R>(operation: AnyOperation, rawInput: unknown, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const input = parseOrThrow(operation.input, rawInput, operation.title);
    const now = new Date().toISOString();
    const run: RunRecord = {
      id: `${now.slice(0, 10)}-${operation.name}-${randomUUID().slice(0, 8)}`,
      operation: operation.name,
      status: 'running',
      pid: process.pid,
      boot: bootId(),
      startedAt: now,
      updatedAt: now,
      by: whoAmI(),
      input: withoutSecrets(input, operation.secretInput ?? []),
      state: operation.initialState(input),
      steps: operation.steps.map((s) => ({ name: s.name, title: s.title, status: 'pending' as const })),
    };
    this.store.save(run);
    return this.execute<R>(operation, run, input, options);
  }

  async resume<R>(id: string, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const run = this.store.load(id);
    if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
    if (run.status === 'done') throw new DrydockError('CONFLICT', `Run ${id} already finished`);
    if (run.status === 'running') throw new DrydockError('CONFLICT', `Run ${id} is still running in process ${run.pid}`);
    const operation = this.operations.get(run.operation);
    if (!operation) throw new DrydockError('NOT_FOUND', `Run ${id} belongs to an unknown operation ${run.operation}`);
    // Steps are matched by position: a run recorded by a Drydock whose steps differ cannot be resumed safely.
    if (run.steps.map((s) => s.name).join() !== operation.steps.map((s) => s.name).join()) {
      throw new DrydockError('CONFLICT', `Run ${id} was recorded by a version of Drydock with other steps for ${operation.title}; start it afresh`);
    }
    const input = withSecrets(run.input, operation.secretInput ?? [], options.secrets, operation.title);
    run.status = 'running';
    run.pid = process.pid;
    run.boot = bootId();
    delete run.error;
    this.store.save(run);
    return this.execute<R>(operation, run, input, options);
  }

  /** Runs going on in this process, so the admin can stop one from any front end. */
  private readonly active = new Map<string, AbortController>();

  /** Stop a run at its current step; it is left 'interrupted' and can be resumed. */
  cancel(id: string): boolean {
    const controller = this.active.get(id);
    controller?.abort();
    return !!controller;
  }

  cancelAll(): number {
    for (const controller of this.active.values()) controller.abort();
    return this.active.size;
  }

  private async execute<R>(operation: AnyOperation, run: RunRecord, input: unknown, outer: RunOptions): Promise<RunOutcome<R>> {
    const controller = new AbortController();
    const forward = () => controller.abort();
    outer.signal?.addEventListener('abort', forward, { once: true });
    if (outer.signal?.aborted) controller.abort();
    this.active.set(run.id, controller);
    try {
      return await this.executeSteps<R>(operation, run, input, { ...outer, signal: controller.signal });
    } finally {
      this.active.delete(run.id);
      outer.signal?.removeEventListener('abort', forward);
    }
  }

  private async executeSteps<R>(operation: AnyOperation, run: RunRecord, input: unknown, options: RunOptions): Promise<RunOutcome<R>> {
    const emit = options.emit ?? (() => undefined);
    const ctx: StepContext<unknown, unknown> = {
      input,
      state: run.state,
      services: this.services,
      signal: options.signal,
      runId: run.id,
      note: () => undefined,
      checkpoint: () => {
        run.state = ctx.state;
        this.store.save(run);
      },
      output: (host, stream, text) => emit({ type: 'output', runId: run.id, host, stream, text }),
    };

    for (let i = 0; i < operation.steps.length; i++) {
      const step = operation.steps[i];
      const record = run.steps[i];
      if (record.status === 'done' || record.status === 'skipped') continue;
      const report = () =>
        emit({ type: 'step', runId: run.id, operation: operation.name, step: step.name, title: step.title, status: record.status, ...(record.message ? { message: record.message } : {}) });
      ctx.note = (message) => {
        record.message = message;
        report();
      };

      record.status = 'running';
      record.startedAt = new Date().toISOString();
      delete record.message;
      delete record.endedAt;
      this.store.save(run);
      report();
      try {
        if (options.signal?.aborted) throw new DrydockError('CANCELLED', 'Cancelled by the admin');
        const alreadyDone = step.check ? await step.check(ctx) : false;
        if (!alreadyDone) await step.apply(ctx);
        if (step.verify) await step.verify(ctx);
        record.status = alreadyDone ? 'skipped' : 'done';
        if (alreadyDone) record.message ??= 'already done';
      } catch (err) {
        const payload = toErrorPayload(err);
        record.status = 'failed';
        record.message = payload.message;
        run.status = payload.code === 'CANCELLED' ? 'interrupted' : 'failed';
        run.error = `${step.title}: ${payload.message}`;
        run.state = ctx.state;
        record.endedAt = new Date().toISOString();
        this.store.save(run);
        report();
        throw err instanceof DrydockError ? err : new DrydockError(payload.code, payload.message);
      }
      record.endedAt = new Date().toISOString();
      run.state = ctx.state;
      this.store.save(run);
      report();
    }

    run.status = 'done';
    this.store.save(run);
    return { runId: run.id, result: operation.result(run.state, input) as R };
  }
}
