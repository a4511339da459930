/**
 * Adding, editing and removing hosts as the admin does it (GUI or CLI): the
 * inventory-wide checks first, then the change, then one audit entry saying
 * what changed. An edit that moves a host to another address or port would
 * leave the old address's trusted key behind, answering for a machine that
 * may now be someone else: it is forgotten, but only once the admin agreed.
 */
import { DrydockError } from '../../../shared/errors';
import { applyHostEdit, describeHostChanges, HostSchema, inventoryChecks, knownHostsName, type Host, type HostEdit } from '../../../shared/hosts';
import { parseOrThrow } from '../../../shared/validate';
import type { AuditLog } from '../audit/audit-log';
import type { KnownHosts } from '../ssh/known-hosts';
import type { SshPool } from '../ssh/pool';
import type { Inventory } from './inventory';

export interface HostChangeDeps {
  inventory: Inventory;
  knownHosts: KnownHosts;
  audit: AuditLog;
  pool: SshPool;
}

function checkOrThrow(all: Host[], host: Host): string[] {
  const { roleError, warnings } = inventoryChecks(all, host);
  if (roleError) throw new DrydockError('INVALID_INPUT', `role: ${roleError}`, { fields: [{ path: ['role'], message: roleError }] });
  return warnings;
}

function trustedFingerprint(deps: HostChangeDeps, host: Host): string {
  return deps.knownHosts.lookup(knownHostsName(host.address, host.port))[0]?.fingerprint ?? '';
}

function where(host: Host): string {
  return `${host.user}@${host.address}:${host.port} (${host.role}${host.jump ? `, via ${host.jump}` : ''}${host.keyPath ? `, key ${host.keyPath}` : ''})`;
}

export function addHost(deps: HostChangeDeps, input: unknown): { host: Host; warnings: string[] } {
  const host = parseOrThrow(HostSchema, input, 'Host');
  const warnings = checkOrThrow(deps.inventory.list(), host);
  const added = deps.inventory.add(host);
  deps.audit.append({ host: added.name, fingerprint: trustedFingerprint(deps, added), kind: 'inventory', command: `add host ${added.name}: ${where(added)}`, exitCode: 0, durationMs: 0 });
  return { host: added, warnings };
}

export function editHost(deps: HostChangeDeps, name: string, changes: HostEdit, forgetKey = false): { host: Host; warnings: string[]; forgotKeys: number } {
  const all = deps.inventory.list();
  const before = deps.inventory.get(name);
  const after = parseOrThrow(HostSchema, applyHostEdit(before, changes), 'Host');
  const warnings = checkOrThrow(all, after);
  const changed = describeHostChanges(before, after);
  if (!changed.length) return { host: before, warnings, forgotKeys: 0 };

  const oldKnownAs = knownHostsName(before.address, before.port);
  const moved = oldKnownAs !== knownHostsName(after.address, after.port);
  // Another inventory name for the same address still needs that key.
  const shared = all.some((h) => h.name !== name && knownHostsName(h.address, h.port) === oldKnownAs);
  const oldKeys = moved && !shared ? deps.knownHosts.lookup(oldKnownAs) : [];
  if (oldKeys.length && !forgetKey) {
    throw new DrydockError(
      'CONFLICT',
      `${name} moves from ${oldKnownAs} to ${knownHostsName(after.address, after.port)}: Drydock will forget the key it trusted for ${oldKnownAs} (${oldKeys[0].fingerprint}), and you confirm the key of the new address. Confirm to go on; nothing was changed.`,
      { forgetKey: { knownAs: oldKnownAs, fingerprint: oldKeys[0].fingerprint } },
    );
  }
  const saved = deps.inventory.replace(after);
  // The open connection goes to the old address, or logs in the old way.
  deps.pool.drop(name);
  const forgotKeys = oldKeys.length ? deps.knownHosts.remove(oldKnownAs) : 0;
  deps.audit.append({ host: name, fingerprint: oldKeys[0]?.fingerprint ?? trustedFingerprint(deps, saved), kind: 'inventory', command: `edit host ${name}: ${changed.join(', ')}`, exitCode: 0, durationMs: 0 });
  if (forgotKeys) {
    deps.audit.append({ host: name, fingerprint: oldKeys[0].fingerprint, kind: 'trust', command: `forget keys for ${oldKnownAs} (${name} moved to ${knownHostsName(saved.address, saved.port)})`, exitCode: 0, durationMs: 0 });
  }
  return { host: saved, warnings, forgotKeys };
}

export function removeHost(deps: HostChangeDeps, name: string): boolean {
  const host = deps.inventory.find(name);
  deps.pool.drop(name);
  const removed = deps.inventory.remove(name);
  if (removed && host) {
    deps.audit.append({ host: name, fingerprint: trustedFingerprint(deps, host), kind: 'inventory', command: `remove host ${name}: was ${where(host)}`, exitCode: 0, durationMs: 0 });
  }
  return removed;
}
