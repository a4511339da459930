/**
 * A real *system* libvirtd (qemu:///system, root) for what the session daemon
 * of libvirt-fixture.ts cannot do: network filters ("Can't define NWFilters
 * in session mode"). So that it touches nothing of this machine's (other
 * helpers' labs, Docker's firewall), it runs in namespaces of its own:
 *
 * - mount: tmpfs over /run, /var/lib, /var/cache, /var/log, its own
 *   /etc/libvirt (qemu.conf: QEMU as root, no dynamic ownership, no security
 *   driver, logs to files instead of virtlogd), and /etc/passwd + /etc/group
 *   with a `libvirt-qemu` user (the daemon resolves that name at start; Debian's
 *   libvirt-daemon-system would create it);
 * - network: only `lo` and the bridge `ddbr0`, so the ebtables/iptables rules
 *   nwfilter writes when a domain starts are this daemon's alone (read them
 *   with `inNetns`);
 * - pid: the daemon is pid 1 there; when it stops, every QEMU it started goes.
 *
 * Its socket lives in the fixture's folder (libvirtd.conf unix_sock_dir),
 * which is bind-mounted into lab hosts at the same path, as libvirt-fixture does.
 * Needs root, util-linux `unshare`, iproute2, iptables (ebtables), libvirt-daemon (nwfilter driver), qemu-system-x86.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { LabHost } from '../lab/lab';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SystemLibvirt {
  dir: string;
  uri: string;
  virsh(...args: string[]): string;
  /** Define (not start) a diskless 32 MiB domain with these <interface> elements. */
  defineDomain(name: string, interfaces: string[]): void;
  /** Define from XML text (a network, a filter…): `virsh <command> <file>`. */
  defineFrom(command: 'net-define' | 'nwfilter-define' | 'nwfilter-binding-create' | 'update-device', xml: string, ...extra: string[]): string;
  /** A process in the daemon's namespaces (for nsenter). */
  nsPid: number;
  /** A command in the daemon's network namespace (iptables-save, ebtables…). */
  inNetns(...cmd: string[]): string;
  bindInto(host: LabHost): void;
  stop(): Promise<void>;
}

export async function startSystemLibvirt(): Promise<SystemLibvirt> {
  const dir = mkdtempSync('/var/tmp/drydock-libvirt-sys-');
  chmodSync(dir, 0o711);
  for (const d of ['etc', 'sock']) mkdirSync(path.join(dir, d));
  const conf = path.join(dir, 'libvirtd.conf');
  writeFileSync(conf, `unix_sock_dir = "${dir}/sock"\nunix_sock_rw_perms = "0700"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n`);
  writeFileSync(path.join(dir, 'etc/qemu.conf'), 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nsecurity_driver = "none"\nstdio_handler = "file"\n');
  writeFileSync(path.join(dir, 'passwd'), readFileSync('/etc/passwd', 'utf8') + 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/nonexistent:/usr/sbin/nologin\n');
  writeFileSync(path.join(dir, 'group'), readFileSync('/etc/group', 'utf8') + 'libvirt-qemu:x:64055:\nkvm:x:64056:\n');
  writeFileSync(
    path.join(dir, 'start.sh'),
    [
      'set -e',
      ...['/run', '/var/lib', '/var/cache', '/var/log'].map((d) => `mount -t tmpfs tmpfs ${d}`),
      `mount --bind ${dir}/etc /etc/libvirt`,
      `mount --bind ${dir}/passwd /etc/passwd`,
      `mount --bind ${dir}/group /etc/group`,
      'ip link set lo up',
      'ip link add ddbr0 type bridge',
      'ip link set ddbr0 up',
      // sh stays pid 1 and reaps: QEMU's capability probe daemonizes, and its orphan would stay a zombie under libvirtd, which waits for it to go.
      `/usr/sbin/libvirtd -f ${conf} &`,
      'wait',
      '',
    ].join('\n'),
  );
  const log = path.join(dir, 'libvirtd.log');
  const daemon = spawn('sh', ['-c', `exec unshare --mount --net --pid --fork --kill-child=SIGTERM --mount-proc --propagation private -- sh ${dir}/start.sh >${log} 2>&1`], { stdio: 'ignore' });
  const uri = `qemu+unix:///system?socket=${dir}/sock/libvirt-sock`;
  const virsh = (...args: string[]) => execFileSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8' });
  let ready = false;
  for (let i = 0; i < 200 && !ready; i++) {
    try {
      virsh('nwfilter-list');
      ready = true;
    } catch {
      await sleep(100);
    }
  }
  if (!ready) throw new Error(`system libvirtd did not answer: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no log'}`);
  /** unshare's child (sh, pid 1 of the namespaces) and its child libvirtd. */
  const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const init = childrenOf(daemon.pid!)[0];
  const libvirtd = childrenOf(init).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/usr/sbin/libvirtd'))!;
  // The QEMU capability probe, once (slow under TCG): tests then define domains at once.
  virsh('domcapabilities', '--virttype', 'qemu', '--arch', 'x86_64');
  let n = 0;
  return {
    dir,
    uri,
    virsh,
    nsPid: init,
    defineDomain(name, interfaces) {
      const file = path.join(dir, `${name}.xml`);
      writeFileSync(file, `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${interfaces.join('')}</devices></domain>`);
      virsh('define', file);
    },
    defineFrom(command, xml, ...extra) {
      const file = path.join(dir, `def-${n++}.xml`);
      writeFileSync(file, xml);
      return command === 'update-device' ? virsh(command, extra[0], file, ...extra.slice(1)) : virsh(command, file, ...extra);
    },
    inNetns(...cmd) {
      return execFileSync('nsenter', ['-t', String(init), '-n', '--', ...cmd], { encoding: 'utf8' });
    },
    bindInto(host) {
      const pid = /^\/proc\/(\d+)\/root/.exec(host.path('/'))![1];
      const merged = path.join(path.dirname(host.root), 'merged');
      execFileSync('nsenter', ['-t', pid, '-m', '--', 'sh', '-c', `mkdir -p '${merged}${dir}' && mount --bind '${dir}' '${merged}${dir}'`]);
    },
    async stop() {
      // SIGTERM to the daemon: sh (pid 1 inside) then ends, and with it, by the kernel, every process of the namespace (QEMU too).
      try {
        process.kill(libvirtd, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 100 && daemon.exitCode === null && daemon.signalCode === null; i++) await sleep(100);
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
