/** `drydock audit …` and `drydock runs …`: the record of what was done. */
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
  usage('audit: verify | tail [-n N]');
}

export async function runsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const runs = await ctx.call('runs:list', {});
    if (ctx.json) return ctx.out(JSON.stringify(runs));
    const resume = (r: (typeof runs)[number]) => (r.status === 'done' ? '-' : r.resumable === false ? `no: ${r.whyNot}` : r.missingSecrets?.length ? `yes, with ${r.missingSecrets.map((m) => m.env ?? m.label).join(', ')}` : 'yes');
    ctx.out(table([['ID', 'STATUS', 'STEP', 'RESUME'], ...runs.map((r) => [r.id, r.status, r.steps.find((s) => s.status !== 'done' && s.status !== 'skipped')?.title ?? '-', resume(r)])]));
    return;
  }
  if (sub === 'resume') {
    if (rest.length !== 1) usage('runs resume ID');
    const id = rest[0];
    const known = (await ctx.call('runs:list', {})).find((r) => r.id === id);
    if (known && known.resumable === false) throw new CliExit(EXIT.failed, `Run ${id} cannot be resumed: ${known.whyNot}`);
    // Secrets are never kept in runbooks: the same environment variables as the operation's own command.
    const secrets: Record<string, string> = {};
    const lacking: string[] = [];
    for (const m of known?.missingSecrets ?? []) {
      const value = m.env ? process.env[m.env] : undefined;
      if (value) secrets[m.key] = value;
      else lacking.push(m.env ? `${m.label} (set ${m.env})` : m.label);
    }
    if (lacking.length) throw new CliExit(EXIT.usage, `Run ${id} needs its secrets again to resume (runbooks never keep them): ${lacking.join(', ')}. Nothing was run.`);
    const run = await ctx.call('runs:resume', { id, ...(Object.keys(secrets).length ? { secrets } : {}) });
    if (run.notice) ctx.err(run.notice);
    if (ctx.json) ctx.out(JSON.stringify(run));
    else ctx.err(`Run ${run.id}: ${run.status}`);
    // The operation's own result decides the exit code, as its own command would.
    if (run.outcome && !run.outcome.ok) throw new CliExit(EXIT.failed, run.outcome.message ?? `Run ${run.id} did not do its job (see above).`);
    return;
  }
  usage('runs: list | resume ID');
}
