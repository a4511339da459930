/**
 * What the practice installation needs before it starts anything: root (the
 * lab's hosts are namespaces with overlay mounts), the Debian packages the lab
 * and its services run, and an ordinary account to run the GUI as.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Debian packages the practice installation runs (hosts, stand-ins, Pebble, the GHE TLS endpoint, certbot on the hosts). */
export const DEMO_PACKAGES = [
  'openssh-server', 'openssh-client', 'sudo', 'jq', 'openssl', 'util-linux', 'passwd', 'procps', 'iproute2',
  'pebble', 'certbot', 'dnsutils', 'curl', 'ca-certificates',
];

export class DemoExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function requireRoot(uid = process.getuid?.()): void {
  if (uid !== 0) {
    throw new DemoExit(2, 'drydock demo: run it with sudo: its hosts are Linux namespaces with overlay mounts and their own sshd, which only root can start (the app itself then runs as you).');
  }
}

/** True if dpkg has the package installed (not merely known or half-configured). */
export function dpkgInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /\binstall ok installed\b/.test(r.stdout);
}

/** The message for missing packages, with the one command that installs them; null when none is missing. */
export function missingPackagesMessage(installed: (pkg: string) => boolean, packages = DEMO_PACKAGES): string | null {
  const missing = packages.filter((p) => !installed(p));
  if (!missing.length) return null;
  return [
    `drydock demo: these Debian packages are missing: ${missing.join(' ')}`,
    'Install them with:',
    `  sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
  ].join('\n');
}

export interface DemoUser {
  name: string;
  uid: number;
  gid: number;
  /** Their home folder from /etc/passwd (HOME for the GUI). */
  home: string;
}

/** An account from /etc/passwd, or null. */
export function lookupUser(name: string, passwd = '/etc/passwd'): DemoUser | null {
  for (const line of fs.readFileSync(passwd, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7) return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' };
  }
  return null;
}

/**
 * Who the GUI runs as and who owns DRYDOCK_HOME: --user, else the account that
 * ran sudo. Never root: Electron refuses to run as root with its sandbox, and the
 * admin's own `drydock` CLI must be able to use the demo's DRYDOCK_HOME.
 */
export function resolveUser(option: string | undefined, env: NodeJS.ProcessEnv = process.env): DemoUser {
  const name = option ?? env.SUDO_USER;
  if (!name) {
    throw new DemoExit(2, 'drydock demo: run it with sudo from your own account, or name the account that runs the app and owns the demo\'s DRYDOCK_HOME: --user NAME (CI: --user nobody).');
  }
  const user = lookupUser(name);
  if (!user) throw new DemoExit(2, `drydock demo: no account named ${name} in /etc/passwd`);
  if (user.uid === 0) throw new DemoExit(2, 'drydock demo: the app does not run as root; name another account with --user NAME.');
  return user;
}

/** True if the account can read path (checked as that account, not assumed from modes). */
export function readableBy(user: DemoUser, file: string): boolean {
  const r = spawnSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', 'test', '-r', file], { stdio: 'ignore' });
  return r.status === 0;
}
