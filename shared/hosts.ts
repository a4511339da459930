/**
 * Hosts as the admin knows them: a name, where it is, how to log in, and
 * what it does for CircleCI Server. Shared so the Hosts form validates with
 * exactly the rules the engine enforces.
 */
import { z } from 'zod';

export const HOST_ROLES = ['services', 'nomad', 'spare', 'ghe', 'bastion', 'hypervisor'] as const;
export type HostRole = (typeof HOST_ROLES)[number];

/** What a role means, in the guide's words, for labels and help text. */
export const ROLE_LABELS: Record<HostRole, string> = {
  services: 'Services machine',
  nomad: 'Nomad client',
  spare: 'Hot spare',
  ghe: 'GitHub Enterprise',
  bastion: 'Bastion (jump host)',
  hypervisor: 'KVM/libvirt hypervisor',
};

const hostname = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6 = /^[0-9A-Fa-f:]+(%[A-Za-z0-9]+)?$/;

/** True for a DNS name, an IPv4 address or a (bare) IPv6 address. */
export function isHostAddress(value: string): boolean {
  if (ipv4.test(value)) return true;
  if (value.includes(':')) return ipv6.test(value) && value.split(':').length <= 8;
  // All-numeric dotted strings that fail the IPv4 test are typos, not names.
  if (/^[\d.]+$/.test(value)) return false;
  return hostname.test(value);
}

export function isIpAddress(value: string): boolean {
  return ipv4.test(value) || (value.includes(':') && ipv6.test(value));
}

export const HostName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'letters, digits, ".", "_" and "-", up to 63 characters, starting with a letter or digit');

export const HostAddress = z.string().refine(isHostAddress, 'a DNS name or an IP address');
export const Port = z.number().int().min(1, '1 to 65535').max(65535, '1 to 65535');
export const UserName = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'a login name such as ubuntu or admin');

export const HostSchema = z.object({
  name: HostName,
  address: HostAddress,
  port: Port.default(22),
  user: UserName,
  role: z.enum(HOST_ROLES),
  /** Path to a private key on this laptop; absent = ssh-agent or password. */
  keyPath: z.string().min(1).optional(),
  /** Name of another host in the inventory to jump through (ProxyJump). */
  jump: HostName.optional(),
});
export type Host = z.infer<typeof HostSchema>;

/**
 * Split `HOST[:PORT]` as typed on the CLI or in the form. IPv6 needs brackets
 * when a port is given (`[fe80::1]:2222`), as in ssh and URLs.
 */
export function parseAddress(input: string): { address: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(input);
  if (bracketed) return { address: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : undefined };
  const colons = input.split(':').length - 1;
  if (colons === 1) {
    const [address, port] = input.split(':');
    return { address, port: /^\d+$/.test(port) ? Number(port) : NaN };
  }
  return { address: input };
}

/** The name OpenSSH files a host key under: `addr` on port 22, else `[addr]:port`. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/**
 * What `hosts edit` may change: everything but the name (the audit log and
 * runbooks refer to hosts by name). `null` clears an optional field.
 */
export const HostEditSchema = z
  .object({
    address: HostAddress.optional(),
    port: Port.optional(),
    user: UserName.optional(),
    role: z.enum(HOST_ROLES).optional(),
    keyPath: z.string().min(1).nullable().optional(),
    jump: HostName.nullable().optional(),
  })
  .strict();
export type HostEdit = z.infer<typeof HostEditSchema>;

/** The host as it would be after the edit. */
export function applyHostEdit(host: Host, changes: HostEdit): Host {
  const next: Host = { ...host };
  if (changes.address !== undefined) next.address = changes.address;
  if (changes.port !== undefined) next.port = changes.port;
  if (changes.user !== undefined) next.user = changes.user;
  if (changes.role !== undefined) next.role = changes.role;
  if (changes.keyPath === null) delete next.keyPath;
  else if (changes.keyPath !== undefined) next.keyPath = changes.keyPath;
  if (changes.jump === null) delete next.jump;
  else if (changes.jump !== undefined) next.jump = changes.jump;
  return next;
}

/** "address 10.0.0.5 → 10.0.0.6, port 22 → 2222": what an edit changes, for prompts and the audit log. */
export function describeHostChanges(before: Host, after: Host): string[] {
  const fields = ['address', 'port', 'user', 'role', 'keyPath', 'jump'] as const;
  const label: Record<(typeof fields)[number], string> = { address: 'address', port: 'port', user: 'user', role: 'role', keyPath: 'key', jump: 'jump host' };
  return fields
    .filter((f) => before[f] !== after[f])
    .map((f) => `${label[f]} ${before[f] ?? 'none'} → ${after[f] ?? 'none'}`);
}

/**
 * Checks that look at the whole inventory, run by the form as the admin
 * types and by the engine on save: one Services machine only (refused), and
 * the same address:port under two names (warned: it may be a typo, or one
 * machine playing two roles on purpose).
 */
export function inventoryChecks(hosts: readonly Host[], candidate: Pick<Host, 'name' | 'address' | 'port' | 'role'>): { roleError?: string; warnings: string[] } {
  const others = hosts.filter((h) => h.name !== candidate.name);
  const services = others.find((h) => h.role === 'services');
  const roleError =
    candidate.role === 'services' && services
      ? `${services.name} is already the Services machine; an installation has only one (change ${services.name}'s role first)`
      : undefined;
  const same = others.filter((h) => h.address.toLowerCase() === candidate.address.toLowerCase() && h.port === candidate.port);
  const warnings = same.map((h) => `${h.name} already uses ${candidate.address}:${candidate.port}: both names reach the same sshd`);
  return { ...(roleError ? { roleError } : {}), warnings };
}
