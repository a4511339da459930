/** `drydock serve`: the GUI in a browser, for machines without the Electron binary. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHandlers } from '../engine/api/handlers';
import { startServer } from '../serve';
import { usage, type CliContext } from './context';
import type { CliCommand } from './help';

export const serveCli: CliCommand = {
  name: 'serve',
  summary: 'the GUI in a browser on this machine (browser mode)',
  run: serveCommand,
  usage: {
    usage: 'serve [--port N]',
    summary: 'Serve the Drydock GUI on 127.0.0.1 and print its address, with a session token; Ctrl-C stops it.',
    options: { '--port N': 'listen on this port (default: any free port)' },
    notes: ['Only this machine can connect; open the printed address, token included, in a browser.'],
  },
};

export async function serveCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port: 0 to 65535');
  const server = await startServer({
    handlers: createHandlers(ctx.engine, 'http'),
    events: ctx.engine.events,
    staticDir: path.join(__dirname, '..', '..', 'renderer'),
    port,
  });
  ctx.out(`Drydock is serving on ${server.url}`);
  ctx.err('Open that address in a browser on this machine. Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
