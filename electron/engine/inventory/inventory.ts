/**
 * The admin's hosts and their roles, kept in `hosts.json` under DRYDOCK_HOME.
 * No secrets live here: passwords and passphrases are asked for per session.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HostSchema, type Host } from '../../../shared/hosts';
import { DrydockError } from '../../../shared/errors';
import { describeIssues, parseOrThrow } from '../../../shared/validate';
import { writeFileAtomic } from '../store/atomic-file';

interface InventoryFile {
  version: 1;
  hosts: Host[];
  /** Entries that do not validate: kept as they are, written back untouched. */
  invalid: { index: number; raw: unknown; problem: string }[];
}

/** An entry of hosts.json that could not be used, and why, for the admin to fix. */
export interface InventoryProblem {
  file: string;
  entry: number;
  name?: string;
  problem: string;
}

export class Inventory {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'hosts.json');
  }

  /**
   * A hand-edited hosts.json with one bad entry must not stop every command:
   * the bad entry is reported (file, entry, field) and left as it is, the
   * others load. Only a file that is not JSON at all stops, naming the file.
   */
  private load(): InventoryFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hosts: [], invalid: [] };
      throw new DrydockError('INTERNAL', `Cannot read the inventory ${this.file}: ${(err as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new DrydockError('INVALID_INPUT', `The inventory ${this.file} is not valid JSON (${(err as Error).message}); fix or move the file. Nothing was changed.`);
    }
    const entries = (data as { hosts?: unknown })?.hosts;
    if (!Array.isArray(entries)) {
      throw new DrydockError('INVALID_INPUT', `The inventory ${this.file} has no "hosts" list; fix or move the file. Nothing was changed.`);
    }
    const hosts: Host[] = [];
    const invalid: InventoryFile['invalid'] = [];
    const seen = new Set<string>();
    entries.forEach((raw, i) => {
      const parsed = HostSchema.safeParse(raw);
      if (!parsed.success) invalid.push({ index: i, raw, problem: describeIssues(parsed.error) });
      else if (seen.has(parsed.data.name)) invalid.push({ index: i, raw, problem: `name: "${parsed.data.name}" appears twice` });
      else {
        seen.add(parsed.data.name);
        hosts.push(parsed.data);
      }
    });
    return { version: 1, hosts, invalid };
  }

  private save(data: InventoryFile): void {
    const all: unknown[] = [...data.hosts];
    // Put bad entries back where they were, so saving an edit loses nothing.
    for (const bad of [...data.invalid].sort((a, b) => a.index - b.index)) all.splice(Math.min(bad.index, all.length), 0, bad.raw);
    writeFileAtomic(this.file, JSON.stringify({ version: 1, hosts: all }, null, 2) + '\n');
  }

  /** Entries of hosts.json that were skipped, each naming its file, entry and field. */
  problems(): InventoryProblem[] {
    return this.load().invalid.map(({ index, raw, problem }) => {
      const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : undefined;
      return { file: this.file, entry: index + 1, ...(name ? { name } : {}), problem };
    });
  }

  list(): Host[] {
    return this.load().hosts;
  }

  find(name: string): Host | undefined {
    return this.list().find((h) => h.name === name);
  }

  get(name: string): Host {
    const host = this.find(name);
    const bad = host ? undefined : this.problems().find((p) => p.name === name);
    if (bad) throw new DrydockError('INVALID_INPUT', describeProblem(bad));
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
    const bad = data.invalid.find((b) => (b.raw as { name?: unknown })?.name === host.name);
    if (bad) throw new DrydockError('CONFLICT', `Entry ${bad.index + 1} of ${this.file} is also named "${host.name}" (${bad.problem}); fix or remove it first.`);
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
    // An imported host replaces a broken entry of the same name.
    data.invalid = data.invalid.filter((b) => !hosts.some((h) => h.name === (b.raw as { name?: unknown })?.name));
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
    this.save({ ...data, hosts: kept });
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

export function describeProblem(p: InventoryProblem): string {
  return `${p.file}: entry ${p.entry}${p.name ? ` ("${p.name}")` : ''} skipped: ${p.problem}`;
}
