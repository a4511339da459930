// A real Squid (Debian `squid`) for the lab: the proxy a corporate network
// puts in front of CircleCI, with Basic credentials checked by Squid's own
// `basic_ncsa_auth` against a file written by `htpasswd` (apache2-utils).
//
// Each Squid gets its own loopback address 127.0.81.N (lab hosts are
// 127.0.77.x, the Node proxy of http-proxy.ts 127.0.78.x), locked under
// /tmp/drydock-lab/squid/ so concurrent tests never share one, a free port,
// and a temp folder for its config, pid, logs and password file. No cache,
// no DNS of its own beyond /etc/hosts. Every request lands in `requests()`
// with the user Squid authenticated and the client's User-Agent (all lab
// hosts connect from 127.0.0.1, so those tell clients apart).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SquidRequest {
  /** Client address as Squid saw it. */
  from: string;
  /** The user Squid authenticated, or '-' when none. */
  user: string;
  method: string;
  /** `http://host:port/path`, or `host:port` for CONNECT. */
  url: string;
  /** Status Squid answered (407, 200, 503...). */
  status: number;
  userAgent: string;
}

export interface LabSquid {
  /** `http://127.0.81.N:PORT` (no credentials). */
  url: string;
  host: string;
  port: number;
  /** Squid's access log, parsed; read fresh at each call. */
  requests(): SquidRequest[];
  stop(): Promise<void>;
}

const LOCK_DIR = '/tmp/drydock-lab/squid';
const PREFIX = '127.0.81.';
const SQUID = '/usr/sbin/squid';
const NCSA = '/usr/lib/squid/basic_ncsa_auth';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take a free 127.0.81.N for this process; a lock whose owner died is taken over. */
function lockAddress(): { host: string; release(): void } {
  fs.mkdirSync(LOCK_DIR, { recursive: true });
  const candidates = Array.from({ length: 250 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  for (const n of candidates) {
    const lock = path.join(LOCK_DIR, `${PREFIX}${n}`);
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    } catch {
      const owner = Number(fs.readFileSync(lock, 'utf8').trim());
      if (owner && alive(owner)) continue;
      fs.writeFileSync(lock, `${process.pid}\n`);
    }
    return { host: `${PREFIX}${n}`, release: () => fs.rmSync(lock, { force: true }) };
  }
  throw new Error('no free 127.0.81.x address for Squid');
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function config(dir: string, host: string, port: number, auth: boolean): string {
  return [
    `http_port ${host}:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    // One line per request: time, client, user, method, URL, status, User-Agent.
    'logformat drydock %ts %>a %un %rm %ru %>Hs "%{User-Agent}>h"',
    `access_log stdio:${dir}/access.log drydock`,
    `coredump_dir ${dir}`,
    'cache deny all',
    'cache_mem 4 MB',
    'pinger_enable off',
    'netdb_filename none',
    'shutdown_lifetime 0 seconds',
    'via off',
    ...(auth
      ? [`auth_param basic program ${NCSA} ${dir}/passwd`, 'auth_param basic realm drydock-lab', 'acl authed proxy_auth REQUIRED', 'http_access allow authed']
      : ['http_access allow all']),
    'http_access deny all',
    '',
  ].join('\n');
}

/**
 * Start Squid. With `users`, every request needs one of them (407 otherwise).
 * Squid drops root for the `proxy` user, so its folder is handed to it.
 */
export async function startSquid(options: { users?: { user: string; password: string }[] } = {}): Promise<LabSquid> {
  const { host, release } = lockAddress();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drydock-squid-'));
  let child: ChildProcess | undefined;
  try {
    const port = await freePort(host);
    const users = options.users ?? [];
    for (const [i, u] of users.entries()) {
      // -i: the password from stdin, so it is on no command line.
      execFileSync('htpasswd', [i === 0 ? '-ci' : '-i', `${dir}/passwd`, u.user], { input: u.password, stdio: ['pipe', 'ignore', 'pipe'] });
    }
    fs.writeFileSync(`${dir}/squid.conf`, config(dir, host, port, users.length > 0));
    fs.writeFileSync(`${dir}/access.log`, '');
    execFileSync('chown', ['-R', 'proxy:proxy', dir]);
    fs.chmodSync(dir, 0o750);
    child = spawn(SQUID, ['-N', '-f', `${dir}/squid.conf`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    while (!(await listening(host, port))) {
      if (child.exitCode !== null || Date.now() - started > 20_000) {
        const log = fs.existsSync(`${dir}/cache.log`) ? fs.readFileSync(`${dir}/cache.log`, 'utf8') : '';
        throw new Error(`squid did not start on ${host}:${port}: ${stderr}${log.split('\n').slice(-10).join('\n')}`);
      }
      await sleep(50);
    }
  } catch (err) {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    release();
    throw err;
  }
  const port = Number(/http_port [\d.]+:(\d+)/.exec(fs.readFileSync(`${dir}/squid.conf`, 'utf8'))![1]);
  const proc = child;
  // Squid drops root for `proxy`, which clears any parent-death signal: kill it when this process ends.
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    requests: () =>
      fs
        .readFileSync(`${dir}/access.log`, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const m = /^\S+ (\S+) (\S+) (\S+) (\S+) (\d+) "(.*)"$/.exec(line);
          return m ? { from: m[1], user: decodeURIComponent(m[2]), method: m[3], url: m[4], status: Number(m[5]), userAgent: m[6] } : null;
        })
        // method '-': a bare TCP connect (startSquid's own readiness probe), not a request.
        .filter((r): r is SquidRequest => r !== null && r.method !== '-'),
    stop: async () => {
      process.removeListener('exit', onExit);
      if (proc.exitCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(5_000).then(() => proc.kill('SIGKILL'))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      release();
    },
  };
}
