/**
 * `npm run demo` as a person runs it, for the tests: the compiled demo
 * (dist/demo/main.js) in a child process, as root, with its own folder and
 * `--user nobody` (CI has no SUDO_USER), the connection recorder switched on,
 * and what it printed parsed the way a person reads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recorderEnv } from '../air-gap/connections';

export const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO_MAIN = path.join(ROOT, 'dist', 'demo', 'main.js');
export const CLI = path.join(ROOT, 'dist', 'electron', 'cli.js');
/** The account CI runs the app as (README: `--user`). */
export const DEMO_USER = 'nobody';

export interface DemoRun {
  child: ChildProcess;
  /** The test's folder: demo/ (the demo's --dir) and connections.jsonl. */
  base: string;
  dir: string;
  connectionLog: string;
  output(): string;
  url: string;
  home: string;
  /** `SHA256:…` per host name, from the printed `ssh-keygen -lf` lines. */
  fingerprints: Record<string, string>;
  proxyUrl: string;
  /** Every `export NAME=VALUE` line of the banner (DRYDOCK_HOME, the AWS files), as a person pastes them. */
  exports: Record<string, string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ctrl-C, and the demo's exit. */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the test's folder (after the demo ended). */
  dispose(): void;
}

/** A folder the demo's user can traverse, with a connection log it can append to. */
export function demoBase(): { base: string; dir: string; connectionLog: string } {
  if (!existsSync(DEMO_MAIN)) throw new Error(`the demo is not built (${DEMO_MAIN}): run \`npm run build\` first`);
  const base = mkdtempSync(path.join(os.tmpdir(), 'drydock-demo-test-'));
  chmodSync(base, 0o755);
  const connectionLog = path.join(base, 'connections.jsonl');
  writeFileSync(connectionLog, '', { mode: 0o666 });
  chmodSync(connectionLog, 0o666);
  return { base, dir: path.join(base, 'demo'), connectionLog };
}

export function spawnDemo(args: string[], connectionLog?: string): ChildProcess {
  // pdeathsig: a test runner that dies takes its demo down (which then cleans up after itself).
  return spawn('setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, DEMO_MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...(connectionLog ? recorderEnv(connectionLog) : {}), SUDO_USER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a demo command to its end. */
export function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnDemo(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export async function startDemo(extraArgs: string[] = [], existing?: { base: string; dir: string; connectionLog: string }, timeoutMs = 60_000): Promise<DemoRun> {
  const where = existing ?? demoBase();
  const child = spawnDemo(['--user', DEMO_USER, '--dir', where.dir, ...extraArgs], where.connectionLog);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no banner within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const look = () => {
      if (/stops everything\.\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code ?? signal}) before its banner:\n${out}`));
    });
  });
  const find = (re: RegExp, what: string) => {
    const m = re.exec(out);
    if (!m) throw new Error(`the demo printed no ${what}:\n${out}`);
    return m[1]!;
  };
  const fingerprints: Record<string, string> = {};
  for (const m of out.matchAll(/^ {2}(\S+)\s+127\.\S+\s+.*?\b256 (SHA256:\S+) root@\1 \(ED25519\)$/gm)) fingerprints[m[1]!] = m[2]!;
  return {
    child,
    ...where,
    output: () => out,
    url: find(/(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, 'URL'),
    home: find(/^ {2}export DRYDOCK_HOME=(\S+)$/m, 'DRYDOCK_HOME'),
    fingerprints,
    proxyUrl: find(/^ {2}Proxy\s+(http:\/\/\S+)/m, 'proxy URL'),
    exports: Object.fromEntries([...out.matchAll(/^ {2}export ([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!])),
    exited,
    async interrupt() {
      child.kill('SIGINT');
      return exited;
    },
    dispose: () => rmSync(where.base, { recursive: true, force: true }),
  };
}

/** The CLI as the demo's user, on the demo's DRYDOCK_HOME (what `export DRYDOCK_HOME=…` gives a person), plus other printed exports. */
export function cliAsUser(home: string, args: string[], connectionLog?: string, exports: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: '/tmp', ...exports, DRYDOCK_HOME: home, ...(connectionLog ? recorderEnv(connectionLog, {}) : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
