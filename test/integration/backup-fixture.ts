/**
 * The backup tests' world: a Services machine (lab host with the CircleCI
 * stand-ins, /etc/default/replicated* holding its addresses), a bastion, the
 * EC2 simulator whose `services` instance has the lab host's address, and an
 * engine whose channels are called as the GUI and CLI call them. The
 * simulator's snapshot calls are written into the Services host's
 * calls.log, beside the stand-ins' own lines, so one log shows the order.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { Ec2Simulator } from '../ec2-sim/server';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const ROOT = path.resolve(__dirname, '../..');

export interface BackupWorld {
  lab: Lab;
  sim: Ec2Simulator;
  fx: EngineFixture;
  /** Environment for the SDK: the simulator's keys, no ~/.aws of this machine. */
  awsEnv: Record<string, string>;
  call<C extends Channel>(channel: C, request: RequestOf<C>, emit?: (e: DrydockEvent) => void): Promise<ResponseOf<C>>;
  calls(): string[];
  appState(): string;
  dispose(): Promise<void>;
}

export async function startBackupWorld(options: { speed?: number } = {}): Promise<BackupWorld> {
  const lab = await startLab([{ name: 'services', standins: true }, { name: 'bastion' }]);
  const services = lab.hosts.services;
  services.writeFile('/etc/default/replicated', `PRIVATE_ADDRESS=${services.ip}\nPUBLIC_ADDRESS=203.0.113.10\nREPLICATED_OPTS=""\n`);
  services.writeFile('/etc/default/replicated-operator', `DAEMON_ENDPOINT=[${services.ip}]:9879\nDAEMON_HOST=[${services.ip}]\nPRIVATE_ADDRESS=${services.ip}\n`);
  services.writeFile('/var/lib/lab/replicated/transition-ms', '300');
  const sim = new Ec2Simulator({ speed: options.speed ?? 100, instances: [{ name: 'services', privateIp: services.ip }, { name: 'spare', privateIp: '10.0.1.11' }] });
  const ready = await sim.start();
  sim.onAction = (action) => {
    if (action === 'CreateSnapshot' || action === 'CreateSnapshots') {
      services.exec(`echo "ec2 ${action} app=$(cut -d' ' -f1 /var/lib/lab/replicated/state 2>/dev/null || echo started)" >>/var/log/lab/calls.log`);
    }
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-aws-'));
  const awsEnv = {
    AWS_ACCESS_KEY_ID: ready.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ready.secretAccessKey,
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    DRYDOCK_BACKUP_POLL_MS: '50',
  };
  const saved = { ...process.env };
  Object.assign(process.env, awsEnv);
  const fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services' },
    { name: 'bastion', role: 'bastion' },
  ]);
  const handlers = createHandlers(fx.engine);
  return {
    lab,
    sim,
    fx,
    awsEnv,
    async call(channel, request, emit = () => undefined) {
      const result = await dispatch(handlers, channel, request, { emit });
      if (!result.ok) throw fromErrorPayload(result.error);
      return result.value as never;
    },
    calls: () => (services.readFile('/var/log/lab/calls.log') ?? '').split('\n').filter(Boolean),
    appState: () => (services.readFile('/var/lib/lab/replicated/state') ?? 'started').split(' ')[0].trim(),
    async dispose() {
      await fx.dispose();
      await sim.stop();
      await lab.stop();
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Waits for a CLI run; kills it -9 as soon as `when` holds (polled every 5 ms), or lets it finish. */
export async function runUntil(p: CliProcess, when?: () => boolean): Promise<{ killed: boolean; code: number | null; stdout: string; stderr: string }> {
  let killed = false;
  const timer = when
    ? setInterval(() => {
        if (!killed && when()) {
          killed = true;
          p.child.kill('SIGKILL');
        }
      }, 5)
    : undefined;
  const done = await p.done;
  if (timer) clearInterval(timer);
  return { killed: killed && done.signal === 'SIGKILL', code: done.code, stdout: done.stdout, stderr: done.stderr };
}

/** The CLI bundled once (esbuild), run as a script would: no TTY. */
export function bundleCli(): { start(args: string[], env: Record<string, string>): CliProcess; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-backup-cli-'));
  const cli = path.join(dir, 'drydock.cjs');
  execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [path.join(ROOT, 'electron/cli.ts'), '--bundle', '--platform=node', '--format=cjs', '--packages=external', `--outfile=${cli}`, '--log-level=warning']);
  return {
    start(args, env) {
      const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH!, NODE_PATH: path.join(ROOT, 'node_modules'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
      return { child, done };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
