/** `drydock audit …` and `drydock runs …`: the record of what was done. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliExit, EXIT, usage, type CliContext } from './context';
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
    const { values } = parseArgs({ args: rest, options: { n: { type: 'string', short: 'n' } } });
    const entries = await ctx.call('audit:tail', { limit: Number(values.n ?? 20) });
    if (ctx.json) return ctx.out(JSON.stringify(entries));
    ctx.out(table([['TIME', 'HOST', 'EXIT', 'COMMAND'], ...entries.map((e) => [e.time, e.host, String(e.exitCode ?? '-'), e.command.replace(/\s+/g, ' ').slice(0, 100)])]));
    return;
  }
  if (sub === 'report') return report(ctx, rest);
  usage('audit: verify | tail [-n N] | report (--run ID | --since ISO [--until ISO]) --out FILE.md|FILE.html');
}

export async function runsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const runs = await ctx.call('runs:list', {});
    if (ctx.json) return ctx.out(JSON.stringify(runs));
    ctx.out(table([['ID', 'STATUS', 'STEP'], ...runs.map((r) => [r.id, r.status, r.steps.find((s) => s.status !== 'done' && s.status !== 'skipped')?.title ?? '-'])]));
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

/** The change-control report of a run or a time range; the format follows the file's extension. */
async function report(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { run: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out || !!values.run === !!values.since) usage('audit report (--run ID | --since ISO [--until ISO]) --out FILE.md|FILE.html');
  const format = /\.html?$/i.test(values.out) ? 'html' : /\.(md|markdown)$/i.test(values.out) ? 'markdown' : usage('--out names a .md or .html file');
  const r = await ctx.call('report:change-control', {
    format,
    ...(values.run ? { runId: values.run } : { since: values.since!, ...(values.until ? { until: values.until } : {}) }),
  });
  writeFileSync(values.out, r.content, { mode: 0o600 });
  if (ctx.json) ctx.out(JSON.stringify({ out: values.out, chainOk: r.chainOk }));
  else ctx.out(`Wrote ${values.out}`);
  if (!r.chainOk) throw new CliExit(EXIT.failed, `Report written, but the audit chain is broken: the report says where (drydock audit verify)`);
}
