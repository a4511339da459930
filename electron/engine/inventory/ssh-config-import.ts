/**
 * Read hosts from an OpenSSH client config (~/.ssh/config): Host, HostName,
 * User, Port, IdentityFile and ProxyJump, with OpenSSH's first-match-wins
 * rules as computed by the ssh-config library. Wildcard blocks only lend
 * their defaults; they are not hosts.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { HostSchema, HOST_ROLES, parseAddress, type Host, type HostRole } from '../../../shared/hosts';

export interface ImportResult {
  hosts: Host[];
  skipped: { name: string; reason: string }[];
}

function guessRole(name: string, isJump: boolean, fallback: HostRole): HostRole {
  if (isJump) return 'bastion';
  const n = name.toLowerCase();
  if (/bastion|jump/.test(n)) return 'bastion';
  if (/spare|standby|dr\b/.test(n)) return 'spare';
  if (/ghe|github/.test(n)) return 'ghe';
  if (/nomad|builder/.test(n)) return 'nomad';
  if (/services|circleci|cci/.test(n)) return 'services';
  return fallback;
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

function sanitizeName(s: string): string {
  return s.replace(/[^a-z0-9._-]/gi, '-').replace(/^[^a-z0-9]+/i, '').slice(0, 63) || 'jump';
}

export function importSshConfig(file: string, fallbackRole: HostRole = 'nomad'): ImportResult {
  if (!HOST_ROLES.includes(fallbackRole)) throw new Error(`unknown role ${fallbackRole}`);
  const config = SSHConfig.parse(readFileSync(file, 'utf8'));
  const aliases: string[] = [];
  for (const line of config) {
    if (!('param' in line) || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => v.val) : String(line.value).split(/\s+/);
    for (const v of values) if (!/[*?!]/.test(v) && !aliases.includes(v)) aliases.push(v);
  }

  const computed = new Map(aliases.map((alias) => [alias, config.compute(alias)]));
  const skipped: ImportResult['skipped'] = [];
  const reasonOf = (error: { issues: { path: PropertyKey[]; message: string }[] }) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  // Inline jumps (user@host:port) that are not Host blocks become bastions of
  // their own, validated like any host: a typo there must not land in
  // hosts.json, where it would break every later command.
  const extraJumps = new Map<string, { host?: Host; reason?: string }>();
  const jumpOf = (alias: string): string | undefined => {
    const raw = computed.get(alias)?.ProxyJump;
    if (!raw || typeof raw !== 'string' || raw.toLowerCase() === 'none') return undefined;
    const last = raw.split(',').pop()!.trim();
    if (computed.has(last)) return last;
    const m = /^(?:([^@]*)@)?(.*)$/.exec(last)!;
    const { address, port } = parseAddress(m[2]);
    const name = sanitizeName(address);
    if (!extraJumps.has(name)) {
      const parsed = HostSchema.safeParse({ name, address, port: port ?? 22, user: m[1] ?? os.userInfo().username, role: 'bastion' });
      extraJumps.set(name, parsed.success ? { host: parsed.data } : { reason: `ProxyJump ${last}: ${reasonOf(parsed.error)}` });
      if (!parsed.success) skipped.push({ name, reason: `ProxyJump ${last} (used by ${alias}): ${reasonOf(parsed.error)}` });
    }
    return name;
  };
  const jumps = new Map(aliases.map((alias) => [alias, jumpOf(alias)]));
  const jumpTargets = new Set([...jumps.values()].filter((j): j is string => !!j));

  const valid = new Map<string, Host>();
  for (const alias of aliases) {
    const c = computed.get(alias)!;
    const identity = Array.isArray(c.IdentityFile) ? c.IdentityFile[0] : c.IdentityFile;
    const jump = jumps.get(alias);
    const candidate = {
      name: alias,
      address: typeof c.HostName === 'string' ? c.HostName : alias,
      port: c.Port ? Number(c.Port) : 22,
      user: typeof c.User === 'string' ? c.User : os.userInfo().username,
      role: guessRole(alias, jumpTargets.has(alias), fallbackRole),
      ...(identity ? { keyPath: expandHome(String(identity)) } : {}),
      ...(jump ? { jump } : {}),
    };
    const parsed = HostSchema.safeParse(candidate);
    if (parsed.success) valid.set(alias, parsed.data);
    else skipped.push({ name: alias, reason: reasonOf(parsed.error) });
  }
  for (const [name, j] of extraJumps) if (j.host && !valid.has(name)) valid.set(name, j.host);

  // ProxyJump chains that loop can never connect.
  for (const [name] of valid) {
    const seen = new Set<string>();
    for (let at: Host | undefined = valid.get(name); at?.jump; at = valid.get(at.jump)) {
      if (seen.has(at.name)) {
        valid.delete(name);
        skipped.push({ name, reason: `its ProxyJump chain loops back to "${at.name}"` });
        break;
      }
      seen.add(at.name);
    }
  }
  // A host whose jump host was skipped cannot be reached: skip it too, and
  // say why (repeat until no more fall, for chains of jumps).
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const [name, host] of valid) {
      if (host.jump && !valid.has(host.jump)) {
        valid.delete(name);
        skipped.push({ name, reason: `its jump host "${host.jump}" was skipped` });
        dropped = true;
      }
    }
  }
  const extraFirst = [...valid.values()].sort((a, b) => Number(extraJumps.has(b.name) && !computed.has(b.name)) - Number(extraJumps.has(a.name) && !computed.has(a.name)));
  return { hosts: extraFirst, skipped };
}
