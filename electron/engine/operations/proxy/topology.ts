/**
 * Which hosts the proxy settings go to and which must bypass the proxy,
 * read from the inventory: the Services machine, every Nomad client, and
 * GitHub Enterprise and the hot spare (the guide: connections between them
 * must not go through the proxy). Hosts that get no files are listed with
 * the reason.
 */
import { DrydockError } from '../../../../shared/errors';
import type { Host, HostRole } from '../../../../shared/hosts';
import { isHostAddress } from '../../../../shared/hosts';
import { readRemoteFile } from '../../files/remote-file';
import type { Inventory } from '../../inventory/inventory';
import type { HostSession } from '../../ssh/session';

export interface ProxyTopology {
  services: Host;
  nomadClients: Host[];
  ghe: Host[];
  spares: Host[];
  /** Every other inventory host, with why the plan does not write to it. */
  leftOut: { host: string; role: HostRole; reason: string }[];
}

/** Why a role gets no proxy files: the plan lists each such host, so none is dropped silently. */
const LEFT_OUT_REASON: Partial<Record<HostRole, string>> = {
  spare:
    "not written: the hot spare is imaged from the Services machine's backup snapshot, so it gets these files with the first snapshot taken after this apply (until then a failover to it runs with the old settings). Its address is bypassed (NO_PROXY), so the clients reach it directly after a failover.",
  ghe: 'not written: Drydock does not configure GitHub Enterprise itself; its address is bypassed (NO_PROXY), so builds and the Services machine reach it directly.',
  bastion: 'not written: a jump host only carries Drydock\'s SSH connections to the other hosts; nothing on it goes through the proxy for CircleCI.',
};

export function proxyTopology(inventory: Inventory): ProxyTopology {
  const hosts = inventory.list();
  const services = hosts.filter((h) => h.role === 'services');
  if (services.length === 0) {
    throw new DrydockError('NOT_FOUND', 'No Services machine in the inventory: add it first (drydock hosts add NAME --address … --user … --role services)');
  }
  if (services.length > 1) {
    throw new DrydockError('CONFLICT', `The inventory has ${services.length} hosts with the role services (${services.map((h) => h.name).join(', ')}); keep one, so Drydock knows which machine to configure`);
  }
  const leftOut = hosts
    .filter((h) => h.role !== 'services' && h.role !== 'nomad')
    .map((h) => ({ host: h.name, role: h.role, reason: LEFT_OUT_REASON[h.role] ?? 'not written: Drydock writes proxy files only to the Services machine and the Nomad clients.' }));
  return { services: services[0], nomadClients: hosts.filter((h) => h.role === 'nomad'), ghe: hosts.filter((h) => h.role === 'ghe'), spares: hosts.filter((h) => h.role === 'spare'), leftOut };
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
