/**
 * Docker on a host about to be installed: is it there (and which daemon
 * version), and, when it is missing, install it from the bundle's .deb files
 * with dpkg (the air-gap installer does not install Docker itself,
 * admin-commands.md §1). Both the Services machine and the Nomad clients.
 */
import { DrydockError } from '../../../../shared/errors';
import { quote, sh } from '../../ssh/quote';
import type { HostSession } from '../../ssh/session';

export interface DockerState {
  installed: boolean;
  /** The daemon's version, when it answers. */
  version?: string;
}

/** `docker --version` exiting 127 is "command not found": not installed. */
export async function dockerState(session: HostSession, signal?: AbortSignal): Promise<DockerState> {
  const r = await session.sudo(`docker --version >/dev/null 2>&1; rc=$?; if [ $rc = 127 ]; then echo ABSENT; exit 0; fi; docker version --format '{{.Server.Version}}' 2>/dev/null || true`, { signal });
  const out = r.stdout.trim();
  if (out === 'ABSENT') return { installed: false };
  const version = out.split('\n').pop()?.trim();
  return { installed: true, ...(version && /^[0-9]/.test(version) ? { version } : {}) };
}

function unit(verb: string, name: string): string {
  return sh`if command -v systemctl >/dev/null 2>&1; then systemctl ${verb} ${name}; else service ${name} ${verb}; fi`;
}

/** dpkg --install the .debs (paths on the host), enable and start docker, and prove the daemon answers. */
export async function installDockerDebs(session: HostSession, debs: string[], output: (stream: 'stdout' | 'stderr', text: string) => void, signal?: AbortSignal): Promise<string> {
  if (!debs.length) {
    throw new DrydockError('NOT_FOUND', `${session.host.name}: Docker is not installed and no Docker .deb files were given or found in the bundle folder: add them to the bundle (drydock bundle push --file docker-ce_….deb …), then run again`, { host: session.host.name });
  }
  const r = await session.sudo(`DEBIAN_FRONTEND=noninteractive dpkg --install -- ${debs.map(quote).join(' ')} 2>&1`, {
    signal,
    timeoutMs: 20 * 60_000,
    onStdout: (t) => output('stdout', t),
    onStderr: (t) => output('stderr', t),
  });
  if (r.code !== 0) {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: dpkg --install of the Docker packages exited ${r.code}: ${r.stdout.trim().split('\n').slice(-4).join(' ')}. dpkg may have left them half-configured: look with dpkg --audit there.`, { host: session.host.name });
  }
  await session.check(unit('enable', 'docker'), { asRoot: true, signal, shown: 'systemctl enable docker' });
  await session.check(unit('start', 'docker'), { asRoot: true, signal, shown: 'systemctl start docker' });
  const after = await dockerState(session, signal);
  if (!after.installed || !after.version) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: Docker was installed from the .debs but its daemon does not answer (docker version); check systemctl status docker there`, { host: session.host.name });
  return after.version;
}
