/**
 * Runs an operation's steps in order, persisting the runbook after each one
 * and reporting progress. Resuming a run skips the steps already done and
 * re-enters the one that was running, whose `check` decides whether its
 * effect already landed before the interruption.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DrydockError, toErrorPayload } from '../../../shared/errors';
import type { ProgressEvent } from '../../../shared/events';
import { parseOrThrow } from '../../../shared/validate';
import { withRun } from '../audit/run-scope';
import type { EventBus } from '../events';
import type { AnyOperation, EngineServices, StepContext } from '../operations/operation';
import type { RunSummary } from '../../../shared/contract';
import { bootId, RunStore, summarize, type RunRecord } from './run-store';
import { changedSecrets, hashSecrets, missingSecrets, secretKey, withSecrets, withoutSecrets } from './secret-input';
import { acquireRecoveryLock, releaseRecoveryLock } from './recovery-lock';
import { abortRefusal, markSkipped, undoSteps } from './undo';
import { disruptiveOnResume, stepDisrupts } from './disruptive';

export interface RunOptions {
  emit?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** On resume: where the operation's secret input comes from again (the new request). */
  secrets?: unknown;
  /**
   * On resume: the whole input again (a re-run of the same operation with the
   * same settings, whose plan the admin reviewed just now); it replaces the
   * stored one. The operation decides what a newer review allows.
   */
  input?: unknown;
}

export interface RunOutcome<R> {
  runId: string;
  result: R;
  /** Said to the admin: e.g. the resume started afresh because a secret differed. */
  notice?: string;
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
    /** Where every run's progress goes besides its caller: every window, whoever started the run. */
    private readonly bus?: EventBus,
  ) {
    this.store = new RunStore(services.home);
  }

  /** A run as the front ends show it, with its operation's title. */
  summary(run: RunRecord) {
    const operation = this.operations.get(run.operation);
    const summary = summarize(run, operation?.title);
    // What each step allows (skip, undo) comes from this Drydock's definition of the operation.
    if (operation) {
      summary.steps = summary.steps.map((s) => {
        const def = operation.steps.find((d) => d.name === s.name);
        return { ...s, ...(def?.skip ? { skipConsequence: def.skip.consequence } : {}), ...(def?.undo ? { undoable: true } : {}), ...(def?.pointOfNoReturn ? { pointOfNoReturn: def.pointOfNoReturn } : {}), ...stepDisrupts(def, run, s.status) };
      });
    }
    return summary;
  }

  /** Persist and tell every window. */
  save(run: RunRecord): void {
    this.store.save(run);
    this.publish(run);
  }

  private publish(run: RunRecord): void {
    // The whole description (resumable, secrets and restarts a resume needs): a window keeps what it receives.
    this.bus?.emit({ type: 'run', run: this.describe(run) });
  }

  /** Keep the answer a run's call gave, for a window that reloaded before it came. */
  keepOutcome(runId: string, channel: string, value: unknown): void {
    const run = this.store.load(runId);
    if (!run) return;
    run.outcome = { channel, value };
    this.store.save(run);
  }

  /** Validate the input (nothing runs on bad input), create the runbook, run it. */
  async start<R>(operation: AnyOperation, rawInput: unknown, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const { run, input } = this.create(operation, rawInput);
    return this.execute<R>(operation, run, input, options);
  }

  private create(operation: AnyOperation, rawInput: unknown, notice?: string): { run: RunRecord; input: unknown } {
    const input = parseOrThrow(operation.input, rawInput, operation.title);
    const now = new Date().toISOString();
    const fields = operation.secretInput ?? [];
    const run: RunRecord = {
      id: `${now.slice(0, 10)}-${operation.name}-${randomUUID().slice(0, 8)}`,
      operation: operation.name,
      status: 'running',
      pid: process.pid,
      boot: bootId(),
      startedAt: now,
      updatedAt: now,
      by: whoAmI(),
      input: withoutSecrets(input, fields),
      ...(fields.length ? { secretHashes: hashSecrets(input, fields) } : {}),
      ...(notice ? { notice } : {}),
      state: operation.initialState(input),
      steps: operation.steps.map((s) => ({ name: s.name, title: s.title, status: 'pending' as const })),
    };
    this.save(run);
    return { run, input };
  }

  /** Why a run cannot be resumed (null: it can). */
  whyNotResumable(run: RunRecord, all?: RunRecord[]): string | null {
    if (run.status === 'done') return 'it already finished';
    if (run.status === 'aborted') return 'it was aborted (every step done was undone)';
    if (run.status === 'running') return `it is still running in process ${run.pid}`;
    if (run.supersededBy) return `run ${run.supersededBy} replaced it (started afresh)`;
    const operation = this.operations.get(run.operation);
    if (!operation) return `it belongs to an unknown operation ${run.operation}`;
    // Steps are matched by position: a run recorded by a Drydock whose steps differ cannot be resumed safely.
    if (run.steps.map((s) => s.name).join() !== operation.steps.map((s) => s.name).join()) {
      return `it was recorded by a version of Drydock with other steps for ${operation.title}; start it afresh`;
    }
    if (operation.group) {
      const later = (all ?? this.store.list()).find(
        (r) =>
          r.id !== run.id &&
          r.startedAt > run.startedAt &&
          this.operations.get(r.operation)?.group === operation.group &&
          // A later run that stopped in its first step (planning, finding) changed nothing.
          (r.steps[0]?.status === 'done' || r.steps[0]?.status === 'skipped'),
      );
      if (later) return `a later run (${later.id}, ${this.operations.get(later.operation)?.title ?? later.operation}) has changed the same files since; resuming this one would undo it`;
    }
    return null;
  }

  /** What the Runbooks list shows of a run: resumable or why not, and the secrets a resume needs. */
  describe(run: RunRecord, all?: RunRecord[]): RunSummary {
    const why = this.whyNotResumable(run, all);
    const fields = this.operations.get(run.operation)?.secretInput ?? [];
    const missing = why ? [] : missingSecrets(run.input, fields);
    const restarts = why ? null : disruptiveOnResume(this.operations.get(run.operation), run);
    return {
      ...this.summary(run),
      resumable: !why,
      ...(restarts?.length ? { restartsOnResume: restarts } : {}),
      ...(why ? { whyNot: why } : {}),
      ...(missing.length ? { missingSecrets: missing.map((f) => ({ key: secretKey(f), label: f.label ?? f.path[f.path.length - 1], ...(f.env ? { env: f.env } : {}) })) } : {}),
    };
  }

  /** The operation's own verdict on a finished run's result (absent: it did its job). */
  outcomeOf(run: RunRecord, result: unknown): { ok: boolean; message?: string } | undefined {
    return this.operations.get(run.operation)?.outcome?.(result);
  }

  async resume<R>(id: string, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const run = this.store.load(id);
    if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
    const why = this.whyNotResumable(run);
    if (why) throw new DrydockError('CONFLICT', `Run ${id} cannot be resumed: ${why}`, { reason: 'not-resumable' });
    const operation = this.operations.get(run.operation)!;
    if (run.aborting) return this.abort<R>(id, options);
    const fields = operation.secretInput ?? [];
    const input = options.input !== undefined ? parseOrThrow(operation.input, options.input, operation.title) : withSecrets(run.input, fields, options.secrets, operation.title);
    const changed = this.changedSecrets(run, input);
    // One run, one set of secrets: finishing this run with another would
    // leave hosts with two. It stays stopped; a new run plans afresh.
    if (changed.length) return this.startAfresh<R>(run, operation, input, changed, options);
    if (options.input !== undefined) run.input = withoutSecrets(input, fields);
    run.status = 'running';
    run.pid = process.pid;
    run.boot = bootId();
    delete run.error;
    delete run.errorCode;
    delete run.endedAt;
    delete run.outcome;
    this.save(run);
    return this.execute<R>(operation, run, input, options);
  }

  /** Labels of the secrets in `input` that differ from those `run` started with. */
  changedSecrets(run: RunRecord, input: unknown): string[] {
    return changedSecrets(input, this.operations.get(run.operation)?.secretInput ?? [], run.secretHashes);
  }

  /** Replace `run` by a new run of the same operation (it is then no longer resumable), saying why. */
  async startAfresh<R>(run: RunRecord, operation: AnyOperation, rawInput: unknown, changed: string[], options: RunOptions = {}): Promise<RunOutcome<R>> {
    const notice = `The ${changed.join(' and ')} given ${changed.length > 1 ? 'differ' : 'differs'} from the one run ${run.id} started with: that run stays stopped, and a new run starts afresh from its first step.`;
    options.emit?.({ type: 'output', runId: run.id, host: '', stream: 'stderr', text: `${notice}\n` });
    const fresh = this.create(operation, rawInput, notice);
    try {
      return { ...(await this.execute<R>(operation, fresh.run, fresh.input, options)), notice };
    } catch (err) {
      // Said even when the new run stops: the admin must know which run it was.
      const payload = toErrorPayload(err);
      throw new DrydockError(payload.code, `${notice} ${payload.message}`, payload.details);
    } finally {
      // Replaced once the new run got past its first step; one that stopped there changed nothing.
      const first = fresh.run.steps[0]?.status;
      if (first === 'done' || first === 'skipped') {
        run.supersededBy = fresh.run.id;
        this.store.save(run);
      }
    }
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
      if (operation.recovery) this.lockFor(run, outer);
      return await withRun(run.id, () => this.executeSteps<R>(operation, run, input, { ...outer, signal: controller.signal }));
    } finally {
      if (operation.recovery) releaseRecoveryLock(this.services.home, run.id);
      this.active.delete(run.id);
      outer.signal?.removeEventListener('abort', forward);
    }
  }

  /** The recovery lock for a recovery run; a refused lock leaves the run stopped (resumable), never half-started. */
  private lockFor(run: RunRecord, outer: RunOptions): void {
    try {
      const { warning } = acquireRecoveryLock(this.services.home, run.id);
      if (warning) {
        outer.emit?.({ type: 'output', runId: run.id, host: '', stream: 'stderr', text: `${warning}\n` });
        run.notice = warning;
        this.save(run);
      }
    } catch (err) {
      const payload = toErrorPayload(err);
      run.status = 'failed';
      run.error = payload.message;
      run.errorCode = payload.code;
      run.endedAt = new Date().toISOString();
      this.save(run);
      throw err;
    }
  }

  /**
   * Abort a stopped run: undo every step done, newest first, saving after
   * each so an abort cut short is itself resumable (`resume` carries on
   * undoing). The run ends 'aborted'.
   */
  async abort<R>(id: string, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const run = this.store.load(id);
    if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
    const operation = this.operations.get(run.operation);
    if (!operation) throw new DrydockError('CONFLICT', `Run ${id} belongs to an unknown operation ${run.operation}`);
    const why = abortRefusal(run, operation);
    if (why) throw new DrydockError('CONFLICT', `Run ${id} cannot be aborted: ${why}`);
    const controller = new AbortController();
    this.active.set(run.id, controller);
    try {
      if (operation.recovery) this.lockFor(run, options);
      run.aborting = true;
      run.status = 'running';
      run.pid = process.pid;
      run.boot = bootId();
      delete run.endedAt;
      this.save(run);
      const ctx = this.context(run, run.input, { ...options, signal: controller.signal });
      await withRun(run.id, () => undoSteps(operation, run, ctx, { save: (r) => this.save(r), emit: ctx.emitStep }));
      return { runId: run.id, result: operation.result(run.state, run.input) as R };
    } finally {
      if (operation.recovery) releaseRecoveryLock(this.services.home, run.id);
      this.active.delete(run.id);
    }
  }

  /** Skip a failed step that allows it (the admin saw its consequence), then go on with the run. */
  async skip<R>(id: string, stepName: string, options: RunOptions = {}): Promise<RunOutcome<R>> {
    const run = this.store.load(id);
    if (!run) throw new DrydockError('NOT_FOUND', `No run ${id}`);
    const operation = this.operations.get(run.operation);
    markSkipped(run, operation, stepName);
    this.save(run);
    return this.resume<R>(id, options);
  }

  /** A step context for `run` whose events go to the caller and every window. */
  private context(run: RunRecord, input: unknown, options: RunOptions): StepContext<unknown, unknown> & { emitStep: (e: ProgressEvent) => void } {
    const caller = options.emit ?? (() => undefined);
    const emit = (event: ProgressEvent) => {
      caller(event);
      this.bus?.emit(event);
    };
    const ctx: StepContext<unknown, unknown> & { emitStep: (e: ProgressEvent) => void } = {
      input,
      state: run.state,
      services: this.services,
      signal: options.signal,
      runId: run.id,
      note: () => undefined,
      checkpoint: () => {
        run.state = ctx.state;
        this.save(run);
      },
      output: (host, stream, text) => emit({ type: 'output', runId: run.id, host, stream, text }),
      transfer: (event) => emit({ type: 'transfer', runId: run.id, ...event }),
      emitStep: emit,
    };
    return ctx;
  }

  /** The operation's account of what it changed so far; never fails the report itself. */
  private async changesSoFar(operation: AnyOperation, ctx: StepContext<unknown, unknown>): Promise<string | null> {
    if (!operation.describeChanges) return null;
    // The run's own signal may be the one that was aborted: the report reads the hosts on its own.
    const report = operation.describeChanges({ ...ctx, signal: AbortSignal.timeout(20_000) }).catch((err: unknown) => `What changed could not be read back (${toErrorPayload(err).message}).`);
    return report;
  }

  private async executeSteps<R>(operation: AnyOperation, run: RunRecord, input: unknown, options: RunOptions): Promise<RunOutcome<R>> {
    const ctx = this.context(run, input, options);
    const emit = ctx.emitStep;

    for (let i = 0; i < operation.steps.length; i++) {
      const step = operation.steps[i];
      const record = run.steps[i];
      if (record.status === 'done' || record.status === 'skipped') continue;
      const report = () => {
        emit({ type: 'step', runId: run.id, operation: operation.name, step: step.name, title: step.title, status: record.status, ...(record.message ? { message: record.message } : {}) });
        this.publish(run);
      };
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
        const stopped = payload.code === 'CANCELLED' || !!options.signal?.aborted;
        const changes = await this.changesSoFar(operation, ctx);
        if (stopped) payload.message = `Stopped by the admin during "${step.title}"`;
        if (changes) payload.message += `. ${changes} To finish: resume run ${run.id}.`;
        if (stopped && !changes && operation.describeChanges) payload.message += '; nothing had been changed yet';
        record.status = 'failed';
        record.message = payload.message;
        run.status = stopped ? 'interrupted' : 'failed';
        run.error = `${step.title}: ${payload.message}`;
        run.errorCode = payload.code;
        run.state = ctx.state;
        record.endedAt = new Date().toISOString();
        run.endedAt = record.endedAt;
        this.store.save(run);
        report();
        throw err instanceof DrydockError && !changes && !stopped ? err : new DrydockError(payload.code, payload.message, payload.details);
      }
      record.endedAt = new Date().toISOString();
      run.state = ctx.state;
      this.store.save(run);
      report();
    }

    run.status = 'done';
    run.endedAt = new Date().toISOString();
    this.save(run);
    return { runId: run.id, result: operation.result(run.state, input) as R };
  }
}
