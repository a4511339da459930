/**
 * The health tests' world: a real Docker daemon (test/lab/docker-daemon.ts)
 * whose socket a lab Services host sees as its own, the Services machine's
 * containers running in it (the guide's endpoints answering on the host's
 * address), Nomad's CLI inside the `nomad` container, and Replicated's
 * stand-in on the host.
 */
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { runServicesContainers, setNomadState, startDockerDaemon, type DockerDaemon } from '../lab/docker-daemon';
import { startLab, type Lab, type LabHostSpec } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

export interface HealthWorld {
  lab: Lab;
  dockerd: DockerDaemon;
  fx: EngineFixture;
  call<C extends Channel>(channel: C, request: RequestOf<C>, emit?: (e: DrydockEvent) => void): Promise<ResponseOf<C>>;
  /** Nomad's state as the stand-in inside the `nomad` container reads it. */
  setNomad(nodes: string[], jobs: string[]): void;
  dispose(): Promise<void>;
}

export async function startHealthWorld(extra: { specs?: LabHostSpec[]; roles?: { name: string; role: 'nomad' | 'spare' }[] } = {}): Promise<HealthWorld> {
  const dockerd = await startDockerDaemon();
  let lab: Lab | undefined;
  try {
    lab = await startLab([{ name: 'services', standins: true, docker: { socketDir: dockerd.socketDir } }, ...(extra.specs ?? [])]);
    runServicesContainers(dockerd, { endpointIp: lab.hosts.services.ip });
    const fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }, ...(extra.roles ?? [])]);
    const handlers = createHandlers(fx.engine);
    const world: HealthWorld = {
      lab,
      dockerd,
      fx,
      async call(channel, request, emit) {
        const result = await dispatch(handlers, channel, request, { emit: emit ?? (() => undefined) });
        if (!result.ok) throw fromErrorPayload(result.error);
        return result.value as never;
      },
      setNomad: (nodes, jobs) => setNomadState(dockerd, nodes, jobs),
      async dispose() {
        await fx.dispose();
        await lab!.stop();
        await dockerd.stop();
      },
    };
    world.setNomad(['4e5f6a7b default nomad-client-1 linux-64bit false eligible ready 1', '8c9d0e1f default nomad-client-2 linux-64bit false eligible ready 2'], ['build-1 batch 50 running']);
    return world;
  } catch (err) {
    await lab?.stop();
    await dockerd.stop();
    throw err;
  }
}
