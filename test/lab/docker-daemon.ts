// A real Docker daemon for the lab (recipe: shared/reference/test-lab.md,
// "Docker (real daemon, no registry)"): Debian's dockerd with every network
// feature off, its data-root, exec-root, socket and pidfile in its own temp
// folder, and its own cgroup parent, so several daemons (other test files,
// other checkouts) run side by side without touching the machine's default
// Docker paths. One image, imported from a local rootfs (no registry): busybox
// plus bash, so the lab's nomad stand-in can run inside the `nomad` container
// the way `docker exec nomad nomad …` reaches Nomad on a Services machine.
// Needs root and the Debian packages docker.io and busybox-static.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERVICES_CONTAINERS } from './lab';

export const LAB_IMAGE = 'drydock-lab/services:1';
// The compiled copy the demo runs (dist/test/lab) uses the scripts of this very folder, as lab.ts does.
const HERE = process.env.DRYDOCK_LAB_SOURCE
  ?? (fs.existsSync(path.join(__dirname, 'standins')) ? __dirname : path.resolve(__dirname, '..', '..', '..', 'test', 'lab'));

export interface DockerDaemon {
  dir: string;
  /** Folder holding docker.sock: give it to a lab host as `docker: { socketDir }`. */
  socketDir: string;
  /** Runs the real client against this daemon; throws on a non-zero exit. */
  docker(...args: string[]): string;
  /** Same, returning the exit code and output instead of throwing. */
  tryDocker(...args: string[]): { code: number; stdout: string; stderr: string };
  /** Folder bind-mounted as /var/lib/lab in the `nomad` container: the nomad stand-in's state. */
  nomadState: string;
  stop(): Promise<void>;
}

/** Long-running containers as on a Services machine; endpoints answer on `endpointIp` (the lab host's address). */
export interface ServicesContainersOptions {
  endpointIp: string;
  /** Container names (default: the lab's Services list plus the table's others). */
  names?: string[];
}

/** What the guide's table adds to `docker ps` as admin-commands.md §6 lists it. */
export const EXTRA_SERVICES = ['fileserved', 'shutdown-hook-poller', 'logrotate'];
/** Start-up one-shots: run, exit 0, stay listed. */
export const ONE_SHOTS = [
  'contexts-service-migrator', 'cron-service-migrator', 'domain-service-migrator', 'federations-service-migrator',
  'permissions-service-migrator', 'workflows-conductor-migrator', 'vm-service-db-migrator', 'mongodb-upgrader',
];

/** Ports of the guide's health endpoints (admin-commands.md §6). */
const ENDPOINT_PORTS: Record<string, number> = {
  frontend: 80, 'api-service': 8082, 'workflows-conductor': 9999, 'federations-service': 8090, 'permissions-service': 3013,
  'contexts-service': 3011, 'domain-service': 3014, 'cron-service': 4261, 'vm-service': 3001,
};

const LOOP = 'trap "exit 0" TERM; while :; do sleep 1; done';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Copy a binary and the shared libraries it needs into rootfs R. */
function copyWithLibs(bin: string, root: string): void {
  const files = [bin];
  const ldd = spawnSync('ldd', [bin], { encoding: 'utf8' });
  for (const m of ldd.stdout.matchAll(/(\/\S+\.so[^\s]*)/g)) files.push(m[1]);
  for (const f of files) {
    const real = fs.realpathSync(f);
    fs.mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
    fs.copyFileSync(real, path.join(root, f));
    fs.chmodSync(path.join(root, f), 0o755);
  }
}

function buildRootfs(root: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'www', 'usr/local/bin', 'usr/local/lib/lab', 'var/lib/lab', 'var/log/lab']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  const applets = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') fs.symlinkSync('busybox', path.join(root, 'bin', a));
  copyWithLibs('/bin/bash', root);
  // The nomad stand-in, so `docker exec nomad nomad …` answers as the real one does.
  fs.copyFileSync(path.join(HERE, 'standins/nomad'), path.join(root, 'usr/local/bin/nomad'));
  fs.chmodSync(path.join(root, 'usr/local/bin/nomad'), 0o755);
  fs.copyFileSync(path.join(HERE, 'standins/standin-lib.sh'), path.join(root, 'usr/local/lib/lab/standin-lib.sh'));
  for (const f of ['health-check', 'status', 'healthcheck']) fs.writeFileSync(path.join(root, 'www', f), 'ok\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\n');
}

export async function startDockerDaemon(): Promise<DockerDaemon> {
  if (process.getuid?.() !== 0) throw new Error('docker lab: needs root');
  if (!fs.existsSync('/usr/sbin/dockerd')) throw new Error('docker lab: install the Debian packages docker.io and busybox-static');
  const dir = fs.mkdtempSync('/tmp/drydock-dk-');
  const socketDir = path.join(dir, 'sock');
  const nomadState = path.join(dir, 'nomad-state');
  for (const d of ['data', 'exec', 'sock', 'rootfs', 'nomad-state/nomad', 'nomad-state/fail']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(nomadState, 'nomad/jobs'), '');
  fs.writeFileSync(path.join(nomadState, 'nomad/nodes'), '');
  const cgroupParent = `drydock-${path.basename(dir)}`;
  const host = `unix://${socketDir}/docker.sock`;
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const proc: ChildProcess = spawn('setpriv', ['--pdeathsig', 'TERM', 'dockerd',
    '--iptables=false', '--ip-masq=false', '--ip-forward=false', '--bridge=none', '--storage-driver=overlay2',
    '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '-H', host,
    '--pidfile', path.join(dir, 'exec/dockerd.pid'), '--cgroup-parent', cgroupParent], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = false;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => {
    exited = true;
    resolve();
  }));
  const tryDocker = (...args: string[]) => {
    const r = spawnSync('/usr/bin/docker', ['-H', host, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  };
  const docker = (...args: string[]) => {
    const r = tryDocker(...args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const stop = async () => {
    if (!exited) {
      const ids = tryDocker('ps', '-aq').stdout.split('\n').filter(Boolean);
      if (ids.length) tryDocker('rm', '-f', ...ids);
      proc.kill('SIGTERM');
      await Promise.race([gone, sleep(15_000)]);
      if (!exited) proc.kill('SIGKILL');
      await gone;
    }
    // Its own cgroup folders only (rmdir: never a folder still in use).
    for (const hier of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
      const p = `/sys/fs/cgroup/${hier}/${cgroupParent}`;
      try {
        fs.rmdirSync(p);
      } catch {
        /* absent, or not a hierarchy */
      }
    }
    // What dockerd leaves mounted in its own folders (netns, overlay layers): deepest first.
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1])
      .filter((mp): mp is string => !!mp && mp.startsWith(dir + '/')).sort((a, b) => b.length - a.length);
    for (const mp of mounts) spawnSync('umount', ['-l', mp]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    while (tryDocker('version', '--format', '{{.Server.Version}}').code !== 0) {
      if (exited) throw new Error(`dockerd exited: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error('dockerd did not answer within 30 s');
      await sleep(100);
    }
    buildRootfs(path.join(dir, 'rootfs'));
    const tar = spawnSync('tar', ['-C', path.join(dir, 'rootfs'), '-c', '.'], { maxBuffer: 256 * 1024 * 1024 });
    const imp = spawnSync('/usr/bin/docker', ['-H', host, 'import', '-c', 'CMD ["/bin/sh"]', '-', LAB_IMAGE], { input: tar.stdout, encoding: 'utf8' });
    if (imp.status !== 0) throw new Error(`docker import: ${imp.stderr}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, socketDir, docker, tryDocker, nomadState, stop };
}

/**
 * The Services machine's containers: long-running ones (endpoint services
 * serve the guide's health paths with busybox httpd on the host's address),
 * `nomad` with the nomad stand-in and its state folder, and the start-up
 * one-shots exited 0.
 */
export function runServicesContainers(d: DockerDaemon, o: ServicesContainersOptions): void {
  const names = o.names ?? [...SERVICES_CONTAINERS, ...EXTRA_SERVICES];
  for (const name of names) {
    const port = ENDPOINT_PORTS[name];
    if (port) {
      d.docker('run', '-d', '--name', name, '--network', 'host', LAB_IMAGE, '/bin/sh', '-c', `httpd -p ${o.endpointIp}:${port} -h /www; ${LOOP}`);
    } else if (name === 'nomad') {
      d.docker('run', '-d', '--name', name, '--network', 'none', '-e', 'LAB_NOMAD_IN_CONTAINER=1', '-v', `${d.nomadState}:/var/lib/lab`,
        LAB_IMAGE, '/bin/sh', '-c', LOOP);
    } else {
      d.docker('run', '-d', '--name', name, '--network', 'none', LAB_IMAGE, '/bin/sh', '-c', LOOP);
    }
  }
  for (const name of ONE_SHOTS) d.docker('run', '--name', name, '--network', 'none', LAB_IMAGE, '/bin/true');
}

/** What the nomad stand-in in the `nomad` container reports (lines as in test/lab/README.md). */
export function setNomadState(d: DockerDaemon, nodes: string[], jobs: string[]): void {
  fs.writeFileSync(path.join(d.nomadState, 'nomad/nodes'), nodes.join('\n') + '\n');
  fs.writeFileSync(path.join(d.nomadState, 'nomad/jobs'), jobs.join('\n') + (jobs.length ? '\n' : ''));
}
