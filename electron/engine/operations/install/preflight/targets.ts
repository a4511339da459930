/** Which hosts a preflight covers and what each probes, from the inventory and the guide's tables. */
import { DrydockError } from '../../../../../shared/errors';
import type { Host } from '../../../../../shared/hosts';
import { REACH } from '../../../../../shared/install/ports';
import { DEFAULT_BUNDLE_DIR, DISK_NEEDS, PREFLIGHT_ROLES } from '../../../../../shared/install/requirements';
import type { ProbeTarget } from './script';

export type PreflightRole = 'services' | 'nomad' | 'spare';

export function preflightHosts(all: Host[], only?: string[]): (Host & { role: PreflightRole })[] {
  const eligible = all.filter((h) => PREFLIGHT_ROLES.includes(h.role)) as (Host & { role: PreflightRole })[];
  if (!only?.length) {
    if (!eligible.length) throw new DrydockError('INVALID_INPUT', 'No Services machine, Nomad client or spare in the inventory: add hosts first (drydock hosts add).');
    return eligible;
  }
  return only.map((name) => {
    const h = all.find((x) => x.name === name);
    if (!h) throw new DrydockError('NOT_FOUND', `No host ${name} in the inventory.`);
    if (!PREFLIGHT_ROLES.includes(h.role)) throw new DrydockError('INVALID_INPUT', `${name} is a ${h.role} host: preflight checks the Services machine, Nomad clients and spares.`);
    return h as Host & { role: PreflightRole };
  });
}

export function diskPaths(role: PreflightRole, bundleDir = DEFAULT_BUNDLE_DIR): string[] {
  return [...new Set([...DISK_NEEDS.filter((n) => n.roles.includes(role)).map((n) => n.path), bundleDir])];
}

/** The TCP probes one host makes (UDP goes through Drydock's listener instead). */
export function probesFor(host: Host & { role: PreflightRole }, all: Host[], ghe: string | null): ProbeTarget[] {
  const services = all.find((h) => h.role === 'services');
  const clients = all.filter((h) => h.role === 'nomad');
  const from = host.role === 'spare' ? 'services' : host.role;
  const out: ProbeTarget[] = [];
  for (const r of REACH.filter((x) => x.proto === 'tcp' && x.from.includes(from))) {
    if (r.to === 'services' && services && services.name !== host.name) for (const port of r.ports) out.push({ target: 'services', address: services.address, proto: 'tcp', port });
    if (r.to === 'ghe' && ghe) for (const port of r.ports) out.push({ target: 'ghe', address: ghe, proto: 'tcp', port });
    // Only the Services machine stands in for users: a spare has no clients of its own yet.
    if (r.to === 'nomad' && host.role === 'services') for (const c of clients) for (const port of r.ports) out.push({ target: c.name, address: c.address, proto: 'tcp', port });
  }
  return out;
}
