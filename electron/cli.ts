#!/usr/bin/env node
/**
 * `drydock`: every operation, headless, for automation. Commands go through
 * the same IPC handlers the GUI uses. Exit codes (README): 0 ok, 1 failed,
 * 2 bad usage or input, 3 needs confirmation, 4 host key unknown or changed,
 * 5 (health) something severe or moderate is down.
 */
import { createInterface } from 'node:readline/promises';
import { DrydockError } from '../shared/errors';
import { auditCommand, runsCommand } from './cli/audit';
import { certCommand } from './cli/cert';
import { CliExit, createCliContext, exitCodeFor, EXIT, type CliContext } from './cli/context';
import { customizeCommand } from './cli/customize';
import { healthCommand, nomadCommand, supportBundleCommand } from './cli/health';
import { hostsCommand } from './cli/hosts';
import { proxyCommand } from './cli/proxy';
import { serveCommand } from './cli/serve';

type Command = (ctx: CliContext, argv: string[]) => Promise<void>;

export const COMMANDS: Record<string, Command> = {
  hosts: hostsCommand,
  audit: auditCommand,
  runs: runsCommand,
  serve: serveCommand,
  cert: certCommand,
  proxy: proxyCommand,
  customize: customizeCommand,
  health: healthCommand,
  nomad: nomadCommand,
  'support-bundle': supportBundleCommand,
};

const HELP = `drydock — CircleCI Server 2.x operations over SSH

  drydock hosts add NAME --address HOST[:PORT] --user USER [--key PATH] [--jump NAME] --role ROLE
  drydock hosts list [--json]
  drydock hosts remove NAME
  drydock hosts import-ssh-config [--file PATH] [--role ROLE]
  drydock hosts import-known-hosts [--file PATH]
  drydock hosts trust NAME [--fingerprint SHA256:...]
  drydock hosts forget-key NAME
  drydock hosts facts NAME [--json]
  drydock runs list [--json] | drydock runs resume ID
  drydock audit verify | drydock audit tail [-n N]
  drydock audit report (--run ID | --since ISO [--until ISO]) --out FILE.md|FILE.html
  drydock health [--json] [--watch SECONDS] [--host NAME] [--ldap yes|no] [--s3 yes|no]   exit 0 healthy or mild, 5 severe/moderate down, 1 could not check
  drydock nomad status [--json]
  drydock support-bundle --out FILE.tar.gz [--hosts a,b] [--tail LINES] [--json]
  drydock serve [--port N]
  drydock cert self-signed --host H [--san N]... [--days N] [--key rsa2048|rsa3072|rsa4096|p256] [--ca NAME] --out DIR
  drydock cert ca create NAME | cert ca list | cert list
  drydock cert trust-ghe [--ghe HOST] [--yes] | cert untrust-ghe [--yes] | cert install --cert FILE --key FILE [--yes] | cert verify [--json]
  drydock cert certbot --host H [--server URL --ca-bundle FILE] [--dns-ready-file PATH | --continue-when-resolves] [--install] [--yes]
  drydock proxy plan --proxy URL [--https-proxy URL] [--proxy-user USER] [--no-proxy a,b] [--aws] [--json]
  drydock proxy apply --proxy URL ... [--verify-url URL] [--yes] [--no-restart] [--json]
  drydock proxy verify [--url URL] [--json] | drydock proxy rollback [--yes] [--no-restart] [--json]
  drydock customize set CIRCLE_URL=https://ci.example.com JVM_HEAP_SIZE=4g [--container NAME] [--yes] [--json]

Secrets come from DRYDOCK_SSH_PASSWORD, DRYDOCK_KEY_PASSPHRASE, DRYDOCK_SUDO_PASSWORD, DRYDOCK_CA_PASSPHRASE and DRYDOCK_PROXY_PASSWORD; state lives in DRYDOCK_HOME.`;

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const [command, ...rest] = args;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP + '\n');
    return command ? EXIT.ok : EXIT.usage;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`drydock: unknown command "${command}" (drydock help)\n`);
    return EXIT.usage;
  }
  const ctx = createCliContext({ json, ask });
  // Ctrl-C stops a running operation at its step and leaves its runbook
  // resumable (`drydock runs resume`); a second Ctrl-C quits outright.
  const interrupt = () => {
    if (ctx.engine.runner.cancelAll() === 0) process.exit(130);
    process.once('SIGINT', () => process.exit(130));
  };
  if (command !== 'serve') process.once('SIGINT', interrupt);
  try {
    await run(ctx, rest);
    return EXIT.ok;
  } catch (err) {
    const exitCode = err instanceof CliExit ? err.exitCode : err instanceof DrydockError ? exitCodeFor(err.code) : (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? EXIT.usage : EXIT.failed;
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
