/**
 * A backup on the runbook model. The snapshot is tagged with the run id when
 * it is created, so a resumed run finds its own snapshot (pending or not) and
 * never takes a second one. Consistent mode stops the app, syncs, snapshots
 * and starts the app again as soon as the snapshot exists (EBS snapshots are
 * point-in-time at creation); if anything fails after the stop, the app is
 * started again before the error is reported.
 */
import { sleep } from '../../sleep';
import { z } from 'zod';
import { BackupProfileSchema, TAG } from '../../../../shared/backup/profile';
import { BackupRunRequestSchema, type BackupRunResult } from '../../../../shared/channels/backup';
import { DrydockError } from '../../../../shared/errors';
import { appStatus, waitForState } from '../certs/replicated-app';
import { defineOperation, type StepContext } from '../operation';
import { providerFor } from './factory';
import { chooseDisks, planFingerprint, readServicesHost } from './plan';
import type { BackupProvider, Disk, Machine, Snapshot } from './provider';
import { runningBuilds } from './services-host';

export const BackupOperationInput = BackupRunRequestSchema.extend({
  /** The profile as it was when the admin started the run (a resume uses the same). */
  profileData: BackupProfileSchema,
  drydockVersion: z.string(),
  createdBy: z.string(),
  /** Tests shorten the waits; the admin's runs use the defaults. */
  pollMs: z.number().int().min(10).max(60_000).optional(),
}).strict();
type Input = z.output<typeof BackupOperationInput>;

export interface BackupState {
  machine?: Machine;
  disks?: Disk[];
  servicesHost?: string;
  addresses?: { private?: string; public?: string };
  warnings: string[];
  runningBuilds?: number;
  /** When `replicatedctl app stop` was issued (ms), for the downtime. */
  stopIssuedAt?: number;
  snapshots: Snapshot[];
  snapshotTakenAt?: string;
  downtimeMs?: number;
  restartedAfterFailure?: boolean;
}

type Ctx = StepContext<Input, BackupState>;

async function withProvider<T>(ctx: Ctx, work: (p: BackupProvider) => Promise<T>): Promise<T> {
  const provider = await providerFor(ctx.services, ctx.input.profileData, ctx.signal);
  try {
    return await work(provider);
  } finally {
    await provider.close();
  }
}

function runTags(ctx: Ctx): Record<string, string> {
  const m = ctx.state.machine!;
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  return {
    [TAG.name]: `drydock ${m.name ?? m.id} ${when}Z ${ctx.input.mode}`,
    [TAG.installation]: ctx.input.profileData.installationId,
    [TAG.profile]: ctx.input.profileData.name,
    [TAG.run]: ctx.runId,
    [TAG.mode]: ctx.input.mode,
    [TAG.version]: ctx.input.drydockVersion,
    [TAG.createdBy]: ctx.input.createdBy,
    [TAG.sourceMachine]: m.id,
    ...(ctx.state.addresses?.private ? { [TAG.privateAddress]: ctx.state.addresses.private } : {}),
    ...(ctx.state.addresses?.public ? { [TAG.publicAddress]: ctx.state.addresses.public } : {}),
  };
}

const consistent = (ctx: Ctx) => ctx.input.mode === 'consistent';

async function services(ctx: Ctx) {
  return ctx.services.pool.session(ctx.state.servicesHost!, ctx.signal);
}

/**
 * After a failure past the stop: start the app again (without the run's
 * cancel signal: a cancelled run must not leave the app down), then report
 * the original error with what was done about it.
 */
async function startAgainAfter(ctx: Ctx, err: unknown): Promise<never> {
  const original = err instanceof Error ? err.message : String(err);
  const code = err instanceof DrydockError ? err.code : 'COMMAND_FAILED';
  const host = ctx.state.servicesHost!;
  try {
    const session = await ctx.services.pool.session(host);
    await session.check('replicatedctl app start', { asRoot: true });
    await waitForState(session, 'started', { pollMs: ctx.input.pollMs ?? 2000 });
    ctx.state.restartedAfterFailure = true;
    ctx.state.downtimeMs = Date.now() - (ctx.state.stopIssuedAt ?? Date.now());
    throw new DrydockError(code, `${original}. The app was started again (down ${Math.round(ctx.state.downtimeMs / 1000)} s); no backup was completed by this step.`);
  } catch (again) {
    if (again instanceof DrydockError && again.message.startsWith(original)) throw again;
    throw new DrydockError(code, `${original}. Starting the app again FAILED too: ${(again as Error).message}. Start it by hand on ${host}: sudo replicatedctl app start`);
  }
}

/**
 * A provider's progress as the step's line: every 5 % or 2 s, and at 100 %,
 * so a window follows it and a CLI log (cron) gets a score of lines, not hundreds.
 */
function progressNotes(ctx: { note(message: string): void }): (percent: number, message: string) => void {
  let last = -Infinity;
  let at = 0;
  return (percent, message) => {
    if (percent - last < 5 && Date.now() - at < 2000 && percent !== 100) return;
    if (percent === 100 && last === 100) return;
    [last, at] = [percent, Date.now()];
    ctx.note(`${percent}% · ${message}`);
  };
}

function progressLine(snapshots: Snapshot[]): string {
  return snapshots.map((s) => `${s.id} (${s.root ? 'root' : s.device || s.disk}) ${s.state} ${s.progress}%`).join(' · ');
}

export const backupRun = defineOperation({
  name: 'backup-run',
  title: 'Backup',
  input: BackupOperationInput,
  initialState: (): BackupState => ({ warnings: [], snapshots: [] }),
  steps: [
    {
      name: 'find',
      title: 'Find the Services machine and the disks to snapshot',
      check: async (ctx) => !!ctx.state.machine,
      apply: async (ctx) => {
        await withProvider(ctx, async (p) => {
          const creds = await p.identity({ signal: ctx.signal });
          const profile = ctx.input.profileData;
          const machine = await p.findMachine(profile.provider === 'aws' ? profile.instance : profile.domain, { signal: ctx.signal });
          const { disks } = chooseDisks(await p.disks(machine, { signal: ctx.signal }), ctx.input.volumes);
          if (ctx.input.planFingerprint && ctx.input.planFingerprint !== planFingerprint(machine, disks, ctx.input.mode)) {
            throw new DrydockError('CONFLICT', 'The instance or its volumes changed since you reviewed the plan: review the new plan, then run again. Nothing was done.');
          }
          const host = await readServicesHost(ctx.services, machine, ctx.input.mode, ctx.input.volumes === 'root', ctx.signal);
          Object.assign(ctx.state, { machine, disks, addresses: host.addresses, warnings: host.warnings, ...(host.servicesHost ? { servicesHost: host.servicesHost } : {}) });
          ctx.note(`${machine.name ?? machine.id} (${machine.id}): ${disks.map((d) => `${d.id} ${d.device} ${d.sizeGiB} GiB`).join(', ')}; ${creds}`);
        });
      },
    },
    {
      name: 'builds',
      title: 'Report running builds',
      check: async (ctx) => {
        if (consistent(ctx) && !ctx.state.snapshots.length) return false;
        ctx.note(consistent(ctx) ? 'the snapshot exists already' : 'live mode: the app keeps running');
        return true;
      },
      apply: async (ctx) => {
        const session = await services(ctx);
        let n = await runningBuilds(session, ctx.signal);
        ctx.state.runningBuilds = n;
        while (n > 0 && ctx.input.waitForBuilds) {
          ctx.note(`${n} build(s) running: waiting for them to finish before stopping the app`);
          await sleep(ctx.input.pollMs ?? 15_000, ctx.signal);
          n = await runningBuilds(session, ctx.signal);
        }
        ctx.note(n ? `${n} build(s) running: going on as you chose (they stop with the app and may need re-running)` : 'no build running');
      },
    },
    {
      name: 'stop-app',
      title: 'Stop the app and wait for "stopped"',
      check: async (ctx) => {
        if (consistent(ctx) && !ctx.state.snapshots.length) return false;
        ctx.note(consistent(ctx) ? 'the snapshot exists already' : 'live mode: no stop');
        return true;
      },
      apply: async (ctx) => {
        const session = await services(ctx);
        ctx.state.stopIssuedAt ??= Date.now();
        ctx.checkpoint();
        try {
          await session.check('replicatedctl app stop', { asRoot: true, signal: ctx.signal });
          await waitForState(session, 'stopped', { signal: ctx.signal, pollMs: ctx.input.pollMs ?? 2000, onPoll: (s) => ctx.note(`app ${s.State}`) });
        } catch (err) {
          return startAgainAfter(ctx, err);
        }
        ctx.note(`app stopped after ${Math.round((Date.now() - ctx.state.stopIssuedAt) / 1000)} s`);
      },
    },
    {
      name: 'snapshot',
      title: 'Take the snapshot',
      // The run's own snapshot, found by its tag: after an interruption, never a second one.
      check: async (ctx) =>
        withProvider(ctx, async (p) => {
          const mine = await p.listSnapshots({ tags: { [TAG.run]: ctx.runId } }, { signal: ctx.signal });
          // A libvirt backup is done by Drydock itself: one left half-copied is finished by apply, which finds it again.
          if (!mine.length || (p.kind !== 'aws' && mine.some((s) => s.state !== 'completed'))) return false;
          if ('labelDisks' in p) await (p as { labelDisks(s: Snapshot[], d: Disk[]): Promise<void> }).labelDisks(mine, ctx.state.disks!);
          ctx.state.snapshots = mine;
          ctx.state.snapshotTakenAt ??= mine.map((s) => s.startedAt).sort()[0];
          ctx.note(`this run's snapshot exists already: ${progressLine(mine)}`);
          return true;
        }),
      apply: async (ctx) => {
        try {
          if (consistent(ctx)) {
            const session = await services(ctx);
            const status = await appStatus(session, ctx.signal);
            if (status.State !== 'stopped') throw new DrydockError('CONFLICT', `The app is ${status.State}, not stopped: not taking a consistent snapshot`);
            await session.check('sync', { asRoot: true, signal: ctx.signal });
          }
          const made = await withProvider(ctx, (p) =>
            p.createSnapshots({ machine: ctx.state.machine!, disks: ctx.state.disks!, tags: runTags(ctx), description: `Drydock ${ctx.input.mode} backup of ${ctx.state.machine!.name ?? ctx.state.machine!.id} (run ${ctx.runId})` }, { signal: ctx.signal, onProgress: progressNotes(ctx) }),
          );
          ctx.state.snapshots = made;
          ctx.state.snapshotTakenAt = new Date().toISOString();
          ctx.checkpoint();
          ctx.note(`started ${progressLine(made)}`);
        } catch (err) {
          if (consistent(ctx)) return startAgainAfter(ctx, err);
          throw err;
        }
      },
      verify: async (ctx) => {
        if (ctx.state.snapshots.length !== ctx.state.disks!.length) {
          throw new DrydockError('COMMAND_FAILED', `Expected ${ctx.state.disks!.length} snapshot(s), found ${ctx.state.snapshots.length} tagged with this run`);
        }
      },
    },
    {
      name: 'start-app',
      title: 'Start the app and wait for "started"',
      check: async (ctx) => {
        if (!consistent(ctx)) {
          ctx.note('live mode: the app was not stopped');
          return true;
        }
        return false;
      },
      apply: async (ctx) => {
        const session = await services(ctx);
        await session.check('replicatedctl app start', { asRoot: true, signal: ctx.signal });
        await waitForState(session, 'started', { signal: ctx.signal, pollMs: ctx.input.pollMs ?? 2000, onPoll: (s) => ctx.note(`app ${s.State}`) });
        ctx.state.downtimeMs = Date.now() - (ctx.state.stopIssuedAt ?? Date.now());
        ctx.note(`app started again; downtime ${(ctx.state.downtimeMs / 1000).toFixed(1)} s`);
      },
    },
    {
      name: 'wait',
      title: 'Follow the snapshot to completed',
      check: async (ctx) => {
        if (ctx.input.wait) return false;
        ctx.note(`not waiting (the snapshot completes on its own): follow it with drydock backup list --profile ${ctx.input.profile}`);
        return true;
      },
      apply: async (ctx) => {
        let delay = Math.min(ctx.input.pollMs ?? 1000, 1000);
        await withProvider(ctx, async (p) => {
          for (;;) {
            const now = await p.listSnapshots({ ids: ctx.state.snapshots.map((s) => s.id) }, { signal: ctx.signal });
            for (const s of now) {
              const i = ctx.state.snapshots.findIndex((x) => x.id === s.id);
              if (i >= 0) ctx.state.snapshots[i] = { ...ctx.state.snapshots[i], state: s.state, progress: s.progress, ...(s.message ? { message: s.message } : {}) };
            }
            ctx.note(progressLine(ctx.state.snapshots));
            const failed = ctx.state.snapshots.filter((s) => s.state === 'error');
            if (failed.length) {
              throw new DrydockError('COMMAND_FAILED', `Snapshot ${failed.map((s) => `${s.id} (${s.disk}) ended in error: ${s.message ?? 'no reason given'}`).join('; ')}. Nothing else changed; take a new backup (the failed one stays listed until pruned).`);
            }
            if (ctx.state.snapshots.every((s) => s.state === 'completed')) return;
            if (now.length < ctx.state.snapshots.length) throw new DrydockError('NOT_FOUND', `A snapshot of this run is gone (deleted while pending?): ${progressLine(ctx.state.snapshots)}`);
            await sleep(delay, ctx.signal);
            delay = Math.min(delay * 1.5, ctx.input.pollMs ?? 15_000);
          }
        });
      },
    },
  ],
  result: (state: BackupState, input: Input): Omit<BackupRunResult, 'runId'> => {
    const machine = state.machine?.name ? `${state.machine.name} (${state.machine.id})` : (state.machine?.id ?? '');
    const done = state.snapshots.every((s) => s.state === 'completed');
    const parts = [
      `${input.mode === 'consistent' ? 'Consistent' : 'Live'} backup of ${machine}: ${state.snapshots.map((s) => s.id).join(', ')} ${done ? 'completed' : 'taken, completing in the background'}`,
      state.downtimeMs !== undefined ? `app down ${(state.downtimeMs / 1000).toFixed(1)} s` : '',
    ].filter(Boolean);
    return {
      mode: input.mode,
      machine,
      snapshots: state.snapshots.map((s) => ({ id: s.id, disk: s.disk, root: s.root, state: s.state, progress: s.progress })),
      ...(state.downtimeMs !== undefined ? { downtimeMs: state.downtimeMs } : {}),
      warnings: state.warnings,
      summary: parts.join('; ') + '.',
    };
  },
});
