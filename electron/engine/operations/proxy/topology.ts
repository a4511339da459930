/**
 * Which hosts the proxy settings go to and which must bypass the proxy,
 * read from the inventory: the Services machine, every Nomad client, and
 * GitHub Enterprise (the guide: connections between them must not go
 * through the proxy).
 */
import { DrydockError } from '../../../../shared/errors';
import type { Host } from '../../../../shared/hosts';
import { isHostAddress } from '../../../../shared/hosts';
import { readRemoteFile } from '../../files/remote-file';
import type { Inventory } from '../../inventory/inventory';
import type { HostSession } from '../../ssh/session';

export interface ProxyTopology {
  services: Host;
  nomadClients: Host[];
  ghe: Host[];
}

export function proxyTopology(inventory: Inventory): ProxyTopology {
  const hosts = inventory.list();
  const services = hosts.filter((h) => h.role === 'services');
  if (services.length === 0) {
    throw new DrydockError('NOT_FOUND', 'No Services machine in the inventory: add it first (drydock hosts add NAME --address … --user … --role services)');
  }
  if (services.length > 1) {
    throw new DrydockError('CONFLICT', `The inventory has ${services.length} hosts with the role services (${services.map((h) => h.name).join(', ')}); keep one, so Drydock knows which machine to configure`);
  }
  return { services: services[0], nomadClients: hosts.filter((h) => h.role === 'nomad'), ghe: hosts.filter((h) => h.role === 'ghe') };
}

/**
 * The Services machine's addresses for NO_PROXY: the one Drydock reaches it
 * by, plus the private address Replicated was installed with (what the Nomad
 * clients use), when /etc/default/replicated (or /etc/sysconfig on RHEL) says.
 */
export async function servicesAddresses(session: HostSession): Promise<string[]> {
  const out = [session.host.address];
  for (const file of ['/etc/default/replicated', '/etc/sysconfig/replicated']) {
    const { content } = await readRemoteFile(session, file, { followLinks: true });
    const m = content ? /^\s*PRIVATE_ADDRESS=["']?([^"'\s]+)["']?\s*$/m.exec(content) : null;
    if (m && isHostAddress(m[1]) && !out.includes(m[1])) {
      out.push(m[1]);
      break;
    }
  }
  return out;
}
