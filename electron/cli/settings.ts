/**
 * `drydock settings show|set|rollback` and `drydock usage-stats export`: the
 * management console's settings page, headless. `set` prints the plan
 * (current → new, secrets masked) first; without --yes it asks on a
 * terminal, and elsewhere stops with exit 3 having written nothing. The app
 * is restarted (as the console's "Restart Now") only after that confirmation,
 * and not at all with --no-restart.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SettingsPlan } from '../../shared/console/settings';
import { DLC_KEY, parseAssignments, SETTINGS } from '../../shared/console/settings';
import { CliExit, EXIT, usage, type CliContext } from './context';
import { table } from './format';
import type { CliCommand } from './help';

const SERVICES = { '--services NAME': 'the Services machine (default: the inventory’s only one)' };
const KEYS = [...SETTINGS.map((s) => `${s.key} (${s.kind === 'secret' ? 'secret' : s.kind})`), `${DLC_KEY} (true: Drydock enforces the guide's DLC rule)`];

export const settingsCli: CliCommand = {
  name: 'settings',
  summary: 'Management console settings (metrics, artifacts, VM preallocation, usage statistics) via replicatedctl',
  run: settingsCommand,
  subcommands: {
    show: { usage: 'settings show [--services NAME] [--json]', summary: 'Each setting’s current value and where the console lists it.', options: SERVICES },
    set: {
      usage: 'settings set KEY=VALUE ... [--services NAME] [--yes] [--no-restart] [--json]',
      summary: 'Plan, confirm, export the whole config to DRYDOCK_HOME, import the change, verify, then restart the app.',
      options: { ...SERVICES, '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)', '--no-restart': 'change the settings only; the app reads them at its next restart' },
      notes: ['Keys:', ...KEYS.map((k) => `  ${k}`), 'Secret values are shown masked in plans and never written to the audit log.'],
    },
    rollback: {
      usage: 'settings rollback [--services NAME] [--yes] [--no-restart] [--json]',
      summary: 'Re-import the config exported before the last change.',
      options: { ...SERVICES, '--yes': 'go ahead without asking', '--no-restart': 'restore the settings only' },
    },
  },
};

export const usageStatsCli: CliCommand = {
  name: 'usage-stats',
  summary: 'The usage data export (docker exec usage-stats /src/builds/extract), saved on this machine',
  run: usageStatsCommand,
  subcommands: {
    export: { usage: 'usage-stats export --out FILE [--services NAME] [--json]', summary: 'Save the usage data the Services machine extracts to FILE (mode 0600).', options: { '--out FILE': 'where to save it', ...SERVICES } },
  },
};

async function settingsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'show') return show(ctx, rest);
  if (sub === 'set') return set(ctx, rest);
  if (sub === 'rollback') return rollback(ctx, rest);
  usage('settings show | set KEY=VALUE ... | rollback');
}

async function show(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { services: { type: 'string' } }, strict: true, allowPositionals: false });
  const r = await ctx.call('settings:show', { ...(values.services ? { services: values.services } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify(r));
  ctx.out(`Console settings on ${r.services}:`);
  ctx.out(table([['SETTING', 'VALUE', 'ON THE CONSOLE'], ...r.settings.map((s) => [s.key, s.missing ? '—' : s.value ?? '', s.missing ?? s.where ?? ''])]));
}

export function formatSettingsPlan(p: SettingsPlan): string[] {
  const lines = [`Console settings on ${p.services}:`];
  const rows = p.changes.map((c) => [c.key, c.from || '""', c.changed ? '→' : '=', c.to || '""', c.where]);
  if (rows.length) lines.push(table(rows));
  for (const m of p.missing) lines.push(`  ✗ ${m.key}: ${m.message}`);
  for (const pr of p.problems) lines.push(`  ✗ ${pr}`);
  for (const n of p.notes) lines.push(`  note: ${n}`);
  return lines;
}

async function set(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { services: { type: 'string' }, yes: { type: 'boolean' }, 'no-restart': { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (!positionals.length) usage('give at least one KEY=VALUE');
  let changes: Record<string, string>;
  try {
    changes = parseAssignments(positionals);
  } catch (err) {
    usage((err as Error).message);
  }
  const services = values.services ? { services: values.services } : {};
  const restart = !values['no-restart'];
  const plan = await ctx.call('settings:plan', { ...services, changes });
  if (!ctx.json) formatSettingsPlan(plan).forEach((l) => ctx.out(l));
  if (plan.missing.length) {
    if (ctx.json) ctx.out(JSON.stringify({ plan }));
    throw new CliExit(EXIT.failed, 'Some settings are not on this console (see above): nothing was written.');
  }
  if (plan.problems.length) {
    if (ctx.json) ctx.out(JSON.stringify({ plan }));
    throw new CliExit(EXIT.usage, 'The plan breaks a rule of the guide (see above): nothing was written.');
  }
  const count = plan.changes.filter((c) => c.changed).length;
  if (!count) {
    if (ctx.json) ctx.out(JSON.stringify({ plan, result: { changed: [], restarted: false } }));
    else ctx.out('Nothing to change.');
    return;
  }
  if (!values.yes) {
    if (!ctx.isTTY) {
      if (ctx.json) ctx.out(JSON.stringify({ plan, needsConfirmation: true }));
      throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was written. Review the plan above, then run again with --yes.');
    }
    const q = `Change ${count} setting(s)${restart ? ' and restart the CircleCI app now (builds and the UI are unavailable until it is back)' : ' without restarting'}? Type yes to go ahead: `;
    if ((await ctx.ask(q)).trim().toLowerCase() !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was written.');
  }
  const result = await ctx.call('settings:apply', { ...services, changes, restart, planFingerprint: plan.fingerprint });
  if (ctx.json) return ctx.out(JSON.stringify({ plan, result: { backupFile: result.backupFile, changed: result.changed, restarted: result.restarted } }));
  ctx.out(`Changed ${result.changed.join(', ')}. The config before is saved in ${result.backupFile} (drydock settings rollback re-imports it).`);
  ctx.out(result.restarted ? 'The app was restarted and is running.' : 'Not restarted: the app uses the new settings at its next restart.');
}

async function rollback(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { services: { type: 'string' }, yes: { type: 'boolean' }, 'no-restart': { type: 'boolean' } }, strict: true, allowPositionals: false });
  const services = values.services ? { services: values.services } : {};
  const restart = !values['no-restart'];
  const p = await ctx.call('settings:rollback-plan', services);
  if (!ctx.json) ctx.out(p.items.length ? `Re-import ${p.backupFile} on ${p.services}: puts back ${p.items.join(', ')}.` : `${p.services} already has the settings saved in ${p.backupFile}.`);
  if (!p.items.length) return void (ctx.json && ctx.out(JSON.stringify({ plan: p, result: { restored: [], restarted: false } })));
  if (!values.yes) {
    if (!ctx.isTTY) {
      if (ctx.json) ctx.out(JSON.stringify({ plan: p, needsConfirmation: true }));
      throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was written. Run again with --yes.');
    }
    if ((await ctx.ask(`Roll back${restart ? ' and restart the CircleCI app now' : ''}? Type yes to go ahead: `)).trim().toLowerCase() !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was written.');
  }
  const r = await ctx.call('settings:rollback', { ...services, restart });
  if (ctx.json) return ctx.out(JSON.stringify({ plan: p, result: r }));
  ctx.out(`Restored ${r.restored.join(', ')} from ${r.backupFile}.${r.restarted ? ' The app was restarted.' : ' Not restarted.'}`);
}

async function usageStatsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'export') usage('usage-stats export --out FILE');
  const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, services: { type: 'string' } }, strict: true, allowPositionals: false });
  if (!values.out) usage('--out FILE is required');
  const r = await ctx.call('settings:usage-export', { out: path.resolve(values.out), ...(values.services ? { services: values.services } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify(r));
  ctx.out(`Saved the usage data of ${r.services} (${r.bytes} bytes) to ${r.file}.`);
}
