/**
 * `drydock console open`: the management console (8800, and with --https the
 * app's 443) on a loopback port through SSH, pinned to the certificate the
 * Services machine presents to itself. Prints the URL and the fingerprint
 * the admin compares with the browser's warning, then holds until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { RESET_CONSEQUENCE } from '../engine/operations/console/password';
import { ConsoleTunnel } from '../engine/operations/console/tunnel';
import { CliExit, EXIT, usage, type CliContext } from './context';
import type { CliCommand } from './help';

const OPEN_USAGE = 'console open [--services NAME] [--port N] [--https] [--address ADDR] [--json]';

export const consoleCli: CliCommand = {
  name: 'console',
  summary: 'The management console (port 8800) through an SSH tunnel, certificate pinned',
  run: consoleCommand,
  subcommands: {
    open: {
      usage: OPEN_USAGE,
      summary: 'Open a loopback port to the Services machine’s 8800 and hold it until Ctrl-C.',
      options: {
        '--services NAME': 'the Services machine (default: the inventory’s only one)',
        '--port N': 'local port (default: any free one); with --https the app gets N+1',
        '--https': 'also tunnel the CircleCI app’s own HTTPS (443)',
        '--address ADDR': 'address the Services machine connects to for the console (default 127.0.0.1)',
      },
      notes: [
        'Before the port opens, and again for every new connection, Drydock does its own TLS handshake through the tunnel and',
        'compares the certificate with the one the Services machine presents to itself (openssl on the host); on a',
        'difference nothing is forwarded. Your browser will warn about the console’s self-signed certificate: accept it',
        'only if the SHA-256 it shows is the fingerprint printed here.',
      ],
    },
    'reset-password': {
      usage: 'console reset-password [--services NAME] [--yes] [--json]',
      summary: 'Remove the management console’s password (replicated auth reset), after saying what that means.',
      options: { '--services NAME': 'the Services machine (default: the inventory’s only one)', '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)' },
      notes: [RESET_CONSEQUENCE],
    },
  },
};

async function resetPassword(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { services: { type: 'string' }, yes: { type: 'boolean' } }, strict: true, allowPositionals: false });
  if (!ctx.json) ctx.out(RESET_CONSEQUENCE);
  if (!values.yes) {
    if (!ctx.isTTY) {
      if (ctx.json) ctx.out(JSON.stringify({ consequence: RESET_CONSEQUENCE, needsConfirmation: true }));
      throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was changed. Run again with --yes.');
    }
    if ((await ctx.ask('Reset the console password? Type yes to go ahead: ')).trim().toLowerCase() !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was changed.');
  }
  const r = await ctx.call('console:reset-password', { confirmed: true, ...(values.services ? { services: values.services } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify(r));
  ctx.out(r.said || `The console password of ${r.services} was reset.`);
}

async function consoleCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'reset-password') return resetPassword(ctx, rest);
  if (sub !== 'open') usage(`${OPEN_USAGE} | console reset-password [--yes]`);
  const { values } = parseArgs({
    args: rest,
    options: { services: { type: 'string' }, port: { type: 'string' }, https: { type: 'boolean' }, address: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) usage(`--port must be a port number (1-65534), not ${values.port}`);
  const common = { services: values.services, remoteAddress: values.address };
  const tunnels: ConsoleTunnel[] = [];
  try {
    tunnels.push(await ConsoleTunnel.open(ctx.engine, { ...common, remotePort: 8800, localPort: port }));
    if (values.https) tunnels.push(await ConsoleTunnel.open(ctx.engine, { ...common, remotePort: 443, localPort: port ? port + 1 : 0 }));
    for (const [i, t] of tunnels.entries()) {
      t.on('refused', (why: string) => ctx.err(`refused a connection to ${t.state().remote}: ${why}`));
      const s = t.state();
      if (ctx.json) ctx.out(JSON.stringify({ url: s.url, remote: s.remote, services: s.services, sha256: s.fingerprint, subject: s.certificate.subject, validTo: s.certificate.validTo }));
      else {
        ctx.out(i === 0 ? `Management console: ${s.url}settings` : `CircleCI app: ${s.url}`);
        ctx.out(`  ${s.services} → ${s.remote}, certificate ${s.certificate.subject}`);
        ctx.out(`  pinned SHA-256 ${s.fingerprint}`);
      }
    }
    if (!ctx.json) ctx.err('Holding the tunnel; Ctrl-C closes it.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    for (const t of tunnels) await t.close();
  }
  if (!ctx.json) ctx.err('Tunnel closed.');
}
