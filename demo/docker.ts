/**
 * A real Docker daemon for the practice Services machine (test/lab/docker-daemon.ts,
 * the one the health tests use): its socket is the Services host's
 * /run/docker.sock, the machine's containers run in it (the guide's health
 * endpoints answer on the host's address) and Nomad's CLI answers inside the
 * `nomad` container with the demo's two clients, so the Health page shows real
 * `docker ps` output. It must exist before the hosts boot (the socket folder is
 * bind-mounted at boot), so it is started before the lab and stopped after it.
 *
 * Optional: `--no-docker` skips it, and where dockerd cannot start (package
 * missing, no overlay support in a container) the demo says why in one line and
 * the Services machine keeps the docker stand-in (a plain `docker ps` list; the
 * Health page then says it could not check).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LabHost } from '../test/lab/lab';
import { runServicesContainers, setNomadState, startDockerDaemon, type DockerDaemon } from '../test/lab/docker-daemon';

/** The lab's scripts in the checkout (the demo runs compiled, from dist/demo). */
const STANDINS = path.resolve(__dirname, '..', '..', 'test', 'lab', 'standins');

export interface DemoDocker {
  daemon: DockerDaemon | null;
  /** Why there is none (printed instead of the daemon's line). */
  reason?: string;
  /** After the hosts boot: the Services machine's containers; lines for the banner. */
  fill(servicesIp: string, nomadClients: string[]): string[];
  /** The app probes the endpoints at the Services machine's own address (where the containers serve them). */
  env(servicesIp: string): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A kept Services machine got its `docker` at first boot (the stand-in, or none with the real daemon): make
 * this run's match, so a continued drill with or without --no-docker reads the right containers.
 */
export function matchDockerClient(services: LabHost, real: boolean): void {
  // Only the stand-in is ever removed (a machine's own /usr/local/bin/docker shows through the host's lower layer).
  if (real) services.exec('! grep -qs standin-lib /usr/local/bin/docker || rm -f /usr/local/bin/docker');
  else services.writeFile('/usr/local/bin/docker', fs.readFileSync(path.join(STANDINS, 'docker'), 'utf8'), 0o755);
}

export async function startDemoDocker(enabled: boolean): Promise<DemoDocker> {
  const none = (reason: string): DemoDocker => ({
    daemon: null,
    reason,
    // The stand-in answers `docker ps` with a plain list only: the Health page needs the real daemon.
    fill: () => [`Docker         ${reason}; the Services machine has the docker stand-in, so Health cannot read its containers`],
    env: () => ({}),
    stop: async () => undefined,
  });
  if (!enabled) return none('not started (--no-docker)');
  if (!fs.existsSync('/usr/sbin/dockerd') || !fs.existsSync('/bin/busybox')) return none('not started: install docker.io and busybox-static for a real daemon');
  let daemon: DockerDaemon;
  try {
    daemon = await startDockerDaemon();
  } catch (err) {
    return none(`not started: ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    daemon,
    fill(servicesIp, nomadClients) {
      runServicesContainers(daemon, { endpointIp: servicesIp });
      setNomadState(daemon, nomadClients.map((name, i) => `${(0x4e5f6a7b + i).toString(16)} default ${name} linux-64bit false eligible ready 0 4 16384`), []);
      const count = daemon.docker('ps', '-aq').split('\n').filter(Boolean).length;
      return [`Docker         real dockerd (${daemon.dir}) as the Services machine's Docker: ${count} containers; try \`docker stop postgres\` on services, then Health`];
    },
    env: (servicesIp) => ({ DRYDOCK_HEALTH_ENDPOINT_HOST: servicesIp }),
    stop: () => daemon.stop(),
  };
}
