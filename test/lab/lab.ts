// Drydock test lab: real OpenSSH hosts on this machine (see test/lab/README.md).
//
// Each host is a real, root-run sshd with its own copy-on-write view of `/`
// (overlayfs: lower = the real /, upper = a per-host folder), its own loopback
// address (127.0.77.x, port 22), its own hostname, in its own mount + UTS + PID
// namespaces (test/lab/host-init.sh is its PID 1 and becomes its sshd), so
// killing that one process kills every session of the host and drops its mounts.
// Needs root, Linux overlayfs, and the Debian packages openssh-server,
// openssh-client, sudo, jq (stand-ins) and util-linux (unshare, nsenter, setpriv).
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface LabUser {
  name: string;
  password: string;
  sudo: 'password' | 'nopasswd' | 'none';
}

export interface LabHostSpec {
  /** Also the hostname inside the host. */
  name: string;
  /** Created inside the host at its first start (useradd -m, chpasswd, /etc/sudoers.d/lab-NAME). */
  users?: LabUser[];
  /** PasswordAuthentication and KbdInteractiveAuthentication yes (UsePAM is always yes). Default false. */
  passwordAuth?: boolean;
  /** AllowTcpForwarding (bastion use). Default true. */
  allowTcpForwarding?: boolean;
  /** Seeded into the host at its first start, before sshd starts (absolute paths inside the host). */
  files?: Record<string, string | { content: string; mode?: number }>;
  /** Install the CircleCI stand-ins (test/lab/standins) into /usr/local/bin. */
  standins?: boolean;
  /**
   * A real Docker daemon for this host (test/lab/docker-daemon.ts): the folder
   * holding its docker.sock is bind-mounted at /run/dk at every boot and
   * /run/docker.sock points there; the docker stand-in is then not installed,
   * so `docker` is the machine's real client.
   */
  docker?: { socketDir: string };
  /**
   * Folders of the real machine bind-mounted into the host at every boot
   * (path inside the host -> folder outside): state shared between hosts,
   * such as the Nomad server's node list that clients register into.
   */
  binds?: Record<string, string>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LabHost {
  name: string;
  ip: string;
  port: number;
  /** 'SHA256:...' exactly as `ssh-keygen -lf` prints it (updated by replaceHostKey). */
  fingerprint: string;
  /** Path (on the real machine) of the host's public host key file. */
  hostKeyPub: string;
  /** Path (on the real machine) of the host's overlay upperdir: what the host wrote. */
  root: string;
  /** Path (on the real machine) of the host's sshd log (sshd -e, LogLevel VERBOSE; also host-init output). */
  log: string;
  /** True between start() resolving and stop(). */
  readonly running: boolean;
  /** Real path where file p of the running host is visible (throws when stopped). */
  path(p: string): string;
  /** File p as the host sees it, null if absent. Works on a stopped host too (upper, then the real /). */
  readFile(p: string): string | null;
  /** Writes through the host's filesystem (parents created); needs a running host. */
  writeFile(p: string, content: string, mode?: number): void;
  /** Runs `bash -c cmd` as root inside the host (its namespaces + chroot), synchronously. */
  exec(cmd: string, opts?: { input?: string; timeoutMs?: number }): ExecResult;
  /** Kills the host (every session), keeps its files. */
  stop(): Promise<void>;
  /** Starts it again (same files, address, key); resolves when port 22 answers. No-op if running. */
  start(): Promise<void>;
  /** New host key (MITM simulation): sshd re-reads it (SIGHUP), fingerprint updated. */
  replaceHostKey(): Promise<void>;
}

export interface LabOptions {
  /**
   * Folder of the lab (default: a new /tmp/drydock-lab/lab-XXXX). A folder holding a lab stopped
   * with `keep` is continued: same client keys, host keys and host files (no first boot again).
   */
  dir?: string;
  /** Exactly these addresses, one per spec in order (default: free ones in 127.0.77.2-254); locked like the others. */
  addresses?: string[];
  /** stop() keeps the folder (hosts' files and keys) for a later startLab with the same dir. */
  keep?: boolean;
}

export interface Lab {
  /** Folder of this lab on the real machine (/tmp/drydock-lab/lab-XXXX unless LabOptions.dir). */
  dir: string;
  /** ed25519 private key (path) authorized for root and every lab user on every host. */
  clientKey: string;
  clientKeyPub: string;
  /** Same authorization, passphrase-protected (OpenSSH format). */
  clientKeyEncrypted: string;
  clientKeyPassphrase: string;
  hosts: Record<string, LabHost>;
  /** Kills every host, releases the addresses, removes the lab folder. */
  stop(): Promise<void>;
}

/** Container names on the Services machine (admin-commands.md §6); the docker stand-in's default list. */
export const SERVICES_CONTAINERS = [
  'api-service', 'workflows-conductor', 'permissions-service', 'cron-service', 'federations-service',
  'contexts-service', 'domain-service', 'audit-log-service', 'frontend', 'picard-dispatcher', 'vm-service',
  'vm-scaler', 'vm-gc', 'picard-output-processor', 'dispatcher', 'legacy-notifier', 'picard-scheduler',
  'nomad', 'test-results', 'slanger', 'ready-agent', 'usage-stats', 'nomad-metrics', 'exim', 'mongo',
  'telegraf', 'postgres', 'rabbitmq', 'redis', 'slanger-redis', 'vault-cci', 'replicated', 'replicated-ui',
  'replicated-operator', 'replicated-premkit', 'replicated-statsd',
];

/** Default rows of the nomad stand-in (ID DC Name Class Drain Eligibility Status). */
export const DEFAULT_NOMAD_NODES = [
  '4e5f6a7b default nomad-client-1 linux-64bit false eligible ready',
  '8c9d0e1f default nomad-client-2 linux-64bit false eligible ready',
];

export const LAB_ROOT = '/tmp/drydock-lab';
const IPS_DIR = `${LAB_ROOT}/ips`;
const IP_PREFIX = '127.0.77.';
// __dirname: vitest provides it, and Playwright (CommonJS) can then require() this file as is.
// A bundled copy (the benchmarks) names the real folder in DRYDOCK_LAB_SOURCE; the compiled
// copy the demo runs (dist/test/lab) uses the scripts of this very folder (one lab, not two).
const HERE = process.env.DRYDOCK_LAB_SOURCE ?? labSourceDir(__dirname);

function labSourceDir(dir: string): string {
  if (fs.existsSync(path.join(dir, 'host-init.sh'))) return dir;
  return path.resolve(dir, '..', '..', '..', 'test', 'lab'); // dist/test/lab -> test/lab
}
const HOST_INIT = path.join(HERE, 'host-init.sh');
const STANDINS_DIR = path.join(HERE, 'standins');
const STANDIN_COMMANDS = ['replicatedctl', 'replicated', 'systemctl', 'service', 'docker', 'nomad'];
const HOST_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root', USER: 'root', LOGNAME: 'root', SHELL: '/bin/bash', LANG: 'C.UTF-8', TERM: 'dumb',
};

// ---------------------------------------------------------------- small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Start time of a process (clock ticks since boot), to tell a live pid from a reused one. */
function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function pidTag(pid: number): string {
  return `${pid} ${startTime(pid)}`;
}

/** True if "pid starttime" names a process that is still running. */
function tagAlive(tag: string): boolean {
  const [pid, st] = tag.trim().split(/\s+/);
  return !!pid && startTime(Number(pid)) === st;
}

function fingerprintOf(pubFile: string): string {
  const blob = Buffer.from(fs.readFileSync(pubFile, 'utf8').trim().split(/\s+/)[1]!, 'base64');
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Mount points under dir, in any mount namespace of this machine. */
export function mountsUnder(dir: string): string[] {
  const found = new Set<string>();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/mounts`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const mp = line.split(' ')[1];
      if (mp && (mp === dir || mp.startsWith(dir + '/'))) found.add(`${mp} (pid ${pid})`);
    }
  }
  return [...found];
}

function rmLabDir(dir: string): void {
  // Mounts only ever exist inside the hosts' own namespaces, which are dead by now;
  // refuse to delete through a mount anyway.
  const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((l) => l.split(' ')[1]).filter((mp) => mp && (mp === dir || mp.startsWith(dir + '/')));
  if (mounts.length) throw new Error(`lab: not removing ${dir}: still mounted: ${mounts.join(', ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Entry {
  st: fs.Stats;
  real: string;
}

/**
 * Resolves absolute path p inside a host whose filesystem is reached through look
 * (host-relative components -> lstat + real path, null if absent), following
 * symlinks the way the host would: absolute targets restart at the host's root,
 * never at the real /. Missing components are kept as they are (for writes).
 */
function resolveIn(
  p: string,
  look: (parts: string[]) => Entry | null,
  followLast = true,
): { parts: string[]; missing: boolean } {
  if (!p.startsWith('/')) throw new Error(`lab: host paths must be absolute, got ${JSON.stringify(p)}`);
  let todo = p.split('/').filter(Boolean);
  const out: string[] = [];
  let hops = 0;
  let missing = false;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      out.pop();
      continue;
    }
    const e = missing ? null : look([...out, c]);
    if (!e) missing = true;
    if (e && e.st.isSymbolicLink() && (todo.length > 0 || followLast)) {
      if (++hops > 40) throw new Error(`lab: too many symlinks resolving ${p}`);
      const target = fs.readlinkSync(e.real);
      if (target.startsWith('/')) out.length = 0;
      todo = [...target.split('/').filter(Boolean), ...todo];
      continue;
    }
    out.push(c);
  }
  return { parts: out, missing };
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- address locks

function tryLockIp(ip: string, labDir: string): boolean {
  const dir = `${IPS_DIR}/${ip}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(`${dir}/owner.tmp`, `${pidTag(process.pid)} ${labDir}\n`);
      fs.renameSync(`${dir}/owner.tmp`, `${dir}/owner`);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        fs.mkdirSync(IPS_DIR, { recursive: true }); // removed by a concurrent cleanup.sh
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    // Held: by a live process, or stale (owner dead; or no owner file for 10 s).
    let owner: string | null = null;
    try {
      owner = fs.readFileSync(`${dir}/owner`, 'utf8');
    } catch {
      const st = lstatOrNull(dir);
      if (st && Date.now() - st.mtimeMs < 10_000) return false;
    }
    if (owner && tagAlive(owner)) return false;
    const aside = `${dir}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      fs.renameSync(dir, aside); // atomic: only one process wins the stale lock
      fs.rmSync(aside, { recursive: true, force: true });
    } catch {
      /* someone else took it aside first; try mkdir once more */
    }
  }
  return false;
}

function releaseIp(ip: string): void {
  const dir = `${IPS_DIR}/${ip}`;
  try {
    const owner = fs.readFileSync(`${dir}/owner`, 'utf8');
    if (!owner.startsWith(`${pidTag(process.pid)} `)) return; // not ours (any more)
  } catch {
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Locks exactly these addresses (a kept lab's hosts keep theirs), or throws naming the one held. */
async function lockIps(ips: string[], labDir: string): Promise<string[]> {
  fs.mkdirSync(IPS_DIR, { recursive: true });
  const got: string[] = [];
  for (const ip of ips) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip)) throw new Error(`lab: ${ip} is not a loopback address`);
    const locked = tryLockIp(ip, labDir);
    if (locked) got.push(ip);
    if (!locked || !(await portFree(ip, 22))) {
      got.forEach(releaseIp);
      throw new Error(`lab: address ${ip} is in use (another lab holds it, or something listens on ${ip}:22)`);
    }
  }
  return got;
}

async function allocateIps(n: number, labDir: string): Promise<string[]> {
  fs.mkdirSync(IPS_DIR, { recursive: true });
  const got: string[] = [];
  for (let last = 2; last <= 254 && got.length < n; last++) {
    const ip = IP_PREFIX + last;
    if (!tryLockIp(ip, labDir)) continue;
    if (await portFree(ip, 22)) got.push(ip);
    else releaseIp(ip);
  }
  if (got.length < n) {
    got.forEach(releaseIp);
    throw new Error(`lab: no free address left in ${IP_PREFIX}2-254 (leftovers? run test/lab/cleanup.sh)`);
  }
  return got;
}

// ---------------------------------------------------------------- hosts

function sshdConfig(spec: LabHostSpec, ip: string): string {
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  return [
    `# Drydock test lab: sshd of host ${spec.name} (written by test/lab/lab.ts at the host's first start)`,
    `ListenAddress ${ip}`,
    'Port 22',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PidFile /run/sshd.pid',
    'UsePAM yes',
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${yn(!!spec.passwordAuth)}`,
    `KbdInteractiveAuthentication ${yn(!!spec.passwordAuth)}`,
    'PermitRootLogin prohibit-password',
    'AuthorizedKeysFile /etc/ssh/lab_authorized_keys .ssh/authorized_keys',
    'StrictModes no',
    `AllowTcpForwarding ${yn(spec.allowTcpForwarding ?? true)}`,
    'MaxStartups 100',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    'AcceptEnv LANG LC_*',
    'PrintMotd no',
    'X11Forwarding no',
    'UseDNS no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

class Host implements LabHost {
  readonly port = 22;
  fingerprint = '';
  readonly hostKeyPub: string;
  readonly root: string;
  readonly log: string;
  private readonly hostKey: string;
  private readonly merged: string;
  private proc: ChildProcess | null = null;
  private initPid = 0;
  private base: string | null = null; // real path of the host's "/" while running
  private booted = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly lab: LabImpl,
    readonly spec: LabHostSpec,
    readonly name: string,
    readonly ip: string,
    readonly dir: string,
  ) {
    this.root = `${dir}/upper`;
    this.merged = `${dir}/merged`;
    this.log = `${dir}/sshd.log`;
    this.hostKey = `${dir}/ssh_host_ed25519_key`;
    this.hostKeyPub = `${this.hostKey}.pub`;
  }

  get running(): boolean {
    return this.base !== null;
  }

  /** A host of a kept lab: its key and files are there already, so no first boot. */
  adoptKept(): boolean {
    if (!fs.existsSync(this.hostKeyPub) || !fs.existsSync(this.root)) return false;
    this.fingerprint = fingerprintOf(this.hostKeyPub);
    this.booted = true;
    return true;
  }

  async makeKey(): Promise<void> {
    fs.rmSync(this.hostKey, { force: true });
    fs.rmSync(this.hostKeyPub, { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${this.name}`, '-f', this.hostKey]);
    this.fingerprint = fingerprintOf(this.hostKeyPub);
  }

  // ------------------------------------------------------------ files

  private realPath(base: string, p: string, followLast = true): string {
    const look = (parts: string[]): Entry | null => {
      const real = `${base}/${parts.join('/')}`;
      const st = lstatOrNull(real);
      return st ? { st, real } : null;
    };
    return `${base}/${resolveIn(p, look, followLast).parts.join('/')}`;
  }

  private requireBase(what: string): string {
    if (this.base === null) throw new Error(`lab: ${what}: host ${this.name} is not running`);
    return this.base;
  }

  path(p: string): string {
    return this.realPath(this.requireBase(`path(${p})`), p);
  }

  readFile(p: string): string | null {
    let real: string | null;
    if (this.base !== null) real = this.realPath(this.base, p);
    else real = this.stoppedPath(p);
    if (real === null) return null;
    try {
      return fs.readFileSync(real, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return null;
      }
      throw e;
    }
  }

  /** Where p is while the host is stopped: its upper layer (whiteouts = deleted), else the real /. */
  private stoppedPath(p: string): string | null {
    if (/^\/+(tmp|run|dev|proc|sys)(\/|$)/.test(p)) return null; // fresh at every boot
    const layer = (parts: string[]): Entry | null => {
      const rel = parts.join('/');
      const up = lstatOrNull(`${this.root}/${rel}`);
      if (up) return up.isCharacterDevice() && up.rdev === 0 ? null : { st: up, real: `${this.root}/${rel}` };
      if (parts[0] === 'root') return null; // the host's /root is an opaque directory (host-init.sh)
      const low = lstatOrNull(`/${rel}`);
      return low ? { st: low, real: `/${rel}` } : null;
    };
    const { parts, missing } = resolveIn(p, layer);
    return missing ? null : (layer(parts)?.real ?? null);
  }

  writeFile(p: string, content: string, mode?: number): void {
    this.writeVia(this.requireBase(`writeFile(${p})`), p, content, mode);
  }

  private writeVia(base: string, p: string, content: string, mode?: number): void {
    const real = this.realPath(base, p);
    fs.mkdirSync(path.dirname(real), { recursive: true, mode: 0o755 });
    fs.writeFileSync(real, content, { mode: mode ?? 0o644 });
    if (mode !== undefined) fs.chmodSync(real, mode);
  }

  private mkdirVia(base: string, p: string, mode = 0o755): void {
    const real = this.realPath(base, p);
    fs.mkdirSync(real, { recursive: true, mode });
    fs.chmodSync(real, mode);
  }

  exec(cmd: string, opts: { input?: string; timeoutMs?: number } = {}): ExecResult {
    this.requireBase(`exec(${cmd})`);
    const r = spawnSync(
      'nsenter',
      ['-t', String(this.initPid), '-m', '-u', '-p', '-r', '-w', '--', '/bin/bash', '-c', cmd],
      { encoding: 'utf8', env: HOST_ENV, input: opts.input ?? '', timeout: opts.timeoutMs ?? 60_000 },
    );
    if (r.error) throw new Error(`lab: exec on ${this.name} failed: ${r.error.message}`);
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  }

  // ------------------------------------------------------------ lifecycle

  /** Files written at the first boot only (the host owns them afterwards). */
  private seedFirstBoot(base: string): string[] {
    const boot: string[] = [];
    const spec = this.spec;
    this.writeVia(base, '/etc/hostname', `${this.name}\n`);
    const hosts = fs.readFileSync('/etc/hosts', 'utf8').trimEnd();
    const labHosts = Object.values(this.lab.hosts).map((h) => `${h.ip}\t${h.name}`).join('\n');
    this.writeVia(base, '/etc/hosts', `${hosts}\n# drydock lab\n${labHosts}\n`);
    this.writeVia(base, '/etc/ssh/sshd_config', sshdConfig(spec, this.ip));
    this.writeVia(base, '/etc/ssh/lab_authorized_keys', this.lab.authorizedKeys);
    for (const u of spec.users ?? []) {
      if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(u.name)) throw new Error(`lab: bad user name ${u.name}`);
      if (/[:\n]/.test(u.password)) throw new Error(`lab: password of ${u.name} may not contain ':' or a newline`);
      boot.push(`id -u ${u.name} >/dev/null 2>&1 || useradd -m -s /bin/bash ${u.name}`);
      boot.push(`printf '%s\\n' ${shq(`${u.name}:${u.password}`)} | chpasswd`);
      if (u.sudo !== 'none') {
        const rule = u.sudo === 'nopasswd' ? 'ALL=(ALL) NOPASSWD: ALL' : 'ALL=(ALL) ALL';
        this.writeVia(base, `/etc/sudoers.d/lab-${u.name}`, `${u.name} ${rule}\n`, 0o440);
      }
    }
    if (spec.standins) this.seedStandins(base);
    for (const [p, f] of Object.entries(spec.files ?? {})) {
      if (typeof f === 'string') this.writeVia(base, p, f);
      else this.writeVia(base, p, f.content, f.mode);
    }
    return boot;
  }

  private seedStandins(base: string): void {
    for (const c of STANDIN_COMMANDS.filter((c) => !(c === 'docker' && this.spec.docker))) {
      this.writeVia(base, `/usr/local/bin/${c}`, fs.readFileSync(path.join(STANDINS_DIR, c), 'utf8'), 0o755);
    }
    this.writeVia(base, '/usr/local/lib/lab/standin-lib.sh',
      fs.readFileSync(path.join(STANDINS_DIR, 'standin-lib.sh'), 'utf8'));
    // The CircleCI app's config screen, as `replicatedctl app-config view` lists it.
    this.writeVia(base, '/usr/local/lib/lab/circleci-app-config.json',
      fs.readFileSync(path.join(STANDINS_DIR, 'circleci-app-config.json'), 'utf8'));
    for (const d of ['replicated/app-config', 'units', 'unit-env', 'fail', 'docker', 'nomad']) {
      this.mkdirVia(base, `/var/lib/lab/${d}`);
    }
    this.writeVia(base, '/var/lib/lab/replicated/state', 'started\n');
    this.writeVia(base, '/var/lib/lab/docker/containers', SERVICES_CONTAINERS.join('\n') + '\n');
    this.writeVia(base, '/var/lib/lab/nomad/nodes', DEFAULT_NOMAD_NODES.join('\n') + '\n');
    this.writeVia(base, '/var/lib/lab/nomad/jobs', '');
    this.mkdirVia(base, '/var/log/lab');
    this.writeVia(base, '/var/log/lab/calls.log', '', 0o666);
    this.writeVia(base, '/var/log/lab/units.log', '', 0o644);
  }

  /** The real daemon's socket folder, seen inside the host (its /run is a fresh tmpfs at every boot). */
  private mountDocker(base: string, socketDir: string): void {
    const r = spawnSync('nsenter', ['-t', String(this.initPid), '-m', '--', 'sh', '-c',
      `mkdir -p ${shq(`${this.merged}/run/dk`)} && mount --bind ${shq(socketDir)} ${shq(`${this.merged}/run/dk`)}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lab: could not bind ${socketDir} into ${this.name}: ${r.stderr}`);
    fs.symlinkSync('/run/dk/docker.sock', `${base}/run/docker.sock`);
  }

  /** A folder of the real machine at `inside` in the host's own mount namespace. */
  private bindFolder(inside: string, outside: string): void {
    if (!path.isAbsolute(inside) || inside.split('/').includes('..')) throw new Error(`lab: bad bind target ${inside}`);
    const r = spawnSync('nsenter', ['-t', String(this.initPid), '-m', '--', 'sh', '-c',
      `mkdir -p ${shq(`${this.merged}${inside}`)} && mount --bind ${shq(outside)} ${shq(`${this.merged}${inside}`)}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lab: could not bind ${outside} at ${inside} in ${this.name}: ${r.stderr}`);
  }

  private starting: Promise<void> | null = null;

  start(): Promise<void> {
    if (!this.starting) {
      if (this.proc) return Promise.resolve();
      this.starting = this.boot().finally(() => (this.starting = null));
    }
    return this.starting;
  }

  private async boot(): Promise<void> {
    const first = !this.booted;
    if (first) {
      for (const d of ['upper', 'work', 'merged']) fs.mkdirSync(`${this.dir}/${d}`, { recursive: true });
    }
    const logFd = fs.openSync(this.log, 'a');
    const proc = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', 'unshare', '-m', '-u', '-p', '--kill-child', '--propagation', 'private',
        'bash', HOST_INIT, this.dir, this.name, ...(first ? ['first'] : [])],
      { stdio: ['pipe', 'pipe', logFd], detached: true, env: { ...HOST_ENV, LANG: 'C' } },
    );
    fs.closeSync(logFd);
    this.proc = proc;
    let exitCode: number | null = null;
    this.exited = new Promise<void>((resolve) => proc.once('exit', (code, sig) => {
      exitCode = code ?? (sig ? 128 : 1);
      this.base = null;
      this.proc = null;
      resolve();
    }));
    const fail = async (why: string): Promise<never> => {
      await this.kill();
      throw new Error(`lab: host ${this.name} (${this.ip}) did not start: ${why}\n--- ${this.log}:\n${tail(this.log)}`);
    };
    try {
      // 1. wait for "mounted"
      await new Promise<void>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error('no "mounted" within 15 s')), 15_000);
        proc.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('mounted\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.once('exit', () => {
          clearTimeout(timer);
          reject(new Error(`host-init exited (${exitCode})`));
        });
      });
      const kids = fs.readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/);
      this.initPid = Number(kids[0]);
      fs.writeFileSync(`${this.dir}/pids`, `${pidTag(this.initPid)} ${pidTag(proc.pid!)}\n`);
      // 2. files, through the host's own mount namespace (before its chroot)
      const base = `/proc/${this.initPid}/root${this.merged}`;
      const boot = first ? this.seedFirstBoot(base) : [];
      this.writeVia(base, '/etc/ssh/ssh_host_ed25519_key', fs.readFileSync(this.hostKey, 'utf8'), 0o600);
      this.writeVia(base, '/etc/ssh/ssh_host_ed25519_key.pub', fs.readFileSync(this.hostKeyPub, 'utf8'), 0o644);
      if (this.spec.docker) this.mountDocker(base, this.spec.docker.socketDir);
      for (const [inside, outside] of Object.entries(this.spec.binds ?? {})) this.bindFolder(inside, outside);
      if (this.spec.standins) boot.push('. /usr/local/lib/lab/standin-lib.sh && lab_snapshot_unit_env');
      if (boot.length) this.writeVia(base, '/run/lab-boot.sh', boot.join('\n') + '\n', 0o700);
      proc.stdin!.end('go\n');
      this.booted = true;
      // 3. wait for sshd
      await waitForSsh(this.ip, this.port, 15_000, () => exitCode !== null);
    } catch (e) {
      return fail((e as Error).message);
    }
    this.base = `/proc/${this.initPid}/root`;
  }

  /** SIGKILL the host's PID 1 (the whole PID namespace goes with it) and wait until it is gone. */
  private async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    if (this.initPid) {
      try {
        process.kill(this.initPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    const done = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!done) {
      try {
        process.kill(proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await this.exited;
    }
    this.initPid = 0;
    fs.rmSync(`${this.dir}/pids`, { force: true });
  }

  /** SIGKILL without waiting (exit handlers); returns the pid to wait for. */
  killNow(): number {
    const pid = this.initPid;
    for (const p of [pid, this.proc?.pid ?? 0]) {
      if (!p) continue;
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.base = null;
    return pid;
  }

  async stop(): Promise<void> {
    this.base = null;
    await this.kill();
  }

  async replaceHostKey(): Promise<void> {
    await this.makeKey();
    if (this.base === null) return; // written into the host at its next start
    this.writeFile('/etc/ssh/ssh_host_ed25519_key', fs.readFileSync(this.hostKey, 'utf8'), 0o600);
    this.writeFile('/etc/ssh/ssh_host_ed25519_key.pub', fs.readFileSync(this.hostKeyPub, 'utf8'), 0o644);
    process.kill(this.initPid, 'SIGHUP'); // sshd re-executes itself and re-reads its keys
    const want = fs.readFileSync(this.hostKeyPub, 'utf8').trim().split(/\s+/)[1];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const got = await run('ssh-keyscan', ['-T', '2', '-t', 'ed25519', '-p', '22', this.ip]).catch(() => '');
      if (got.split(/\s+/).includes(want!)) return;
      if (Date.now() > deadline) throw new Error(`lab: ${this.name} still serves its old host key\n${tail(this.log)}`);
      await sleep(50);
    }
  }
}

function waitForSsh(ip: string, port: number, timeoutMs: number, dead: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (dead()) return reject(new Error('sshd exited'));
      if (Date.now() > deadline) return reject(new Error(`nothing answers on ${ip}:${port} after ${timeoutMs} ms`));
      const sock = net.connect({ host: ip, port });
      let buf = '';
      const retry = () => {
        sock.destroy();
        setTimeout(attempt, 20);
      };
      sock.setTimeout(2_000, retry);
      sock.on('data', (d) => {
        buf += d.toString();
        if (buf.startsWith('SSH-')) {
          sock.destroy();
          resolve();
        }
      });
      sock.on('error', retry);
      sock.on('end', retry);
    };
    attempt();
  });
}

// ---------------------------------------------------------------- the lab

const liveLabs = new Set<LabImpl>();
let handlersInstalled = false;

function stopAllSync(): void {
  for (const lab of [...liveLabs]) {
    try {
      lab.stopSync();
    } catch (e) {
      console.error(e);
    }
  }
}

/** True while pid runs (a zombie has already lost its namespaces and mounts). */
function pidRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function waitGoneSync(pids: number[], timeoutMs = 5_000): void {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => p && pidRunning(p)) && Date.now() < deadline) sleepSync(5);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', stopAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      stopAllSync();
      process.removeListener(sig, handler);
      // Nobody else handles it: die of the signal as we would have without us.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

class LabImpl implements Lab {
  hosts: Record<string, Host> = {};
  clientKey: string;
  clientKeyPub: string;
  clientKeyEncrypted: string;
  clientKeyPassphrase = 'lab-passphrase';
  authorizedKeys = '';
  ips: string[] = [];
  private stopped = false;

  constructor(
    readonly dir: string,
    private readonly keep = false,
  ) {
    this.clientKey = `${dir}/client_ed25519`;
    this.clientKeyPub = `${this.clientKey}.pub`;
    this.clientKeyEncrypted = `${dir}/client_ed25519_encrypted`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(Object.values(this.hosts).map((h) => h.stop()));
    this.finish();
  }

  /** Synchronous stop for exit/signal handlers: SIGKILL every host, wait for the kernel to reap them. */
  stopSync(): void {
    if (this.stopped) return;
    waitGoneSync(Object.values(this.hosts).map((h) => h.killNow()));
    this.finish();
  }

  private finish(): void {
    this.stopped = true;
    liveLabs.delete(this);
    this.ips.forEach(releaseIp);
    if (!this.keep) rmLabDir(this.dir);
    else fs.rmSync(`${this.dir}/owner`, { force: true });
  }
}

/** The folder a caller named: created root-only, or an existing real directory owned by root. */
function ownLabDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0) throw new Error(`lab: ${dir} must be a directory owned by root`);
  fs.chmodSync(dir, 0o700);
  return path.resolve(dir);
}

export async function startLab(specs: LabHostSpec[], options: LabOptions = {}): Promise<Lab> {
  if (process.getuid?.() !== 0) throw new Error('lab: needs root (overlay mounts, namespaces, sshd)');
  const names = new Set<string>();
  for (const s of specs) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s.name)) throw new Error(`lab: bad host name ${s.name}`);
    if (names.has(s.name)) throw new Error(`lab: duplicate host name ${s.name}`);
    names.add(s.name);
  }
  if (options.addresses && options.addresses.length !== specs.length) {
    throw new Error(`lab: ${options.addresses.length} addresses for ${specs.length} hosts`);
  }
  let dir = options.dir ? ownLabDir(options.dir) : '';
  for (let attempt = 0; !dir; attempt++) {
    fs.mkdirSync(LAB_ROOT, { recursive: true, mode: 0o755 });
    try {
      dir = fs.mkdtempSync(`${LAB_ROOT}/lab-`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 2) throw e; // raced with cleanup.sh
    }
  }
  fs.writeFileSync(`${dir}/owner`, `${pidTag(process.pid)}\n`);
  const lab = new LabImpl(dir, !!options.keep);
  liveLabs.add(lab);
  installHandlers();
  try {
    lab.ips = options.addresses ? await lockIps(options.addresses, dir) : await allocateIps(specs.length, dir);
    specs.forEach((s, i) => {
      fs.mkdirSync(`${dir}/hosts/${s.name}`, { recursive: true });
      lab.hosts[s.name] = new Host(lab, s, s.name, lab.ips[i]!, `${dir}/hosts/${s.name}`);
    });
    const keptClient = fs.existsSync(`${lab.clientKey}.pub`) && fs.existsSync(`${lab.clientKeyEncrypted}.pub`);
    if (!keptClient) {
      for (const f of [lab.clientKey, lab.clientKeyEncrypted]) for (const x of ['', '.pub']) fs.rmSync(f + x, { force: true });
    }
    await Promise.all([
      ...(keptClient ? [] : [
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'drydock-lab-client', '-f', lab.clientKey]),
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', lab.clientKeyPassphrase, '-C', 'drydock-lab-client-encrypted',
          '-f', lab.clientKeyEncrypted]),
      ]),
      ...Object.values(lab.hosts).filter((h) => !h.adoptKept()).map((h) => h.makeKey()),
    ]);
    lab.authorizedKeys = fs.readFileSync(lab.clientKeyPub, 'utf8') + fs.readFileSync(`${lab.clientKeyEncrypted}.pub`, 'utf8');
    await Promise.all(Object.values(lab.hosts).map((h) => h.start()));
  } catch (e) {
    await lab.stop().catch(() => undefined);
    throw e;
  }
  return lab;
}
