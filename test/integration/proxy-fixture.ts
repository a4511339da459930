/**
 * The proxy tests' world: a Services machine and two Nomad clients (lab
 * hosts with the CircleCI stand-ins), each holding the files a real install
 * has before anyone configures a proxy, a GHE entry in the inventory, and a
 * way to call channels exactly as the GUI and CLI do (validation included).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const ROOT = path.resolve(__dirname, '../..');

/** What the hosts hold before Drydock touches them. */
export const ORIGINAL = {
  replicatedConf:
    '{\n  "DaemonAuthenticationType": "password",\n  "DaemonAuthenticationPassword": "lab-s3cret-pw",\n  "TlsBootstrapType": "self-signed",\n  "BypassPreflightChecks": true\n}\n',
  customizations: '# CircleCI Server installation customizations\nexport CIRCLE_URL="https://ci.example.test"\nexport JVM_HEAP_SIZE="4g"\n',
  environment: 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games"\n',
};

export const PROXY_FILES = {
  services: ['/etc/replicated.conf', '/etc/circle-installation-customizations'],
  nomad: ['/etc/environment', '/etc/systemd/system/docker.service.d/http-proxy.conf'],
};

export const NOMAD = ['nomad-1', 'nomad-2'] as const;

export interface ProxyWorld {
  lab: Lab;
  fx: EngineFixture;
  call<C extends Channel>(channel: C, request: RequestOf<C>, emit?: (e: DrydockEvent) => void): Promise<ResponseOf<C>>;
  /** Every proxy file of every host as the host sees it (null: absent). */
  snapshot(): Record<string, string | null>;
  /** Lines of /var/log/lab/units.log on a host. */
  units(host: string): string[];
  dispose(): Promise<void>;
}

export async function startProxyWorld(): Promise<ProxyWorld> {
  const lab = await startLab([
    {
      name: 'services',
      standins: true,
      files: {
        '/etc/replicated.conf': { content: ORIGINAL.replicatedConf, mode: 0o600 },
        '/etc/circle-installation-customizations': ORIGINAL.customizations,
      },
    },
    ...NOMAD.map((name) => ({ name, standins: true, files: { '/etc/environment': ORIGINAL.environment } })),
  ]);
  let fx: EngineFixture;
  try {
    fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }, ...NOMAD.map((name) => ({ name, role: 'nomad' as const }))]);
    fx.engine.inventory.add({ name: 'ghe', address: 'ghe.example.test', port: 22, user: 'git', role: 'ghe' });
  } catch (err) {
    await lab.stop();
    throw err;
  }
  const handlers = createHandlers(fx.engine);
  return {
    lab,
    fx,
    async call(channel, request, emit) {
      const result = await dispatch(handlers, channel, request, { emit: emit ?? (() => undefined) });
      if (!result.ok) throw fromErrorPayload(result.error);
      return result.value as never;
    },
    snapshot() {
      const out: Record<string, string | null> = {};
      for (const p of PROXY_FILES.services) out[`services:${p}`] = lab.hosts.services.readFile(p);
      for (const n of NOMAD) for (const p of PROXY_FILES.nomad) out[`${n}:${p}`] = lab.hosts[n].readFile(p);
      return out;
    },
    units: (host) => (lab.hosts[host].readFile('/var/log/lab/units.log') ?? '').split('\n').filter(Boolean),
    async dispose() {
      await fx.dispose();
      await lab.stop();
    },
  };
}

export function sha(text: string | null): string | null {
  return text === null ? null : createHash('sha256').update(text).digest('hex');
}

/** The guide's order, as the systemctl stand-in logs it. */
export const GUIDE_RESTART_ORDER = ['stop replicated-ui', 'stop replicated', 'stop replicated-operator', 'start replicated-ui', 'start replicated-operator', 'start replicated'];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI, bundled with esbuild and run as a child process the way a
 * script runs it: no TTY, DRYDOCK_HOME pointing at the world's engine home.
 */
export function bundleCli(): {
  /** The bundled CLI file (for a test that runs it its own way). */
  file: string;
  run(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** The same, with the child at hand (to kill it mid-run). */
  start(args: string[], env?: Record<string, string>): { child: ChildProcess; done: Promise<CliRun> };
  dispose(): void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-proxy-cli-'));
  const cli = path.join(dir, 'drydock.cjs');
  execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [path.join(ROOT, 'electron/cli.ts'), '--bundle', '--platform=node', '--format=cjs', '--packages=external', `--outfile=${cli}`, '--log-level=warning']);
  const start = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH!, NODE_PATH: path.join(ROOT, 'node_modules'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, done };
  };
  return {
    file: cli,
    run: (args, env = {}) => start(args, env).done,
    start,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
