/**
 * `drydock serve` as the admin runs it: the built CLI in a child process with
 * its own DRYDOCK_HOME, answering on the URL it prints.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConnections, recorderEnv, type ConnectionRecord } from '../air-gap/connections';

export interface DrydockServer {
  /** `http://127.0.0.1:PORT/?token=…` */
  url: string;
  home: string;
  /** Every connection and DNS question the server attempted so far (test/air-gap). */
  connections(): ConnectionRecord[];
  /** Stops the server (SIGTERM unless told; SIGKILL is a crash); `keepHome` leaves its DRYDOCK_HOME for a server started again on it. */
  stop(options?: { keepHome?: boolean; signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
}

export interface StartOptions {
  /** Continue on this DRYDOCK_HOME (a server restarted mid-run) instead of a new empty one. */
  home?: string;
  /** Extra environment for the server (an EC2 endpoint's keys, say). */
  env?: Record<string, string>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const URL_LINE = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/;

export async function startDrydock(timeoutMs = 20_000, options: StartOptions = {}): Promise<DrydockServer> {
  const home = options.home ?? mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-home-'));
  const recordDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-e2e-connections-'));
  const log = path.join(recordDir, 'connections.jsonl');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/electron/cli.js'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, DRYDOCK_HOME: home, ...recorderEnv(log) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`drydock serve printed no URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const found = URL_LINE.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`drydock serve exited (${code ?? signal}) before printing its URL:\n${output}`));
    });
  });

  return {
    url,
    home,
    connections: () => readConnections(log),
    async stop(stopOptions: { keepHome?: boolean; signal?: 'SIGTERM' | 'SIGKILL' } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(stopOptions.signal ?? 'SIGTERM');
        const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
        if (!gone) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      if (!stopOptions.keepHome) rmSync(home, { recursive: true, force: true });
      rmSync(recordDir, { recursive: true, force: true });
    },
  };
}
