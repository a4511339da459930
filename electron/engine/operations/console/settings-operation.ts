/**
 * Applying console settings as a runbook operation, so the run is visible
 * (GUI, CLI, `drydock runs`) until it ends and resumable: check the reviewed
 * plan is still current → save the whole config on the laptop → import it
 * with only the planned items changed → verify by a second export → restart
 * the app, only when the admin agreed. Secret values stay in memory: the
 * runbook keeps item names and the backup's path, never values.
 */
import { z } from 'zod';
import { SettingsChangesSchema } from '../../../../shared/console/settings';
import { DrydockError } from '../../../../shared/errors';
import { HostName } from '../../../../shared/hosts';
import { defineOperation } from '../operation';
import { exportAppConfig } from '../certs/services-host';
import { desiredValues, differences, importConfig, planSettings, restartApp, saveBackup, type AppConfigExport } from './settings';
import { readFileSync } from 'node:fs';

const Input = z
  .object({
    services: HostName.optional(),
    changes: SettingsChangesSchema,
    restart: z.boolean(),
    planFingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

interface State {
  services?: string;
  /** Item names the plan changes. */
  items: string[];
  backupFile?: string;
  changed?: string[];
  restarted?: boolean;
}

const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as AppConfigExport;

export const settingsApply = defineOperation({
  name: 'console-settings-apply',
  title: 'Change the console settings',
  input: Input,
  secretInput: [{ path: ['changes', 'metrics.cloudwatch.secret-key'] }, { path: ['changes', 'metrics.datadog.api-key'] }],
  initialState: () => ({ items: [] }) as State,
  steps: [
    {
      name: 'check-plan',
      title: 'Check the reviewed plan is still current',
      async apply(ctx) {
        const plan = await planSettings(ctx.services, ctx.input.changes, { services: ctx.input.services, signal: ctx.signal });
        if (plan.missing.length) throw new DrydockError('NOT_FOUND', `Nothing was changed. ${plan.missing.map((m) => m.message).join('; ')}`, { missing: plan.missing });
        if (plan.problems.length) throw new DrydockError('INVALID_INPUT', `Nothing was changed. ${plan.problems.join(' ')}`);
        if (ctx.input.planFingerprint && ctx.input.planFingerprint !== plan.fingerprint) {
          throw new DrydockError('CONFLICT', 'The console settings changed on the Services machine since you reviewed the plan: nothing was changed. Review the new plan.');
        }
        ctx.state.services = plan.services;
        ctx.state.items = plan.changes.filter((c) => c.changed).map((c) => c.item).sort();
        if (!ctx.state.items.length) ctx.note('Nothing to change');
      },
    },
    {
      name: 'save-config',
      title: 'Save the whole config on this machine',
      async check(ctx) {
        return !ctx.state.items.length || !!ctx.state.backupFile;
      },
      async apply(ctx) {
        const session = await ctx.services.pool.session(ctx.state.services!, ctx.signal);
        ctx.state.backupFile = saveBackup(ctx.services.home, session.host.name, await exportAppConfig(session, ctx.signal));
        ctx.note(ctx.state.backupFile);
      },
    },
    {
      name: 'import',
      title: 'Import the config with the planned items changed',
      async check(ctx) {
        if (!ctx.state.items.length) return true;
        const session = await ctx.services.pool.session(ctx.state.services!, ctx.signal);
        const desired = await desiredValues(session, ctx.input.changes, ctx.signal);
        const now = await exportAppConfig(session, ctx.signal);
        const saved = load(ctx.state.backupFile!);
        // On a resume: done, not started, or changed by someone else meanwhile (a conflict, never overwritten).
        if (differences(saved, now).length === 0) return false;
        const mine = ctx.state.items.every((n) => (now[n]?.value ?? '') === desired.get(n));
        if (mine && JSON.stringify(differences(saved, now)) === JSON.stringify(ctx.state.items)) return true;
        throw new DrydockError('CONFLICT', `The console config on ${session.host.name} changed since it was saved (${differences(saved, now).join(', ')}): nothing more was written. \`drydock settings rollback\` re-imports ${ctx.state.backupFile}.`);
      },
      async apply(ctx) {
        const session = await ctx.services.pool.session(ctx.state.services!, ctx.signal);
        const desired = await desiredValues(session, ctx.input.changes, ctx.signal);
        const saved = load(ctx.state.backupFile!);
        const wanted: AppConfigExport = { ...saved };
        for (const n of ctx.state.items) wanted[n] = { ...saved[n], value: desired.get(n)! };
        try {
          await importConfig(session, wanted, ctx.signal);
        } catch (err) {
          const e = err as DrydockError;
          throw new DrydockError(e.code ?? 'COMMAND_FAILED', `${e.message}. The config before is saved in ${ctx.state.backupFile}; \`drydock settings rollback\` re-imports it.`);
        }
      },
      async verify(ctx) {
        if (!ctx.state.items.length) return;
        const session = await ctx.services.pool.session(ctx.state.services!, ctx.signal);
        const desired = await desiredValues(session, ctx.input.changes, ctx.signal);
        const after = await exportAppConfig(session, ctx.signal);
        const changed = differences(load(ctx.state.backupFile!), after);
        const wrong = ctx.state.items.filter((n) => (after[n]?.value ?? '') !== desired.get(n));
        if (wrong.length || JSON.stringify(changed) !== JSON.stringify(ctx.state.items)) {
          throw new DrydockError(
            'COMMAND_FAILED',
            `After the import the config is not as planned (changed: ${changed.join(', ') || 'nothing'}; expected: ${ctx.state.items.join(', ')}). The app was not restarted; \`drydock settings rollback\` re-imports ${ctx.state.backupFile}.`,
          );
        }
        ctx.state.changed = changed;
      },
    },
    {
      name: 'restart',
      title: 'Restart the CircleCI app (as the console’s “Restart Now”)',
      async check(ctx) {
        if (!ctx.input.restart || !ctx.state.items.length) {
          ctx.note(ctx.input.restart ? 'Nothing changed' : 'Not asked: the app uses the new settings at its next restart');
          return true;
        }
        return false;
      },
      async apply(ctx) {
        const session = await ctx.services.pool.session(ctx.state.services!, ctx.signal);
        await restartApp(session, ctx.signal);
        ctx.state.restarted = true;
      },
    },
  ],
  result: (state: State) => ({ backupFile: state.backupFile, changed: state.changed ?? [], restarted: !!state.restarted }),
});
