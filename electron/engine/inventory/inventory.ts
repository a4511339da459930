/**
 * The admin's hosts and their roles, kept in `hosts.json` under DRYDOCK_HOME.
 * No secrets live here: passwords and passphrases are asked for per session.
 */
import path from 'node:path';
import { HostSchema, type Host } from '../../../shared/hosts';
import { DrydockError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validate';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';

interface InventoryFile {
  version: 1;
  hosts: Host[];
}

export class Inventory {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'hosts.json');
  }

  private load(): InventoryFile {
    const data = readJsonFile<InventoryFile>(this.file, { version: 1, hosts: [] });
    return { version: 1, hosts: data.hosts.map((h) => HostSchema.parse(h)) };
  }

  private save(data: InventoryFile): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }

  list(): Host[] {
    return this.load().hosts;
  }

  find(name: string): Host | undefined {
    return this.list().find((h) => h.name === name);
  }

  get(name: string): Host {
    const host = this.find(name);
    if (!host) throw new DrydockError('NOT_FOUND', `No host named "${name}" in the inventory. Add it with: drydock hosts add ${name} …`);
    return host;
  }

  /** Hosts playing a role, e.g. every Nomad client. */
  withRole(role: Host['role']): Host[] {
    return this.list().filter((h) => h.role === role);
  }

  add(input: unknown): Host {
    const host = parseOrThrow(HostSchema, input, 'Host');
    const data = this.load();
    if (data.hosts.some((h) => h.name === host.name)) {
      throw new DrydockError('CONFLICT', `A host named "${host.name}" already exists: edit it instead (drydock hosts edit ${host.name} …).`);
    }
    this.checkJump(host, data.hosts);
    data.hosts.push(host);
    this.save(data);
    return host;
  }

  /** Add or replace in one write (imports). */
  upsertAll(hosts: Host[]): void {
    const data = this.load();
    for (const host of hosts) {
      const i = data.hosts.findIndex((h) => h.name === host.name);
      if (i >= 0) data.hosts[i] = host;
      else data.hosts.push(host);
    }
    for (const host of hosts) this.checkJump(host, data.hosts);
    this.save(data);
  }

  /** Replace a host in place (same name), keeping its position in the list. */
  replace(host: Host): Host {
    const parsed = parseOrThrow(HostSchema, host, 'Host');
    const data = this.load();
    const i = data.hosts.findIndex((h) => h.name === parsed.name);
    if (i < 0) throw new DrydockError('NOT_FOUND', `No host named "${parsed.name}" in the inventory`);
    data.hosts[i] = parsed;
    this.checkJump(parsed, data.hosts);
    this.save(data);
    return parsed;
  }

  remove(name: string): boolean {
    const data = this.load();
    const users = data.hosts.filter((h) => h.jump === name).map((h) => h.name);
    if (users.length) throw new DrydockError('CONFLICT', `"${name}" is the jump host of ${users.join(', ')}; change those first.`);
    const kept = data.hosts.filter((h) => h.name !== name);
    if (kept.length === data.hosts.length) return false;
    this.save({ version: 1, hosts: kept });
    return true;
  }

  /** The chain of hosts to go through, outermost first (bastion … target). */
  route(name: string): Host[] {
    const chain: Host[] = [];
    let host: Host | undefined = this.get(name);
    while (host) {
      if (chain.some((h) => h.name === host!.name)) throw new DrydockError('INVALID_INPUT', `Jump hosts loop back to "${host.name}"`);
      chain.unshift(host);
      host = host.jump ? this.get(host.jump) : undefined;
    }
    return chain;
  }

  private checkJump(host: Host, all: Host[]): void {
    if (!host.jump) return;
    if (host.jump === host.name) throw new DrydockError('INVALID_INPUT', `jump: "${host.name}" cannot jump through itself`);
    const seen = new Set([host.name]);
    let next = all.find((h) => h.name === host.jump);
    if (!next) throw new DrydockError('INVALID_INPUT', `jump: no host named "${host.jump}" in the inventory; add the bastion first`);
    while (next?.jump) {
      if (seen.has(next.jump)) throw new DrydockError('INVALID_INPUT', `jump: jump hosts loop back to "${next.jump}"`);
      seen.add(next.name);
      next = all.find((h) => h.name === next!.jump);
    }
  }
}
