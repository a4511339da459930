/**
 * A real libvirtd with QEMU (TCG) for the libvirt backup tests, reached over
 * SSH through a lab host acting as the hypervisor. The daemon is an
 * unprivileged session daemon run as `nobody` in a folder of its own
 * (test-lab.md's recipe); the folder is bind-mounted into the lab host at the
 * same path, because a socket reached through the host's overlay accepts no
 * connection and the overlay files the daemon writes must be the real ones.
 * Domains are tiny (32 MiB, no OS) and destroyed at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabHost } from '../lab/lab';

const NOBODY = 65534;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Libvirt {
  dir: string;
  /** A second images folder, root's and closed to others (mode 0755), as a spare's pool folder must be; the daemon (nobody) cannot create files in it, so no live backup there. */
  rootPool: string;
  uri: string;
  virsh(...args: string[]): string;
  /** A 32 MiB domain with one qcow2 disk (vda, 64 MiB unless told), optionally filled with a pattern first; defined and started. */
  createDomain(name: string, options?: { diskMiB?: number; fillMiB?: number; folder?: string }): { image: string };
  /** Write a byte pattern through QEMU's own block layer (the domain has no OS). */
  write(domain: string, pattern: number, offset: number, length: string): void;
  /** Make the folder visible at the same path inside a lab host. */
  bindInto(host: LabHost): void;
  stop(): Promise<void>;
}

export async function startLibvirt(): Promise<Libvirt> {
  const dir = mkdtempSync('/var/tmp/drydock-libvirt-');
  const lv = path.join(dir, 'lv');
  const images = path.join(dir, 'images');
  for (const d of [lv, path.join(lv, 'run'), images]) mkdirSync(d, { recursive: true });
  chmodSync(dir, 0o711);
  for (const d of [lv, path.join(lv, 'run'), images]) chownSync(d, NOBODY, NOBODY);
  chmodSync(path.join(lv, 'run'), 0o700);
  const rootPool = path.join(dir, 'pool');
  mkdirSync(rootPool, { mode: 0o755 });
  chmodSync(rootPool, 0o755);
  const daemon = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'env', `HOME=${lv}`, `XDG_CONFIG_HOME=${lv}/config`, `XDG_RUNTIME_DIR=${lv}/run`, `XDG_CACHE_HOME=${lv}/cache`, `XDG_DATA_HOME=${lv}/data`, '/usr/sbin/libvirtd'], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const socket = path.join(lv, 'run/libvirt/libvirt-sock');
  const uri = `qemu+unix:///session?socket=${socket}`;
  const virsh = (...args: string[]) => execFileSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8' });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await sleep(50);
  for (let i = 0; i < 100; i++) {
    try {
      virsh('list', '--all');
      break;
    } catch {
      await sleep(100);
    }
  }
  const domains: string[] = [];
  return {
    dir,
    rootPool,
    uri,
    virsh,
    createDomain(name, options = {}) {
      const image = path.join(options.folder ?? images, `${name}.qcow2`);
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, `${options.diskMiB ?? 64}M`]);
      if (options.fillMiB) execFileSync('qemu-io', ['-c', `write -P 0x5a 0 ${options.fillMiB}M`, image], { stdio: 'ignore' });
      chownSync(image, NOBODY, NOBODY);
      const xml = path.join(dir, `${name}.xml`);
      writeFileSync(
        xml,
        `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>` +
          `<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${image}'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
      );
      virsh('define', xml);
      virsh('start', name);
      domains.push(name);
      return { image };
    },
    write(domain, pattern, offset, length) {
      const out = virsh('qemu-monitor-command', domain, '--hmp', `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "write -P 0x${pattern.toString(16)} ${offset} ${length}"`);
      if (/error|fail/i.test(out)) throw new Error(`qemu-io write: ${out}`);
    },
    bindInto(host) {
      const pid = /^\/proc\/(\d+)\/root/.exec(host.path('/'))![1];
      const merged = path.join(path.dirname(host.root), 'merged');
      execFileSync('nsenter', ['-t', pid, '-m', '--', 'sh', '-c', `mkdir -p '${merged}${dir}' && mount --bind '${dir}' '${merged}${dir}'`]);
    },
    async stop() {
      for (const d of domains) {
        try {
          virsh('destroy', d);
        } catch {
          /* already off */
        }
      }
      const logd = path.join(lv, 'run/libvirt/virtlogd.pid');
      const logdPid = existsSync(logd) ? Number(readFileSync(logd, 'utf8').trim()) : 0;
      daemon.kill('SIGTERM');
      await new Promise((r) => (daemon.exitCode !== null ? r(null) : daemon.once('exit', r)));
      if (logdPid) {
        try {
          process.kill(logdPid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
