/**
 * Help for `drydock`, kept as data next to each command (its file exports a
 * CliCommand), so adding a command or an option means adding one entry
 * beside its code; `drydock --help`, `drydock COMMAND --help`,
 * `drydock COMMAND SUB --help` and the usage shown after a wrong option are
 * all built from it.
 */
import type { CliContext } from './context';

export interface UsageHelp {
  /** The synopsis after "drydock", e.g. `hosts add NAME --address HOST[:PORT] …`. */
  usage: string;
  /** One line: what it does, in the admin's words. */
  summary: string;
  /** Option (as typed, with its value) → what it means. */
  options?: Record<string, string>;
  /** Longer notes: confirmations, exit codes, environment. */
  notes?: string[];
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Subcommands by name; a command without any (serve) describes itself in `usage`. */
  subcommands?: Record<string, UsageHelp>;
  usage?: UsageHelp;
  run(ctx: CliContext, argv: string[]): Promise<void>;
}

export const HELP_FLAGS = new Set(['--help', '-h']);

const indent = (lines: string[], by = '  ') => lines.map((l) => (l ? by + l : l));

function optionLines(options: Record<string, string> | undefined): string[] {
  if (!options) return [];
  const entries = Object.entries(options);
  const width = Math.min(34, Math.max(...entries.map(([o]) => o.length)));
  return ['', 'Options:', ...indent(entries.map(([o, d]) => (o.length > width ? `${o}\n${' '.repeat(width + 4)}${d}` : `${o.padEnd(width)}  ${d}`)))];
}

function usageBlock(help: UsageHelp): string[] {
  return [`Usage: drydock ${help.usage}`, '', help.summary, ...optionLines(help.options), ...(help.notes?.length ? ['', ...help.notes] : [])];
}

/** `drydock COMMAND --help`, or `drydock COMMAND SUB --help` when SUB is one of its subcommands. */
export function commandHelp(command: CliCommand, sub?: string): string {
  const one = sub ? command.subcommands?.[sub] : undefined;
  if (one) return usageBlock(one).join('\n');
  if (command.usage) return usageBlock(command.usage).join('\n');
  const subs = Object.entries(command.subcommands ?? {});
  return [
    `drydock ${command.name}: ${command.summary}`,
    '',
    'Usage:',
    ...indent(subs.map(([, h]) => `drydock ${h.usage}`)),
    '',
    'Subcommands:',
    ...indent(subs.map(([name, h]) => `${name.padEnd(Math.max(...subs.map(([n]) => n.length)))}  ${h.summary}`)),
    '',
    `drydock ${command.name} SUBCOMMAND --help shows its options.`,
  ].join('\n');
}

/** The short form shown after a usage mistake: the synopsis lines only. */
export function shortUsage(command: CliCommand, sub?: string): string {
  const one = sub ? command.subcommands?.[sub] : undefined;
  if (one) return `Usage: drydock ${one.usage}\n(drydock ${command.name} ${sub} --help for details)`;
  if (command.usage) return `Usage: drydock ${command.usage.usage}\n(drydock ${command.name} --help for details)`;
  return ['Usage:', ...indent(Object.values(command.subcommands ?? {}).map((h) => `drydock ${h.usage}`)), `(drydock ${command.name} --help for details)`].join('\n');
}

export function overallHelp(commands: CliCommand[], version: string, footer: string[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `drydock ${version} — CircleCI Server 2.x operations over SSH`,
    '',
    'Usage: drydock COMMAND [SUBCOMMAND] [OPTIONS]',
    '',
    'Commands:',
    ...indent(commands.map((c) => `${c.name.padEnd(width)}  ${c.summary}`)),
    '',
    'Global options:',
    '  --json       machine-readable output (where a command prints a result)',
    '  --help, -h   help for drydock, a command or a subcommand',
    '  --version    the version of drydock',
    '',
    ...footer,
  ].join('\n');
}
