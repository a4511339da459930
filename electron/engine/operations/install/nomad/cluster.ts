/**
 * The Nomad server as the clients need it: the Services machine's private
 * address (what install.sh recorded in /etc/default/replicated, else the
 * inventory address when it is an IP), and its node list, read with the
 * Nomad CLI inside the `nomad` container there (admin-commands.md §2).
 */
import { DrydockError } from '../../../../../shared/errors';
import { isIpAddress } from '../../../../../shared/hosts';
import { parseNodeStatus, type NomadNode } from '../../../../../shared/install/nomad';
import { sh } from '../../../ssh/quote';
import type { HostSession } from '../../../ssh/session';
import type { EngineServices } from '../../operation';
import { proxyTopology, servicesAddresses } from '../../proxy/topology';

export async function nomadServer(services: EngineServices, signal?: AbortSignal): Promise<{ host: string; address: string | null }> {
  const host = proxyTopology(services.inventory).services;
  const session = await services.pool.session(host.name, signal);
  const addresses = await servicesAddresses(session);
  const address = addresses[1] ?? (isIpAddress(host.address) ? host.address : null);
  return { host: host.name, address };
}

/** `nomad node-status [-allocs]` on the Services machine. */
export async function nodeList(session: HostSession, options: { allocs?: boolean; signal?: AbortSignal } = {}): Promise<NomadNode[]> {
  const out = await session.check(`docker exec nomad nomad node-status${options.allocs ? ' -allocs' : ''}`, { asRoot: true, signal: options.signal });
  try {
    return parseNodeStatus(out);
  } catch (err) {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: nomad node-status: ${(err as Error).message}`, { host: session.host.name });
  }
}

/** The name a client registers under: Nomad's default node name is the machine's hostname. */
export async function nodeName(session: HostSession, signal?: AbortSignal): Promise<string> {
  return (await session.check('hostname', { signal })).trim();
}

export async function drainNode(session: HostSession, nodeId: string, signal?: AbortSignal): Promise<void> {
  await session.check(sh`docker exec nomad nomad node-drain -enable -yes ${nodeId}`, { asRoot: true, signal });
}
