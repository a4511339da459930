/**
 * Starting a restore run from the reviewed plan, and the admin's
 * confirmation of a host key the run could not prove.
 */
import os from 'node:os';
import { RUN_NEEDS_PLAN, type RestoreRunRequest, type RestoreRunResult } from '../../../../shared/channels/restore';
import { DrydockError } from '../../../../shared/errors';
import type { CallContext } from '../../api/types';
import type { Engine } from '../../engine';
import { restoreOperation, type RestoreOutcome } from './operation';
import { resolveRestore } from './plan';
import type { RestoreState } from './types';

function createdBy(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return os.hostname();
  }
}

export async function runRestore(engine: Engine, req: RestoreRunRequest, ctx: CallContext): Promise<RestoreRunResult> {
  // Also for a caller that does not go through the contract: nothing runs that the admin did not review.
  if (!req.planFingerprint) throw new DrydockError('INVALID_INPUT', RUN_NEEDS_PLAN);
  const { plan, input } = await resolveRestore(engine, req, ctx.signal);
  if (!input) throw new DrydockError('CONFLICT', `The restore is blocked: ${plan.blocking.map((b) => b.message).join('; ')}`, { blocking: plan.blocking });
  if (req.planFingerprint !== plan.fingerprint) {
    throw new DrydockError('CONFLICT', "What the restore acts on changed since the plan was reviewed (the backup, the spare, its disks or what its root holds, the spare's or the primary's keys, the Nomad clients' servers): nothing was touched. Review the new plan (restore plan) and run again", { planFingerprint: plan.fingerprint });
  }
  if (!req.confirmed) {
    throw new DrydockError('CONFIRMATION_REQUIRED', `This stops ${plan.spare.host} (${plan.spare.machineId}), swaps its root for backup ${plan.backup?.id} (recovery point ${plan.backup?.recoveryPoint}) and starts it. Review the plan (restore plan) and confirm (--yes).`, { planFingerprint: plan.fingerprint });
  }
  const full = {
    ...input,
    planFingerprint: plan.fingerprint,
    createdBy: createdBy(),
    ...(process.env.DRYDOCK_RESTORE_POLL_MS ? { pollMs: Number(process.env.DRYDOCK_RESTORE_POLL_MS) } : {}),
    ...(process.env.DRYDOCK_RESTORE_TIMEOUT_MS ? { waitTimeoutMs: Number(process.env.DRYDOCK_RESTORE_TIMEOUT_MS) } : {}),
  };
  const started = Date.now();
  let outcome = 'failed';
  try {
    const { runId, result } = await engine.runner.start<RestoreOutcome>(restoreOperation, full, { emit: ctx.emit, signal: ctx.signal });
    outcome = `run ${runId}: ${result.summary}`;
    return { runId, run: engine.runner.describe(engine.runner.store.load(runId)!), ...result };
  } catch (err) {
    outcome = `stopped: ${(err as Error).message}`;
    throw err;
  } finally {
    engine.audit.append({ host: 'local', fingerprint: '', kind: 'local', command: `restore ${input.mode} --spare ${input.spare.host} --backup ${input.backup.id} (${outcome.slice(0, 300)})`, exitCode: outcome.startsWith('run ') ? 0 : 1, durationMs: Date.now() - started });
  }
}

/** The result of a finished or stopped restore run, as restore:run answers it. */
export function restoreResult(engine: Engine, runId: string): RestoreRunResult {
  const run = engine.runner.store.load(runId);
  if (!run || run.operation !== restoreOperation.name) throw new DrydockError('NOT_FOUND', `No restore run ${runId}`);
  return { runId, run: engine.runner.describe(run), ...restoreOperation.result(run.state as RestoreState, run.input as never) };
}

/**
 * The admin checked the spare's fingerprint on its console: the run accepts
 * exactly that key when it is resumed (and only if the spare still presents it).
 */
export async function trustSpareKey(engine: Engine, runId: string, fingerprint: string, confirmed: boolean, signal?: AbortSignal) {
  const run = engine.runner.store.load(runId);
  if (!run || run.operation !== restoreOperation.name) throw new DrydockError('NOT_FOUND', `No restore run ${runId}`);
  if (run.status === 'running') throw new DrydockError('CONFLICT', `Run ${runId} is running (process ${run.pid}): confirm the key once it has stopped for it`);
  if (!confirmed) throw new DrydockError('CONFIRMATION_REQUIRED', `Trust ${fingerprint} for the spare only if the spare's console shows exactly this fingerprint.`);
  const spare = (run.input as { spare: { host: string } }).spare.host;
  const scan = await engine.pool.scan(spare, signal);
  if (scan.fingerprint !== fingerprint) throw new DrydockError('HOST_KEY_MISMATCH', `${spare} presents ${scan.fingerprint}, not the ${fingerprint} you confirmed. Nothing was trusted.`, { host: spare, presented: scan.fingerprint });
  const state = run.state as RestoreState;
  state.confirmedKey = fingerprint;
  engine.runner.store.save(run);
  engine.audit.append({ host: spare, fingerprint, kind: 'trust', command: `restore trust-key --run ${runId}: the admin confirmed ${scan.keyType} ${fingerprint} from the spare's console`, exitCode: 0, durationMs: 0 });
  return { fingerprint, keyType: scan.keyType, proof: 'admin' as const };
}

/**
 * A restore run finished by a resume or a skip (after a crash, a host key
 * confirmed, a failed step): keep the answer restore:run would have given
 * with the run, so the wizard shows its recovery time and what is left to
 * the admin as for a run that went through in one go.
 */
export function keepRestoreOutcome(engine: Engine, runId: string): void {
  const run = engine.runner.store.load(runId);
  if (run?.operation === restoreOperation.name && run.status === 'done') engine.runner.keepOutcome(runId, 'restore:run', restoreResult(engine, runId));
}
