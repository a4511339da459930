/**
 * `drydock customize set NAME=VALUE... [--container NAME] [--yes]`: the
 * installation customizations editor, headless. `NAME=` (empty) removes the
 * variable's line. Same confirmation rule as proxy apply.
 */
import { parseArgs } from 'node:util';
import { DrydockError } from '../../shared/errors';
import { KNOWN_CUSTOMIZATIONS } from '../../shared/proxy/customizations';
import { CliExit, EXIT, usage, type CliContext } from './context';
import type { CliCommand } from './help';

export const customizeCli: CliCommand = {
  name: 'customize',
  summary: 'installation customizations (CIRCLE_URL, JVM heap and the like) on the Services machine',
  run: customizeCommand,
  subcommands: {
    set: {
      usage: 'customize set NAME=VALUE... [--container NAME] [--yes] [--json]',
      summary: 'Plan the change, show its diff, then write it (backed up) after confirmation; NAME= removes the line.',
      options: {
        '--container NAME': 'the container the customization applies to',
        '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)',
        ...Object.fromEntries(Object.entries(KNOWN_CUSTOMIZATIONS).map(([name, k]) => [`${name}=…`, k.help])),
      },
    },
  },
};

const USAGE = `customize set NAME=VALUE... [--container NAME] [--yes]  (${Object.entries(KNOWN_CUSTOMIZATIONS)
  .map(([name, k]) => `${name}: ${k.help}`)
  .join('; ')})`;

export async function customizeCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'set') usage(USAGE);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { container: { type: 'string' }, yes: { type: 'boolean' } } });
  if (!positionals.length) usage(USAGE);
  const vars: Record<string, string> = {};
  for (const p of positionals) {
    const eq = p.indexOf('=');
    if (eq < 1) usage(`"${p}" is not NAME=VALUE`);
    vars[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const change = { vars, ...(values.container !== undefined ? { container: values.container } : {}) };

  let plan;
  try {
    plan = await ctx.call('customize:plan', change);
  } catch (err) {
    const fields = err instanceof DrydockError && err.code === 'INVALID_INPUT' && Array.isArray(err.details?.fields) ? (err.details.fields as { message: string }[]) : [];
    if (!fields.length) throw err;
    for (const f of fields) ctx.err(`  ${f.message}`);
    throw new CliExit(EXIT.usage, 'invalid customization: nothing was written');
  }
  if (!ctx.json) {
    ctx.out(`${plan.host}:${plan.path} (${plan.action})`);
    if (plan.diff) ctx.out(plan.diff.trimEnd());
  }
  if (plan.action === 'unchanged') {
    if (ctx.json) ctx.out(JSON.stringify({ plan, result: null }));
    else ctx.out('Nothing to change: the file already holds these values.');
    return;
  }
  if (!values.yes) {
    if (!ctx.isTTY) {
      if (ctx.json) ctx.out(JSON.stringify({ plan, needsConfirmation: true }));
      throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was written. Review the change above, then run again with --yes.');
    }
    const answer = (await ctx.ask(`Write ${plan.path} on ${plan.host} (the current file is backed up there)? Type yes to go ahead: `)).trim().toLowerCase();
    if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not written.');
  }
  const result = await ctx.call('customize:apply', { change, planFingerprint: plan.fingerprint });
  if (ctx.json) ctx.out(JSON.stringify({ plan, result }));
  else ctx.out(result.summary);
}
