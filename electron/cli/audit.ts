/** `drydock audit …` and `drydock runs …`: the record of what was done. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliExit, EXIT, noArguments, usage, type CliContext } from './context';
import { AUDIT_KINDS, type AuditKind } from '../../shared/audit';
import { disruptsAfterSkip, runDurationMs } from '../../shared/runs';
import { table } from './format';
import type { CliCommand } from './help';

export const auditCli: CliCommand = {
  name: 'audit',
  summary: 'the tamper-evident log of every command Drydock ran on a host',
  run: auditCommand,
  subcommands: {
    verify: { usage: 'audit verify [--json]', summary: 'Check the log\'s hash chain; exits 1 naming the first broken line.' },
    tail: {
      usage: 'audit tail [-n N] [--host NAME] [--kind KIND] [--run ID] [--since TIME] [--until TIME] [--json]',
      summary: 'The newest entries, filtered like the Audit page.',
      options: { '-n N': 'how many (default 20)', '--host NAME': 'one host', '--kind KIND': 'one kind of entry', '--run ID': 'one run', '--since TIME': 'ISO time', '--until TIME': 'ISO time' },
    },
    report: {
      usage: 'audit report (--run ID | --since ISO [--until ISO]) --out FILE.md|FILE.html',
      summary: 'The change-control report: who, when, hosts and host keys, every command and file diff, results, and the chain check (exit 1 when the chain is broken; the file is still written).',
      options: { '--run ID': 'one run', '--since ISO --until ISO': 'a time range', '--out FILE': '.md for Markdown, .html for HTML' },
    },
  },
};

export const runsCli: CliCommand = {
  name: 'runs',
  summary: 'operations Drydock ran, and resuming one that stopped',
  run: runsCommand,
  subcommands: {
    list: { usage: 'runs list [--json]', summary: 'Every run with its status and the step it stopped at.' },
    resume: {
      usage: 'runs resume ID [--yes] [--json]',
      summary: 'Continue a stopped run from its step; done steps are checked, not repeated. Secrets come again from the same environment variables.',
      options: { '--yes': 'a run that restarts services: resume without asking (the restarts it confirmed when it started)' },
    },
    skip: {
      usage: 'runs skip ID STEP [--yes] [--json]',
      summary: "Skip a stopped run's failed step, only where the step says it may be skipped (its consequence is shown first), then go on with the run.",
      options: { '--yes': 'skip without asking' },
    },
  },
};

export async function auditCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') {
    noArguments(rest);
    const result = await ctx.call('audit:verify', {});
    if (ctx.json) ctx.out(JSON.stringify(result));
    if (!result.ok) throw new CliExit(EXIT.failed, `Audit log broken at line ${result.brokenAt}: ${result.reason}`);
    if (ctx.json) return;
    ctx.out(`Audit log intact: ${result.entries} entries`);
    // Keep this line somewhere else (a ticket, an e-mail): it anchors the log as it is now.
    if (result.head) ctx.out(`Head: entry ${result.head.count}, sha256 ${result.head.hash}`);
    else if (result.entries) ctx.err('No head file beside the log (written by a Drydock before heads were kept): a cut-off end cannot be detected until the next entry is written.');
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
  if (sub === 'report') return report(ctx, rest);
  usage('audit: verify | tail [-n N] [--host NAME] [--kind KIND] [--run ID] [--since TIME] [--until TIME] | report (--run ID | --since ISO [--until ISO]) --out FILE.md|FILE.html');
}

export async function runsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    noArguments(rest);
    const runs = await ctx.call('runs:list', {});
    if (ctx.json) return ctx.out(JSON.stringify(runs));
    const took = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);
    const resume = (r: (typeof runs)[number]) =>
      r.status === 'done'
        ? '-'
        : r.resumable === false
          ? `no: ${r.whyNot}`
          : [r.missingSecrets?.length ? `with ${r.missingSecrets.map((m) => m.env ?? m.label).join(', ')}` : '', r.restartsOnResume?.length ? 'restarts: --yes' : ''].filter(Boolean).join('; ') || 'yes';
    ctx.out(
      table([
        ['ID', 'STATUS', 'TOOK', 'STEP', 'RESUME', 'ERROR'],
        ...runs.map((r) => [
          r.id,
          r.status,
          took(runDurationMs(r)),
          r.steps.find((s) => s.status !== 'done' && s.status !== 'skipped')?.title ?? '-',
          resume(r),
          (r.error ?? '-').replace(/\s+/g, ' ').slice(0, 120),
        ]),
      ]),
    );
    return;
  }
  if (sub === 'resume') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { yes: { type: 'boolean' } } });
    if (positionals.length !== 1) usage('give exactly one run id (drydock runs list)');
    const id = positionals[0];
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
    // A resume that stops, starts or restarts anything asks first, listing it: never a hidden restart.
    const restarts = known?.restartsOnResume ?? [];
    if (restarts.length && !values.yes) {
      // Steps that say what they disrupt (a restore) are listed one a line; the older operations' consented restarts as before.
      if (known?.steps.some((s) => s.disrupts)) ctx.err(`Resuming run ${id} goes on from its step; what it stops, starts or restarts:\n${restarts.map((r) => `  - ${r}`).join('\n')}`);
      else ctx.err(`Resuming run ${id} goes on from its step and restarts, as confirmed when it started: ${restarts.join(', ')}.`);
      if (!ctx.isTTY) throw new CliExit(EXIT.needsConfirmation, `Needs confirmation: nothing was run. Run again with --yes (drydock runs resume ${id} --yes).`);
      const answer = (await ctx.ask('Type yes to resume and restart: ')).trim().toLowerCase();
      if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not resumed: nothing was run.');
    }
    const run = await ctx.call('runs:resume', { id, ...(Object.keys(secrets).length ? { secrets } : {}), ...(restarts.length ? { confirmRestarts: true } : {}) });
    if (run.notice) ctx.err(run.notice);
    if (ctx.json) ctx.out(JSON.stringify(run));
    else ctx.err(`Run ${run.id}: ${run.status}`);
    // The operation's own result decides the exit code, as its own command would.
    if (run.verdict && !run.verdict.ok) throw new CliExit(EXIT.failed, run.verdict.message ?? `Run ${run.id} did not do its job (see above).`);
    return;
  }
  if (sub === 'skip') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { yes: { type: 'boolean' } } });
    if (positionals.length !== 2) usage('runs skip ID STEP (the step name, as runs list --json shows it)');
    const [id, step] = positionals;
    const known = (await ctx.call('runs:list', {})).find((r) => r.id === id);
    const def = known?.steps.find((s) => s.name === step);
    if (!def?.skipConsequence) throw new CliExit(EXIT.failed, `Step ${step} of run ${id} cannot be skipped: retry it (drydock runs resume ${id}) or abort the run.`);
    if (!values.yes) {
      // The skip resumes the run: what it then stops, starts or restarts is confirmed with it.
      const next = known ? disruptsAfterSkip(known, step) : [];
      ctx.err(`Skipping "${def.title}": ${def.skipConsequence}.`);
      ctx.err(next.length ? `The run then goes on; what it stops, starts or restarts:\n${next.map((r) => `  - ${r}`).join('\n')}` : 'The run then goes on with the next step.');
      if (!ctx.isTTY) throw new CliExit(EXIT.needsConfirmation, `Needs confirmation: nothing was skipped. Run again with --yes (drydock runs skip ${id} ${step} --yes).`);
      const answer = (await ctx.ask('Type yes to skip it and go on: ')).trim().toLowerCase();
      if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not skipped: nothing was run.');
    }
    const run = await ctx.call('runs:skip', { id, step, confirmed: true });
    if (ctx.json) ctx.out(JSON.stringify(run));
    else ctx.err(`Run ${run.id}: ${run.status}`);
    return;
  }
  usage('runs: list | resume ID [--yes] | skip ID STEP [--yes]');
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
