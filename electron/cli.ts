#!/usr/bin/env node
/**
 * `drydock`: every operation, headless, for automation. Commands go through
 * the same IPC handlers the GUI uses. Exit codes (README): 0 ok, 1 failed,
 * 2 bad usage or input, 3 needs confirmation, 4 host key unknown or changed,
 * 5 (health) something severe or moderate is down.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DrydockError } from '../shared/errors';
import { auditCli, runsCli } from './cli/audit';
import { backupCli } from './cli/backup';
import { bundleCli } from './cli/bundle';
import { restoreCli } from './cli/restore';
import { certCli } from './cli/cert-help';
import { consoleCli } from './cli/console';
import { CliExit, createCliContext, exitCodeFor, EXIT, UsageError, type CliContext } from './cli/context';
import { customizeCli } from './cli/customize';
import { healthCli, nomadCli, supportBundleCli } from './cli/health';
import { commandHelp, HELP_FLAGS, overallHelp, shortUsage, type CliCommand } from './cli/help';
import { hostsCli } from './cli/hosts';
import { preflightCli, capacityCli } from './cli/preflight';
import { installCli } from './cli/install';
import { proxyCli } from './cli/proxy';
import { serveCli } from './cli/serve';
import { describeProblem } from './engine/inventory/inventory';
import { settingsCli, usageStatsCli } from './cli/settings';

/** Every command, in the order `drydock --help` lists them. A new command: its file exports a CliCommand, add it here. */
export const COMMANDS: CliCommand[] = [
  hostsCli,
  installCli,
  certCli,
  proxyCli,
  customizeCli,
  consoleCli,
  settingsCli,
  usageStatsCli,
  backupCli,
  preflightCli,
  capacityCli,
  bundleCli,
  restoreCli,
  healthCli,
  nomadCli,
  supportBundleCli,
  runsCli,
  auditCli,
  serveCli,
];

const FOOTER = [
  'Secrets come from DRYDOCK_SSH_PASSWORD, DRYDOCK_KEY_PASSPHRASE, DRYDOCK_SUDO_PASSWORD, DRYDOCK_CA_PASSPHRASE, DRYDOCK_PROXY_PASSWORD and DRYDOCK_CONSOLE_PASSWORD (AWS credentials from the environment or ~/.aws); state lives in DRYDOCK_HOME.',
  'Exit codes: 0 done, 1 failed, 2 bad usage or input, 3 needs confirmation (nothing was changed), 4 host key unknown or changed, 5 (health) something severe or moderate is down, (preflight) a check failed.',
];

/** package.json sits two folders up from both electron/cli.ts and dist/electron/cli.js. */
export function version(): string {
  for (const up of [['..'], ['..', '..']]) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, ...up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

/** A wrong option or argument, as node:util parseArgs reports it, in one line. */
function parseArgsMessage(err: Error): string {
  return err.message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option '([^']+)'$/, 'unknown option $1');
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** A bad entry in hosts.json is named on every command, and the others still work. */
function warnAboutInventory(ctx: CliContext): void {
  try {
    for (const problem of ctx.engine.inventory.problems()) process.stderr.write(`drydock: warning: ${describeProblem(problem)}\n`);
  } catch {
    /* an unreadable file is reported by the command that needs it */
  }
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`drydock ${version()}\n`);
    return EXIT.ok;
  }
  if (!name || name === 'help' || HELP_FLAGS.has(name)) {
    const about = name === 'help' && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write((about ? commandHelp(about, rest[1]) : overallHelp(COMMANDS, version(), FOOTER)) + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`drydock: unknown command "${name}"\n\n${overallHelp(COMMANDS, version(), FOOTER)}\n`);
    return EXIT.usage;
  }
  const sub = command.subcommands && rest[0] && !rest[0].startsWith('-') ? rest[0] : undefined;
  // `--help` anywhere in the command asks for help, never runs it.
  if (rest.some((a) => HELP_FLAGS.has(a))) {
    process.stdout.write(commandHelp(command, sub) + '\n');
    return EXIT.ok;
  }
  const ctx = createCliContext({ json, ask });
  warnAboutInventory(ctx);
  // Ctrl-C stops a running operation at its step and leaves its runbook
  // resumable (`drydock runs resume`); a second Ctrl-C quits outright.
  const interrupt = () => {
    if (ctx.engine.runner.cancelAll() === 0) process.exit(130);
    process.once('SIGINT', () => process.exit(130));
  };
  // serve and console open hold until Ctrl-C and close themselves on it.
  if (command.name !== 'serve' && command.name !== 'console') process.once('SIGINT', interrupt);
  try {
    await command.run(ctx, rest);
    return EXIT.ok;
  } catch (err) {
    // A mistake in the command line: say what, then how the command is used.
    const parseError = (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (parseError || err instanceof UsageError) {
      const known = !command.subcommands || (sub !== undefined && sub in command.subcommands);
      const message = parseError
        ? parseArgsMessage(err as Error)
        : known
          ? (err as Error).message.split('\n')[0]
          : rest[0]
            ? `unknown subcommand "${rest[0]}"`
            : 'a subcommand is needed';
      process.stderr.write(`drydock ${command.name}${sub && command.subcommands?.[sub] ? ` ${sub}` : ''}: ${message}\n${shortUsage(command, sub)}\n`);
      return EXIT.usage;
    }
    const exitCode = err instanceof CliExit ? err.exitCode : err instanceof DrydockError ? exitCodeFor(err.code) : EXIT.failed;
    const message = (err as Error).message.split('\n')[0];
    process.stderr.write(`drydock: ${message}\n`);
    return exitCode;
  } finally {
    await ctx.engine.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
