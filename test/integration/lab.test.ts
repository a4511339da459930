// Proves the test lab itself (test/lab/lab.ts) with the system OpenSSH client.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LAB_ROOT, SERVICES_CONTAINERS, mountsUnder, startLab, type Lab, type LabHost,
} from '../lab/lab';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LAB_TS = path.resolve(HERE, '../lab/lab.ts');
const CLEANUP = path.resolve(HERE, '../lab/cleanup.sh');

let lab: Lab;
let alpha: LabHost;
let beta: LabHost;
let tmp: string;

function baseArgs(key: string): string[] {
  return [
    '-F', '/dev/null', '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=5',
  ];
}

interface SshOpts {
  user?: string;
  input?: string;
  args?: string[];
  key?: string;
  env?: NodeJS.ProcessEnv;
}

function sshArgv(host: LabHost, cmd: string, o: SshOpts = {}): string[] {
  return [
    // ssh keeps the first value of an option: the test's own come first
    ...(o.args ?? []), ...baseArgs(o.key ?? lab.clientKey), ...(o.env ? [] : ['-o', 'BatchMode=yes']),
    `${o.user ?? 'root'}@${host.ip}`, cmd,
  ];
}

function ssh(host: LabHost, cmd: string, o: SshOpts = {}): SpawnSyncReturns<string> {
  return spawnSync('ssh', sshArgv(host, cmd, o), {
    encoding: 'utf8', input: o.input ?? '', timeout: 30_000, env: o.env ?? process.env,
  });
}

function sshAsync(host: LabHost, cmd: string, o: SshOpts = {}): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn('ssh', sshArgv(host, cmd, o), { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.on('close', (code) => resolve({ code, stdout }));
  });
}

/** ssh -tt, answering each sudo prompt "PW:" with the next of answers. */
function sshTtySudo(host: LabHost, user: string, cmd: string, answers: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ssh', ['-tt', ...sshArgv(host, cmd, { user })], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let prompts = 0;
    const onData = (d: Buffer) => {
      out += d.toString();
      const seen = out.split('PW:').length - 1;
      while (prompts < seen) p.stdin.write(`${answers[prompts++] ?? ''}\n`);
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    const timer = setTimeout(() => p.kill(), 20_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function askpass(secret: string): NodeJS.ProcessEnv {
  const file = path.join(tmp, `askpass-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' '${secret}'\n`, { mode: 0o755 });
  return { ...process.env, SSH_ASKPASS: file, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
}

function keygenFingerprint(pubFile: string): string {
  return spawnSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).stdout.split(' ')[1]!;
}

function liveFingerprint(host: LabHost): string {
  const scan = spawnSync('ssh-keyscan', ['-t', 'ed25519', host.ip], { encoding: 'utf8' }).stdout;
  return spawnSync('ssh-keygen', ['-lf', '-'], { encoding: 'utf8', input: scan }).stdout.split(' ')[1]!;
}

function refused(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port: 22 });
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

/** Pid of the process holding the address lock of ip, null if free. */
function lockOwner(ip: string): number | null {
  try {
    return Number(fs.readFileSync(`${LAB_ROOT}/ips/${ip}/owner`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Nothing answers on ip:22 any more, or it is another lab's host by now (labs may run meanwhile). */
async function closedOrReused(ip: string, pid: number): Promise<boolean> {
  const owner = lockOwner(ip);
  return (await refused(ip)) || (owner !== null && owner !== pid);
}

/** Processes (pid: cmdline) whose root directory is inside dir: the lab hosts' processes. */
function processesRootedIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = fs.readlinkSync(`/proc/${pid}/root`);
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (root.startsWith(dir) || cmd.includes(dir)) found.push(`${pid}: ${cmd}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-test-'));
  const t0 = performance.now();
  lab = await startLab([
    {
      name: 'alpha',
      passwordAuth: true,
      standins: true,
      users: [
        { name: 'admin', password: 'pw-admin', sudo: 'password' },
        { name: 'ops', password: 'pw-ops', sudo: 'nopasswd' },
        { name: 'viewer', password: 'pw-viewer', sudo: 'none' },
      ],
      files: {
        '/etc/lab-seed.conf': 'seeded=1\n',
        '/opt/drydock/secret': { content: 's3cret\n', mode: 0o600 },
        '/var/lib/lab/nomad/jobs': 'build-123 batch 50 running\n',
      },
    },
    { name: 'beta', allowTcpForwarding: false },
  ]);
  console.log(`startLab (2 hosts) took ${Math.round(performance.now() - t0)} ms`);
  alpha = lab.hosts.alpha!;
  beta = lab.hosts.beta!;
});

afterAll(async () => {
  await lab?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('lab hosts', () => {
  it('have their own hostname and loopback address', () => {
    expect(alpha.ip).not.toBe(beta.ip);
    expect(alpha.ip).toMatch(/^127\.0\.77\.\d+$/);
    expect(alpha.port).toBe(22);
    expect(ssh(alpha, 'hostname').stdout.trim()).toBe('alpha');
    expect(ssh(beta, 'hostname; cat /etc/hostname').stdout).toBe('beta\nbeta\n');
    expect(alpha.exec('hostname').stdout.trim()).toBe('alpha');
    // each host resolves the lab's names (sudo needs its own)
    expect(ssh(alpha, 'getent hosts beta').stdout).toContain(beta.ip);
  });

  it('have their own copy-on-write filesystems', () => {
    const marker = `/etc/drydock-lab-marker-${process.pid}`;
    expect(ssh(alpha, `echo from-alpha > ${marker}`).status).toBe(0);
    expect(alpha.readFile(marker)).toBe('from-alpha\n');
    expect(fs.readFileSync(path.join(alpha.root, marker), 'utf8')).toBe('from-alpha\n');
    expect(ssh(beta, `test -e ${marker}`).status).toBe(1);
    expect(beta.readFile(marker)).toBeNull();
    expect(fs.existsSync(marker)).toBe(false); // not on the real machine

    beta.writeFile('/root/note.txt', 'hello beta\n', 0o600);
    expect(ssh(beta, 'cat /root/note.txt; stat -c %a /root/note.txt').stdout).toBe('hello beta\n600\n');
    expect(ssh(alpha, 'test -e /root/note.txt').status).toBe(1);

    // seeded files, with their modes
    expect(ssh(alpha, 'cat /etc/lab-seed.conf; stat -c %a /opt/drydock/secret').stdout).toBe('seeded=1\n600\n');
    // the host sees neither the lab folder nor the real machine's processes
    expect(ssh(alpha, `test -e ${LAB_ROOT}`).status).toBe(1);
    expect(ssh(alpha, 'cat /proc/1/cmdline | tr "\\0" " "').stdout).toContain('sshd');
    // deleting a real file only hides it in that host
    expect(ssh(alpha, 'rm /etc/lab-seed.conf && rm /etc/issue && test ! -e /etc/issue').status).toBe(0);
    expect(alpha.readFile('/etc/issue')).toBeNull();
    expect(beta.readFile('/etc/issue')).toBe(fs.readFileSync('/etc/issue', 'utf8'));
  });

  it('path() follows symlinks inside the host, not on the real machine', () => {
    alpha.exec('ln -sfn /opt/drydock /etc/drydock-link');
    expect(alpha.path('/etc/drydock-link/secret')).toBe(`${alpha.path('/opt/drydock')}/secret`);
    expect(alpha.readFile('/etc/drydock-link/secret')).toBe('s3cret\n');
    expect(alpha.readFile('/var/run/sshd.pid')).toMatch(/^1\n$/); // /var/run -> /run (absolute link)
  });

  it('report the fingerprint ssh-keygen -lf prints, which is the key sshd serves', () => {
    for (const h of [alpha, beta]) {
      expect(h.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(keygenFingerprint(h.hostKeyPub)).toBe(h.fingerprint);
      expect(liveFingerprint(h)).toBe(h.fingerprint);
    }
    expect(alpha.fingerprint).not.toBe(beta.fingerprint);
  });

  it('give PTY sessions with ssh -tt, none without', () => {
    const tty = ssh(alpha, 'tty', { args: ['-tt'] });
    expect(tty.stdout.trim()).toMatch(/^\/dev\/pts\/\d+$/);
    expect(ssh(alpha, 'tty').stdout.trim()).toBe('not a tty');
  });

  it('let a password user sudo with its password, and refuse a wrong one', async () => {
    const ok = ssh(alpha, "sudo -k; echo pw-admin | sudo -S -p '' id -u", { user: 'admin' });
    expect(ok.stdout.trim()).toBe('0');
    expect(ok.status).toBe(0);
    const bad = ssh(alpha, "sudo -k; echo wrong | sudo -S -p '' true", { user: 'admin' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/incorrect password|Sorry, try again/);
    // the interactive way, on a PTY: sudo prompts, the password is typed
    const tty = await sshTtySudo(alpha, 'admin', "sudo -k; sudo -p 'PW:' id -u", ['pw-admin']);
    expect(tty.code).toBe(0);
    expect(tty.out).toMatch(/PW:\s*\r?\n?0\r?\n/);
    const retry = await sshTtySudo(alpha, 'admin', "sudo -k; sudo -p 'PW:' id -u", ['wrong', 'pw-admin']);
    expect(retry.code).toBe(0);
    expect(retry.out).toMatch(/Sorry, try again\.[\s\S]*PW:\s*\r?\n?0\r?\n/);
    // nopasswd and none
    expect(ssh(alpha, 'sudo -n id -u', { user: 'ops' }).stdout.trim()).toBe('0');
    const none = ssh(alpha, 'sudo -n true', { user: 'viewer' });
    expect(none.status).toBe(1);
  });

  it('accept passwords only where passwordAuth is set', () => {
    const noKey = ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=keyboard-interactive,password'];
    const ok = ssh(alpha, 'whoami', { user: 'admin', args: noKey, env: askpass('pw-admin') });
    expect(ok.stdout.trim()).toBe('admin');
    const wrong = ssh(alpha, 'whoami', { user: 'admin', args: [...noKey, '-o', 'NumberOfPasswordPrompts=1'], env: askpass('nope') });
    expect(wrong.status).toBe(255);
    const beta1 = ssh(beta, 'whoami', { args: noKey, env: askpass('x') });
    expect(beta1.status).toBe(255);
    expect(beta1.stderr).toContain('Permission denied (publickey)');
  });

  it('authorize the passphrase-protected client key too', () => {
    const r = ssh(beta, 'whoami', { key: lab.clientKeyEncrypted, env: askpass(lab.clientKeyPassphrase) });
    expect(r.stdout.trim()).toBe('root');
    expect(fs.readFileSync(lab.clientKeyEncrypted, 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(spawnSync('ssh-keygen', ['-y', '-P', '', '-f', lab.clientKeyEncrypted]).status).not.toBe(0);
  });

  it('serve sftp', () => {
    const local = path.join(tmp, 'upload.txt');
    fs.writeFileSync(local, 'via sftp\n');
    const r = spawnSync('sftp', [...baseArgs(lab.clientKey), '-b', '-', `root@${beta.ip}`], {
      encoding: 'utf8', input: `put ${local} /root/upload.txt\nget /etc/hostname ${tmp}/hostname\n`,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(beta.readFile('/root/upload.txt')).toBe('via sftp\n');
    expect(fs.readFileSync(`${tmp}/hostname`, 'utf8')).toBe('beta\n');
  });

  it('forward TCP only where allowTcpForwarding is on (bastion use)', () => {
    const via = (bastion: LabHost) => ['-o', `ProxyCommand=ssh ${baseArgs(lab.clientKey).join(' ')} -o BatchMode=yes -W %h:%p root@${bastion.ip}`];
    expect(ssh(beta, 'hostname', { args: via(alpha) }).stdout.trim()).toBe('beta');
    const blocked = ssh(alpha, 'hostname', { args: via(beta) });
    expect(blocked.status).toBe(255);
  });

  it('take many parallel sessions', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => sshAsync(i % 2 ? alpha : beta, 'hostname')));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 24 }, (_, i) => (i % 2 ? 'alpha' : 'beta')));
  });

  it('exec() runs as root inside the host, with stdin and exit code', () => {
    const r = alpha.exec('cat; id -un; hostname; echo err >&2; exit 3', { input: 'in\n' });
    expect(r).toEqual({ code: 3, stdout: 'in\nroot\nalpha\n', stderr: 'err\n' });
  });
});

describe('CircleCI stand-ins', () => {
  const run = (cmd: string, user = 'root') => ssh(alpha, cmd, { user });
  const inspect = () => JSON.parse(run('replicatedctl app status inspect').stdout)[0];

  it('replicatedctl app stop/start go through stopping/starting', async () => {
    const settle = async (state: string) => {
      for (let i = 0; i < 100 && inspect().State !== state; i++) await sleep(100);
      return inspect();
    };
    expect(inspect()).toEqual({ AppID: 'lab', Sequence: 1, State: 'started', DesiredState: 'started', Error: '', IsTransitioning: false });
    alpha.writeFile('/var/lib/lab/replicated/transition-ms', '2500\n'); // default 1000; slower here for a loaded CI
    let t0 = Date.now();
    expect(run('replicatedctl app stop').status).toBe(0);
    expect(inspect()).toMatchObject({ State: 'stopping', DesiredState: 'stopped', IsTransitioning: true });
    expect(await settle('stopped')).toMatchObject({ State: 'stopped', DesiredState: 'stopped', IsTransitioning: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_500);
    expect(run('replicatedctl app status').stdout).toContain('State: stopped');
    t0 = Date.now();
    expect(run('replicatedctl app start').status).toBe(0);
    expect(inspect()).toMatchObject({ State: 'starting', DesiredState: 'started', IsTransitioning: true });
    expect(await settle('started')).toMatchObject({ State: 'started', IsTransitioning: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_500);
    alpha.exec('rm /var/lib/lab/replicated/transition-ms');
    expect(run('replicatedctl version').stdout.trim()).toBe('2.38.6');
    const bad = run('replicatedctl app explode');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('Usage');
  });

  it('replicatedctl needs root, and fails on purpose when asked to', () => {
    const plain = run('replicatedctl app status inspect', 'ops');
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('permission denied');
    expect(run('sudo replicatedctl app status inspect', 'ops').status).toBe(0);

    alpha.writeFile('/var/lib/lab/fail/replicatedctl', 'Error: replicated is wedged\n');
    const failed = run('replicatedctl app status inspect');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe('Error: replicated is wedged\n');
    alpha.exec('rm /var/lib/lab/fail/replicatedctl');
    expect(run('replicatedctl app status inspect').status).toBe(0);
    expect(alpha.readFile('/var/log/lab/calls.log')).toContain('replicatedctl app status inspect\n');
  });

  it('replicatedctl app-config set/export keeps values and checks base64', () => {
    const b64 = Buffer.from('-----BEGIN CERTIFICATE-----\nabc\n').toString('base64');
    expect(run(`replicatedctl app-config set ssl_cert --value fullchain.pem --data ${b64}`).status).toBe(0);
    expect(run('replicatedctl app-config set hostname --value ci.example.test').status).toBe(0);
    const bad = run('replicatedctl app-config set ssl_private_key --value k.pem --data "not base64!"');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('base64');
    // Every item of the config screen is exported; those never set have "" (their default applies).
    const exported = JSON.parse(run('replicatedctl app-config export --hidden').stdout) as Record<string, { value: string; data?: string }>;
    expect(exported).toMatchObject({ hostname: { value: 'ci.example.test' }, ssl_cert: { value: 'fullchain.pem', data: b64 } });
    const others = Object.entries(exported).filter(([n]) => n !== 'hostname' && n !== 'ssl_cert');
    expect(others.length).toBeGreaterThan(10);
    expect(others.filter(([, v]) => v.value !== '' || v.data !== undefined)).toEqual([]);
    expect(alpha.readFile('/var/lib/lab/replicated/app-config/ssl_cert.data')).toBe(b64);
  });

  it('replicatedctl app-config import reads the whole config from stdin, refuses bad input untouched', () => {
    const b64 = Buffer.from('key').toString('base64');
    const before = run('replicatedctl app-config export --hidden').stdout;
    const bad = alpha.exec('printf %s \'{"ssl_private_key":{"data":"not base64!"}}\' | replicatedctl app-config import');
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('base64');
    expect(alpha.exec('printf %s \'[1]\' | replicatedctl app-config import').code).toBe(1);
    expect(run('replicatedctl app-config export --hidden').stdout).toBe(before);
    alpha.writeFile('/root/cfg.json', JSON.stringify({ hostname: { value: 'ci.example.test' }, ssl_private_key: { value: 'privkey.pem', data: b64 } }), 0o600);
    expect(alpha.exec('replicatedctl app-config import < /root/cfg.json').code).toBe(0);
    // The harsher reading of the undocumented semantics: the import is the whole config.
    // (export lists every item of the config screen: those the import did not name are back to empty.)
    const after = JSON.parse(run('replicatedctl app-config export --hidden').stdout) as Record<string, { value: string; data?: string }>;
    expect(after.hostname).toEqual({ value: 'ci.example.test' });
    expect(after.ssl_private_key).toEqual({ value: 'privkey.pem', data: b64 });
    const others = Object.entries(after).filter(([name]) => name !== 'hostname' && name !== 'ssl_private_key');
    expect(others.length).toBeGreaterThan(0);
    for (const [name, item] of others) expect(item, name).toEqual({ value: '' });
    expect(alpha.readFile('/var/log/lab/calls.log')).toContain('replicatedctl app-config import\n');
  });

  it('replicated console cert set checks the PEM files (key first)', () => {
    const gen = alpha.exec(
      'cd /root && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 1 -subj /CN=ci.example.test 2>&1',
    );
    expect(gen.code, gen.stdout).toBe(0);
    expect(run('replicated console cert set ci.example.test /root/c.pem /root/k.pem').status).toBe(1);
    expect(run('replicated console cert set ci.example.test /root/k.pem /root/missing.pem').status).toBe(1);
    expect(run('replicated console cert set ci.example.test /root/k.pem /root/c.pem').status).toBe(0);
    expect(alpha.readFile('/var/lib/lab/replicated/console.hostname')).toBe('ci.example.test\n');
    expect(alpha.readFile('/var/lib/lab/replicated/console.crt')).toBe(alpha.readFile('/root/c.pem'));
    expect(run('replicated auth reset').stdout).toContain('reset');
  });

  it('systemctl/service record state changes in order', () => {
    alpha.writeFile('/var/log/lab/units.log', '');
    const seq = [
      'service replicated-ui stop', 'systemctl stop replicated replicated-operator',
      'systemctl start replicated-ui.service', 'service replicated-operator start', 'systemctl restart replicated',
    ];
    for (const c of seq) expect(run(c).status, c).toBe(0);
    expect(alpha.readFile('/var/log/lab/units.log')).toBe(
      'stop replicated-ui\nstop replicated\nstop replicated-operator\nstart replicated-ui\nstart replicated-operator\nrestart replicated\n',
    );
    expect(run('systemctl stop docker').status).toBe(0);
    const st = run('systemctl is-active docker');
    expect([st.status, st.stdout]).toEqual([3, 'inactive\n']);
    expect(run('docker ps').stderr).toContain('Is the docker daemon running?');
    expect(run('service docker start').status).toBe(0);
    expect(run('systemctl status docker').stdout).toContain('Active: active (running)');
    const unknown = run('systemctl restart mysql');
    expect(unknown.status).toBe(5);
    expect(unknown.stderr).toContain('Unit mysql.service not found');
    expect(run('systemctl stop docker', 'ops').stderr).toContain('Interactive authentication required');
  });

  it('systemctl show --property=Environment reflects the last daemon-reload', () => {
    alpha.writeFile('/etc/systemd/system/docker.service.d/http-proxy.conf',
      '[Service]\nEnvironment="HTTP_PROXY=http://10.0.0.33:3128" "NO_PROXY=localhost,127.0.0.1"\n');
    expect(run('systemctl show --property=Environment docker').stdout).toBe('Environment=\n');
    expect(run('systemctl daemon-reload && systemctl restart docker').status).toBe(0);
    expect(run('systemctl show --property=Environment docker').stdout)
      .toBe('Environment=HTTP_PROXY=http://10.0.0.33:3128 NO_PROXY=localhost,127.0.0.1\n');
    expect(alpha.readFile('/var/log/lab/units.log')).toMatch(/daemon-reload\nrestart docker\n$/);
  });

  it('docker and nomad show the Services machine', () => {
    expect(run("docker ps --format '{{.Names}}'").stdout.trim().split('\n')).toEqual(SERVICES_CONTAINERS);
    expect(run('docker --version').stdout.trim()).toBe('Docker version 18.09.9, build 039a7df');
    const nodes = run('docker exec nomad nomad node-status').stdout.split('\n');
    expect(nodes[0]).toMatch(/^ID\s+DC\s+Name\s+Class\s+Drain\s+Eligibility\s+Status$/);
    expect(nodes[1]).toMatch(/^\w+\s+default\s+nomad-client-1\s+linux-64bit\s+false\s+eligible\s+ready$/);
    expect(run('nomad node status').stdout).toBe(run('nomad node-status').stdout);
    expect(run('nomad version').stdout.trim()).toBe('Nomad v0.9.3');
    expect(run('nomad status').stdout).toMatch(/^ID\s+Type\s+Priority\s+Status\s+Submit Date\nbuild-123\s+batch\s+50\s+running/);
    alpha.writeFile('/var/lib/lab/nomad/jobs', '');
    expect(run('nomad status').stdout).toBe('No running jobs\n');
    expect(run('docker exec -t nomad nomad node-status').stderr).toContain('not a TTY');
    expect(run('docker exec mongo mongo').status).toBe(126);
  });
});

describe('lab lifecycle', () => {
  it('stop() kills every session of a host and keeps its files; start() brings it back', async () => {
    const marker = '/root/survives-restart';
    alpha.writeFile(marker, 'still here\n');
    const fp = alpha.fingerprint;
    // a file of the machine's own /root, which the host's fresh /root does not have
    alpha.exec('rm -f /etc/issue');
    const inHostRoot = alpha.exec('ls -A /root').stdout.split('\n');
    const machineOnly = fs.readdirSync('/root', { withFileTypes: true })
      .find((e) => e.isFile() && !inHostRoot.includes(e.name))?.name;
    const session = sshAsync(alpha, 'sleep 31415; echo never');
    const sleeping = () => processesRootedIn(alpha.root.replace(/upper$/, 'merged')).some((p) => p.includes('sleep 31415'));
    for (let i = 0; i < 250 && !sleeping(); i++) await sleep(20);
    expect(sleeping()).toBe(true);

    await alpha.stop();
    expect(alpha.running).toBe(false);
    expect((await session).stdout).toBe(''); // connection dropped
    expect(processesRootedIn(alpha.root.replace(/upper$/, ''))).toEqual([]);
    expect(await refused(alpha.ip)).toBe(true);
    expect(alpha.readFile(marker)).toBe('still here\n'); // readable while stopped
    expect(alpha.readFile('/etc/hostname')).toBe('alpha\n');
    expect(alpha.readFile('/etc/issue')).toBeNull(); // deleted in the host
    expect(alpha.readFile('/etc/debian_version')).toBe(fs.readFileSync('/etc/debian_version', 'utf8'));
    expect(alpha.readFile('/root/.profile')).not.toBeNull();
    if (machineOnly) expect(alpha.readFile(`/root/${machineOnly}`)).toBeNull();
    expect(() => alpha.exec('true')).toThrow(/not running/);
    expect(ssh(beta, 'hostname').stdout.trim()).toBe('beta'); // the other host is untouched

    await alpha.start();
    expect(ssh(alpha, `cat ${marker}; hostname`).stdout).toBe('still here\nalpha\n');
    expect(alpha.fingerprint).toBe(fp);
    expect(liveFingerprint(alpha)).toBe(fp);
    expect(ssh(alpha, 'id -un', { user: 'admin' }).stdout.trim()).toBe('admin'); // users kept
  });

  it('replaceHostKey() changes the key sshd serves (MITM simulation)', async () => {
    const old = beta.fingerprint;
    const known = path.join(tmp, 'known_hosts');
    fs.writeFileSync(known, spawnSync('ssh-keyscan', ['-t', 'ed25519', beta.ip], { encoding: 'utf8' }).stdout);
    const strict = ['-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes'];
    expect(ssh(beta, 'true', { args: strict }).status).toBe(0);

    await beta.replaceHostKey();
    expect(beta.fingerprint).not.toBe(old);
    expect(keygenFingerprint(beta.hostKeyPub)).toBe(beta.fingerprint);
    expect(liveFingerprint(beta)).toBe(beta.fingerprint);
    const mitm = ssh(beta, 'true', { args: strict });
    expect(mitm.status).toBe(255);
    expect(mitm.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('two labs at once get different addresses', async () => {
    const other = await startLab([{ name: 'gamma' }]);
    try {
      expect([alpha.ip, beta.ip]).not.toContain(other.hosts.gamma!.ip);
      expect(ssh(other.hosts.gamma!, 'hostname', { key: other.clientKey }).stdout.trim()).toBe('gamma');
      expect(ssh(other.hosts.gamma!, 'true').status).toBe(255); // our key is not authorized there
    } finally {
      await other.stop();
    }
  });

  it('an aborted run (SIGTERM, SIGKILL) leaves no host running; cleanup.sh removes the rest', async () => {
    // the lab, in a plain Node process of its own
    const bundle = path.join(tmp, 'lab.cjs');
    buildSync({
      entryPoints: [LAB_TS], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error',
      define: { __dirname: JSON.stringify(path.dirname(LAB_TS)) },
    });
    const script = path.join(tmp, 'orphan.mjs');
    fs.writeFileSync(script, `import labModule from ${JSON.stringify(bundle)};
const lab = await labModule.startLab([{ name: 'orphan' }]);
console.log(JSON.stringify({ dir: lab.dir, ip: lab.hosts.orphan.ip }));
setInterval(() => {}, 1000);\n`);
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const info = await new Promise<{ dir: string; ip: string }>((resolve) => {
        let buf = '';
        child.stdout.on('data', (d) => {
          buf += d;
          if (buf.includes('\n')) resolve(JSON.parse(buf));
        });
      });
      expect(await refused(info.ip)).toBe(false);
      const gone = new Promise((r) => child.on('exit', r));
      child.kill(sig);
      await gone;
      for (let i = 0; i < 100 && processesRootedIn(info.dir).length; i++) await sleep(20);
      expect(processesRootedIn(info.dir), sig).toEqual([]);
      expect(await closedOrReused(info.ip, child.pid!)).toBe(true);
      if (sig === 'SIGTERM') expect(fs.existsSync(info.dir)).toBe(false);
      else {
        expect(fs.existsSync(info.dir)).toBe(true); // nobody left to remove it ...
        const c = spawnSync('bash', [CLEANUP], { encoding: 'utf8' });
        expect(c.status, c.stderr).toBe(0);
        expect(fs.existsSync(info.dir)).toBe(false); // ... until cleanup.sh
        expect(lockOwner(info.ip)).not.toBe(child.pid);
      }
    }
    expect(fs.existsSync(lab.dir)).toBe(true); // cleanup.sh left our live lab alone
  });

  it('stop() leaves nothing running or mounted', async () => {
    const dir = lab.dir;
    expect(processesRootedIn(dir).length).toBeGreaterThan(0);
    await lab.stop();
    expect(processesRootedIn(dir)).toEqual([]);
    expect(mountsUnder(dir)).toEqual([]); // in every mount namespace
    expect(fs.readFileSync('/proc/mounts', 'utf8')).not.toContain(LAB_ROOT);
    expect(fs.existsSync(dir)).toBe(false);
    for (const h of [alpha, beta]) {
      expect(await closedOrReused(h.ip, process.pid)).toBe(true);
      expect(lockOwner(h.ip)).not.toBe(process.pid);
    }
  });
});
