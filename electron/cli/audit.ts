/** `drydock audit …` and `drydock runs …`: the record of what was done. */
import { parseArgs } from 'node:util';
import { CliExit, EXIT, usage, type CliContext } from './context';
import { AUDIT_KINDS, type AuditKind } from '../../shared/audit';
import { runDurationMs } from '../../shared/runs';
import { table } from './format';

export async function auditCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') {
    const result = await ctx.call('audit:verify', {});
    if (ctx.json) ctx.out(JSON.stringify(result));
    if (!result.ok) throw new CliExit(EXIT.failed, `Audit log broken at line ${result.brokenAt}: ${result.reason}`);
    if (!ctx.json) ctx.out(`Audit log intact: ${result.entries} entries`);
    return;
  }
  if (sub === 'tail') {
    const { values } = parseArgs({
      args: rest,
      options: { n: { type: 'string', short: 'n' }, host: { type: 'string' }, kind: { type: 'string' }, run: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } },
    });
    const { n, kind, ...filter } = values;
    if (kind !== undefined && !AUDIT_KINDS.includes(kind as AuditKind)) usage(`--kind: one of ${AUDIT_KINDS.join(', ')}`);
    const entries = await ctx.call('audit:tail', { limit: Number(n ?? 20), ...filter, ...(kind ? { kind: kind as AuditKind } : {}) });
    if (ctx.json) return ctx.out(JSON.stringify(entries));
    ctx.out(table([['TIME', 'HOST', 'EXIT', 'COMMAND'], ...entries.map((e) => [e.time, e.host, String(e.exitCode ?? '-'), e.command.replace(/\s+/g, ' ').slice(0, 100)])]));
    return;
  }
  usage('audit: verify | tail [-n N] [--host NAME] [--kind KIND] [--run ID] [--since TIME] [--until TIME]');
}

export async function runsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const runs = await ctx.call('runs:list', {});
    if (ctx.json) return ctx.out(JSON.stringify(runs));
    const took = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);
    ctx.out(
      table([
        ['ID', 'STATUS', 'TOOK', 'STEP', 'ERROR'],
        ...runs.map((r) => [r.id, r.status, took(runDurationMs(r)), r.steps.find((s) => s.status !== 'done' && s.status !== 'skipped')?.title ?? '-', (r.error ?? '-').replace(/\s+/g, ' ').slice(0, 120)]),
      ]),
    );
    return;
  }
  if (sub === 'resume') {
    if (rest.length !== 1) usage('runs resume ID');
    const run = await ctx.call('runs:resume', { id: rest[0] });
    if (ctx.json) ctx.out(JSON.stringify(run));
    else ctx.err(`Run ${run.id}: ${run.status}`);
    return;
  }
  usage('runs: list | resume ID');
}
