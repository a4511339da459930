/**
 * Prune on the runbook model: it deletes only backups the admin confirmed,
 * and only while a fresh look at the catalog still says "delete" (a backup
 * that became the newest completed one, or that a restore started using,
 * since the plan was shown is kept, and said so).
 */
import { z } from 'zod';
import { planPrune } from '../../../../shared/backup/catalog';
import { BackupProfileSchema } from '../../../../shared/backup/profile';
import { DrydockError } from '../../../../shared/errors';
import { RunStore } from '../../runbook/run-store';
import { defineOperation, type StepContext } from '../operation';
import { readCatalog } from './catalog';
import { providerFor } from './factory';

export const PruneInput = z
  .object({
    profileData: BackupProfileSchema,
    keepLast: z.number().int().min(1).optional(),
    keepDays: z.number().min(0).optional(),
    /** Backup ids (run ids, or snapshot ids for untagged ones) the admin confirmed for deletion. */
    confirm: z.array(z.string()).min(1),
  })
  .strict();
type Input = z.output<typeof PruneInput>;

export interface PruneState {
  /** Snapshot ids still to delete, per backup id. */
  toDelete: Record<string, string[]>;
  deleted: string[];
  kept: { id: string; why: string }[];
}

type Ctx = StepContext<Input, PruneState>;

async function catalog(ctx: Ctx) {
  const provider = await providerFor(ctx.services, ctx.input.profileData, ctx.signal);
  try {
    return { provider, backups: await readCatalog(provider, ctx.input.profileData, new RunStore(ctx.services.home), ctx.signal) };
  } catch (err) {
    await provider.close();
    throw err;
  }
}

export const backupPrune = defineOperation({
  name: 'backup-prune',
  title: 'Prune backups',
  input: PruneInput,
  initialState: (): PruneState => ({ toDelete: {}, deleted: [], kept: [] }),
  steps: [
    {
      name: 'recheck',
      title: 'Check the confirmed backups against the catalog again',
      check: async (ctx) => Object.keys(ctx.state.toDelete).length > 0 || ctx.state.kept.length > 0,
      apply: async (ctx) => {
        const { provider, backups } = await catalog(ctx);
        await provider.close();
        const decisions = planPrune(backups, { keepLast: ctx.input.keepLast, keepDays: ctx.input.keepDays }, Date.now());
        for (const id of ctx.input.confirm) {
          const d = decisions.find((x) => x.backup.id === id);
          if (!d) ctx.state.kept.push({ id, why: 'no longer in the catalog' });
          else if (d.action === 'keep') ctx.state.kept.push({ id, why: `kept after all: ${d.why}` });
          else ctx.state.toDelete[id] = d.backup.snapshots.map((s) => s.id);
        }
        ctx.note(`${Object.keys(ctx.state.toDelete).length} backup(s) to delete${ctx.state.kept.length ? `; ${ctx.state.kept.length} kept: ${ctx.state.kept.map((k) => `${k.id} (${k.why})`).join(', ')}` : ''}`);
      },
    },
    {
      name: 'delete',
      title: 'Delete the snapshots',
      check: async (ctx) => Object.values(ctx.state.toDelete).every((ids) => ids.length === 0),
      apply: async (ctx) => {
        const provider = await providerFor(ctx.services, ctx.input.profileData, ctx.signal);
        try {
          for (const [backup, ids] of Object.entries(ctx.state.toDelete)) {
            while (ids.length) {
              const id = ids[0];
              try {
                await provider.deleteSnapshot(id, { signal: ctx.signal });
              } catch (err) {
                if (!(err instanceof DrydockError && err.code === 'NOT_FOUND')) throw err;
              }
              ids.shift();
              ctx.state.deleted.push(id);
              ctx.checkpoint();
            }
            ctx.note(`deleted backup ${backup}`);
          }
        } finally {
          await provider.close();
        }
      },
    },
  ],
  result: (state: PruneState) => ({
    deleted: state.deleted,
    kept: state.kept,
    summary: `Deleted ${state.deleted.length} snapshot(s)${state.kept.length ? `; kept ${state.kept.length} backup(s) that a fresh look says to keep` : ''}.`,
  }),
});
