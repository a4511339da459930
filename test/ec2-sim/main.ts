#!/usr/bin/env node
/**
 * `npm run ec2-sim -- [--port N] [--state FILE] [--speed X] [--region R] [--host ADDR]`:
 * the EC2 simulator on its own, for the demo and for a person checking by
 * hand (test/lab/README.md). Prints one JSON line when ready; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { Ec2Simulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, state: { type: 'string' }, speed: { type: 'string' }, region: { type: 'string' }, host: { type: 'string' } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: a port number, not ${values.port}`);
  if (!(speed > 0)) throw new Error(`--speed: a positive number, not ${values.speed}`);
  const sim = new Ec2Simulator({ port, speed, host: values.host, region: values.region, stateFile: values.state });
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
