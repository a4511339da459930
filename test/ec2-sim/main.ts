#!/usr/bin/env node
/**
 * `npm run ec2-sim -- [--port N] [--state FILE] [--speed X] [--region R] [--host ADDR] [--boot-hook SOCKET]`:
 * the EC2 simulator on its own, for the demo and for a person checking by
 * hand (test/lab/README.md). Prints one JSON line when ready; Ctrl-C stops it.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { Ec2Simulator } from './server';

type Boot = Parameters<NonNullable<Ec2Simulator['onBoot']>>[0];

/**
 * --boot-hook: an instance starting on another root disk is announced on a
 * Unix socket (one JSON line) and StartInstances answers once the listener
 * replies (one JSON line, `{"console": TEXT}` sets what GetConsoleOutput
 * shows). The demo "re-images" its lab spare this way, as the tests' glue
 * does in-process. A listener that is gone or silent for 60 s is reported
 * on stderr and the boot goes on: the simulator itself never hangs on it.
 */
function bootHook(socket: string, sim: Ec2Simulator): (boot: Boot) => Promise<void> {
  return (boot) =>
    new Promise<void>((resolve) => {
      const conn = net.connect(socket);
      let reply = '';
      const done = (problem?: string) => {
        clearTimeout(timer);
        conn.destroy();
        if (problem) process.stderr.write(`ec2-sim: boot hook (${socket}): ${problem}\n`);
        resolve();
      };
      const timer = setTimeout(() => done('no reply within 60 s'), 60_000);
      conn.on('connect', () => conn.write(JSON.stringify(boot) + '\n'));
      conn.on('data', (d: Buffer) => {
        reply += d.toString();
        if (!reply.includes('\n')) return;
        try {
          const answer = JSON.parse(reply.slice(0, reply.indexOf('\n'))) as { console?: unknown };
          if (typeof answer.console === 'string') sim.setConsoleOutput(boot.instanceId, answer.console);
          done();
        } catch (err) {
          done(`bad reply: ${(err as Error).message}`);
        }
      });
      conn.on('error', (err) => done(err.message));
    });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, state: { type: 'string' }, speed: { type: 'string' }, region: { type: 'string' }, host: { type: 'string' }, 'boot-hook': { type: 'string' } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: a port number, not ${values.port}`);
  if (!(speed > 0)) throw new Error(`--speed: a positive number, not ${values.speed}`);
  const sim = new Ec2Simulator({ port, speed, host: values.host, region: values.region, stateFile: values.state });
  if (values['boot-hook']) sim.onBoot = bootHook(values['boot-hook'], sim);
  const ready = await sim.start();
  process.stdout.write(JSON.stringify(ready) + '\n');
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`ec2-sim: ${err.message}\n`);
  process.exit(1);
});
