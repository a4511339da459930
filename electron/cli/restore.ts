/**
 * `drydock restore …`: restore the Services machine onto the hot spare. The
 * plan is printed first and writes nothing; a run without --yes asks on a
 * terminal and elsewhere exits 3 having touched nothing. --yes confirms the
 * run, never a host key: a key the run cannot prove stops it (exit 3) until
 * `restore trust-key` and `drydock runs resume ID`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseInterval, scheduleFiles } from '../../shared/backup/schedule';
import type { RestorePlan, RestoreRunResult } from '../../shared/channels/restore';
import { DrydockError } from '../../shared/errors';
import { CliExit, EXIT, usage, type CliContext } from './context';
import type { CliCommand } from './help';

const USAGE = `restore plan --spare NAME [--profile NAME] [--backup ID] [--spare-instance ID] [--drill [--spare-isolated]] [--json]
  restore run --spare NAME [--profile NAME] [--backup ID] [--spare-instance ID] [--drill [--spare-isolated]] [--yes] [--json]
  restore abort [--run ID] [--yes] [--json]
  restore refresh-spare --spare NAME [--profile NAME] [--backup ID] [--spare-isolated] [--yes] [--json]
  restore trust-key --run ID --fingerprint SHA256:… [--yes]
  restore schedule --spare NAME --every DURATION --drill|--refresh-spare [--profile NAME] [--spare-isolated] [--json]
  restore report --run ID --out FILE.md|FILE.html`;

/** The admin's word, for a provider that cannot cut the spare off itself. */
const ISOLATED = { '--spare-isolated': "drill / refresh-spare when the provider cannot isolate the spare: you confirm you have cut the spare's outbound network at the hypervisor/cloud (only SSH reaches it)" };

const COMMON = {
  '--spare NAME': 'the inventory host with role spare',
  '--profile NAME': 'the backup profile (required only when there is more than one)',
  '--backup ID': 'a backup id or snapshot id (default: the newest completed backup)',
  '--spare-instance ID': "the spare's instance when neither the profile nor its address finds it",
};

export const restoreCli: CliCommand = {
  name: 'restore',
  summary: 'disaster recovery: restore the newest backup onto the hot spare (preview, run, abort, report)',
  run: restoreCommand,
  subcommands: {
    plan: { usage: 'restore plan --spare NAME [--profile NAME] [--backup ID] [--spare-instance ID] [--drill [--spare-isolated]] [--json]', summary: 'The preview: backup and recovery point, every step, how the spare is cut off (drill), volume and file line changes, clients to re-point, the DNS change, what blocks. Writes nothing.', options: { ...COMMON, '--drill': 'preview a DR drill', ...ISOLATED } },
    run: {
      usage: 'restore run --spare NAME [--profile NAME] [--backup ID] [--drill [--spare-isolated]] [--yes] [--json]',
      summary: 'Run the restore (one recovery at a time). Stops with exit 3 for a host key it cannot prove; resume with drydock runs resume ID.',
      options: { ...COMMON, '--drill': "a DR drill: the spare cut off at the provider (only SSH reaches it) before the restored disk boots, nothing re-pointed, an outbound block on the host too before the app starts, the RTO measured, then the spare put back on its own root and given its network back", ...ISOLATED, '--yes': 'confirm the run without asking (never trusts a host key)' },
    },
    abort: { usage: 'restore abort [--run ID] [--yes] [--json]', summary: "Undo every step done so far, newest first: the spare's own root goes back, the restored volume is kept. Default: the unfinished restore run.", options: { '--run ID': 'the run (default: the one unfinished restore run)', '--yes': 'abort without asking' } },
    'refresh-spare': { usage: 'restore refresh-spare --spare NAME [--profile NAME] [--backup ID] [--spare-isolated] [--yes] [--json]', summary: "Image the spare with the newest completed backup and leave the app stopped (keep the spare warm); the spare is cut off (only SSH) while it boots production's disk and gets its network back once the app is stopped and its identity fixed.", options: { ...COMMON, ...ISOLATED, '--yes': 'go ahead without asking' } },
    'trust-key': { usage: 'restore trust-key --run ID --fingerprint SHA256:… [--yes]', summary: "Accept the spare's new host key after checking it on the spare's console; then drydock runs resume ID.", options: { '--fingerprint SHA256:…': "exactly as the spare's console shows it", '--yes': 'confirm without asking' } },
    schedule: {
      usage: 'restore schedule --spare NAME --every DURATION --drill|--refresh-spare [--profile NAME] [--spare-isolated] [--json]',
      summary: 'A DR drill or a refresh of the spare, headless on a timer, like drydock backup schedule: prints the systemd timer + service and a crontab line.',
      options: { '--every DURATION': '15m, 6h, 1d, 1w…', '--drill': 'schedule a DR drill', '--refresh-spare': 'schedule keeping the spare warm', '--spare-isolated': 'put --spare-isolated in the scheduled command (only if the spare stays cut off at the hypervisor/cloud)' },
    },
    report: { usage: 'restore report --run ID --out FILE.md|FILE.html', summary: 'The recovery report: recovery point and time, every step with commands and timings, file diffs, host keys, what was left to do.' },
  },
};

const OPTIONS = {
  spare: { type: 'string' },
  profile: { type: 'string' },
  backup: { type: 'string' },
  'spare-instance': { type: 'string' },
  drill: { type: 'boolean' },
  yes: { type: 'boolean' },
  run: { type: 'string' },
  fingerprint: { type: 'string' },
  out: { type: 'string' },
  every: { type: 'string' },
  'refresh-spare': { type: 'boolean' },
  'spare-isolated': { type: 'boolean' },
} as const;

export async function restoreCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: OPTIONS });
  const target = () => {
    if (!values.spare) usage(`restore ${sub} --spare NAME`);
    return {
      spare: values.spare,
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values.backup ? { backup: values.backup } : {}),
      ...(values['spare-instance'] ? { spareInstance: values['spare-instance'] } : {}),
      ...(values['spare-isolated'] ? { spareIsolated: true } : {}),
    };
  };
  // The word is about a spare that boots production's disk cut off: a failover does not cut it off.
  if (values['spare-isolated'] && !values.drill && sub !== 'refresh-spare' && sub !== 'schedule') usage('--spare-isolated goes with --drill or refresh-spare');
  switch (sub) {
    case 'plan': {
      const plan = await ctx.call('restore:plan', { ...target(), ...(values.drill ? { mode: 'drill' as const } : {}) });
      if (ctx.json) ctx.out(JSON.stringify(plan));
      else formatPlan(plan).forEach((l) => ctx.out(l));
      if (plan.blocking.length) throw new CliExit(EXIT.failed, `Blocked: ${plan.blocking.map((b) => b.message).join('; ')}`);
      return;
    }
    case 'run':
    case 'refresh-spare':
      return run(ctx, { ...target(), mode: sub === 'refresh-spare' ? 'refresh-spare' : values.drill ? 'drill' : 'restore' }, !!values.yes);
    case 'abort':
      return abort(ctx, values.run, !!values.yes);
    case 'schedule':
      return schedule(ctx, values);
    case 'trust-key': {
      if (!values.run || !values.fingerprint) usage('restore trust-key --run ID --fingerprint SHA256:…');
      if (!values.yes) await confirm(ctx, `Trust ${values.fingerprint} for the spare? Only if the spare's console shows exactly this fingerprint.`);
      const seen = await ctx.call('restore:trust-key', { runId: values.run, fingerprint: values.fingerprint, confirmed: true });
      ctx.out(ctx.json ? JSON.stringify(seen) : `The run will accept ${seen.fingerprint} for the spare. Now: drydock runs resume ${values.run}`);
      return;
    }
    case 'report': {
      if (!values.run || !values.out) usage('restore report --run ID --out FILE.md|FILE.html');
      const format = /\.html?$/i.test(values.out) ? 'html' : 'md';
      const { text } = await ctx.call('restore:report', { runId: values.run, format });
      writeFileSync(values.out, text);
      ctx.out(ctx.json ? JSON.stringify({ out: values.out, format }) : `Wrote ${values.out}`);
      return;
    }
    default:
      usage(USAGE);
  }
}

async function confirm(ctx: CliContext, question: string): Promise<void> {
  if (!ctx.isTTY) throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was done. Review the above, then run again with --yes.');
  const answer = (await ctx.ask(`${question} Type yes to go ahead: `)).trim().toLowerCase();
  if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was changed.');
}

async function run(ctx: CliContext, req: { spare: string; profile?: string; backup?: string; spareInstance?: string; spareIsolated?: boolean; mode: 'restore' | 'drill' | 'refresh-spare' }, yes: boolean): Promise<void> {
  const plan = await ctx.call('restore:plan', req);
  if (!ctx.json) formatPlan(plan).forEach((l) => ctx.err(l));
  if (plan.blocking.length) {
    if (ctx.json) ctx.out(JSON.stringify({ plan }));
    throw new CliExit(EXIT.failed, `Blocked, nothing was done: ${plan.blocking.map((b) => b.message).join('; ')}`);
  }
  if (!yes) {
    if (!ctx.isTTY && ctx.json) ctx.out(JSON.stringify({ plan, needsConfirmation: true }));
    await confirm(ctx, req.mode === 'drill' ? `Stop ${plan.spare.host}, restore backup ${plan.backup?.id} onto it for a DR drill (outbound traffic blocked), then put it back?` : `Stop ${plan.spare.host} and restore backup ${plan.backup?.id} onto it?`);
  }
  let result: RestoreRunResult;
  try {
    result = await ctx.call('restore:run', { ...req, planFingerprint: plan.fingerprint, confirmed: true });
  } catch (err) {
    // The run stopped for a host key: say exactly what to do; exit 3.
    if (err instanceof DrydockError && err.code === 'CONFIRMATION_REQUIRED' && err.details?.reason === 'host-key') {
      if (ctx.json) ctx.out(JSON.stringify({ runId: err.details.runId, needsConfirmation: true, fingerprint: err.details.fingerprint }));
      throw new CliExit(EXIT.needsConfirmation, err.message);
    }
    throw err;
  }
  if (ctx.json) return ctx.out(JSON.stringify(result));
  ctx.out(result.summary);
  for (const item of result.leftToAdmin) ctx.out(`  Left to you: ${item}`);
  ctx.out(`Report: drydock restore report --run ${result.runId} --out restore-${result.runId}.html`);
}

async function schedule(ctx: CliContext, values: { spare?: string; profile?: string; every?: string; drill?: boolean; 'refresh-spare'?: boolean; 'spare-isolated'?: boolean }): Promise<void> {
  const use = 'restore schedule --spare NAME --every DURATION --drill|--refresh-spare [--profile NAME]';
  if (!values.spare || !values.every || values.drill === values['refresh-spare']) usage(use);
  let interval;
  try {
    interval = parseInterval(values.every);
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.profile && !(await ctx.call('backup:profiles', {})).some((p) => p.name === values.profile)) throw new CliExit(EXIT.failed, `No backup profile ${values.profile} (drydock backup profile list)`);
  const kind = values.drill ? 'drill' : 'refresh-spare';
  const args = ['restore', ...(values.drill ? ['run'] : ['refresh-spare']), '--spare', values.spare, ...(values.profile ? ['--profile', values.profile] : []), ...(values.drill ? ['--drill'] : []), ...(values['spare-isolated'] ? ['--spare-isolated'] : []), '--yes'];
  const info = await ctx.call('app:info', {});
  const drydock = path.resolve(process.argv[1] ?? 'drydock');
  const files = scheduleFiles(values.profile ?? '', interval, drydock, info.home, {
    unitName: `drydock-restore-${kind}-${values.spare}`,
    what: `${values.drill ? 'DR drill' : 'refresh of the hot spare'} (spare ${values.spare})`,
    args,
    log: `restore-${kind}-cron.log`,
  });
  const note = `${files.note} A run that meets a host key it cannot prove stops and exits 3 (--yes never trusts a key): check the log, confirm with drydock restore trust-key, then drydock runs resume ID.`;
  if (ctx.json) return ctx.out(JSON.stringify({ ...files, note }));
  ctx.out(`# ${files.unitName}.service`);
  ctx.out(files.service);
  ctx.out(`# ${files.unitName}.timer`);
  ctx.out(files.timer);
  ctx.out(files.crontab ? `# crontab line (crontab -e)\n${files.crontab}` : `# cron cannot express "every ${interval.text}": use the systemd timer`);
  ctx.out('');
  ctx.out(`# ${note}`);
}

async function abort(ctx: CliContext, runId: string | undefined, yes: boolean): Promise<void> {
  let id = runId;
  if (!id) {
    const open = (await ctx.call('runs:list', {})).filter((r) => r.operation === 'restore-spare' && r.status !== 'done' && r.status !== 'aborted');
    if (open.length !== 1) throw new CliExit(EXIT.usage, open.length ? `${open.length} unfinished restore runs (${open.map((r) => r.id).join(', ')}): say which with --run ID` : 'No unfinished restore run to abort');
    id = open[0].id;
  }
  if (!yes) {
    // The engine's own refusal lists the undo, newest first: shown as the engine will run it.
    const listed = await ctx.call('restore:abort', { runId: id, confirmed: false }).then(
      () => null,
      (err: unknown) => (err instanceof DrydockError && err.code === 'CONFIRMATION_REQUIRED' ? err.message : Promise.reject(err)),
    );
    if (listed) ctx.err(listed);
    await confirm(ctx, `Abort run ${id} and undo these steps?`);
  }
  const run = await ctx.call('restore:abort', { runId: id, confirmed: true });
  ctx.out(ctx.json ? JSON.stringify(run) : `Run ${id} ${run.status}: ${run.steps.filter((s) => s.status === 'undone').map((s) => s.title).join(', ') || 'nothing needed undoing'}.`);
}

export function formatPlan(plan: RestorePlan): string[] {
  const lines = [`Restore (${plan.mode}) onto ${plan.spare.host} (${plan.spare.address}, ${plan.spare.machineId || '?'} ${plan.spare.state}, ${plan.spare.zone ?? '?'})`];
  lines.push(plan.backup ? `Backup ${plan.backup.id}: ${plan.backup.state}, root snapshot ${plan.backup.snapshotId}; recovery point ${plan.backup.recoveryPoint}` : 'Backup: none chosen');
  lines.push('Steps:');
  for (const s of plan.steps) lines.push(`  ${s.skipped ? '-' : '•'} ${s.title}: ${s.skipped ? `not run (${s.why})` : s.detail}`);
  if (plan.isolation.needed) lines.push(`Spare's network while it boots production's disk: ${plan.isolation.how}`);
  lines.push('Volumes:');
  for (const v of plan.volumes) lines.push(`  ${v.action} ${v.subject}: ${v.detail}`);
  lines.push('Lines that change on the spare:');
  for (const c of plan.lineChanges) lines.push(`  ${c.file} ${c.key}: ${c.old ?? '(read after boot)'} → ${c.new ?? '(read after boot)'}`);
  if (plan.nomadClients.length) lines.push('Nomad clients to re-point:', ...plan.nomadClients.map((c) => `  ${c.host}: ${c.from ?? '?'} → ${c.to}`));
  lines.push('Traffic:', ...plan.traffic.instructions.map((i) => `  ${i}`));
  for (const w of plan.warnings) lines.push(`Warning: ${w}`);
  for (const b of plan.blocking) lines.push(`BLOCKED: ${b.message}`);
  return lines;
}
