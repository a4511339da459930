/**
 * NO_PROXY, assembled the way the guide asks rather than typed by hand: a
 * missing Nomad client or Services address here is what stops builds behind
 * a proxy. Each entry remembers why it is there, so the plan can say so.
 *
 * Two spellings of the same list are needed: NO_PROXY is comma-separated and
 * understands `.example.com`; Java's http.nonProxyHosts is `|`-separated and
 * wants `*.example.com`.
 */
import { isHostAddress, isIpAddress } from '../hosts';

export interface NoProxyEntry {
  value: string;
  /** "Services machine", "Nomad client nomad-1", "EC2 metadata", "you added it". */
  why: string;
}

export interface NoProxySources {
  /** Addresses of the Services machine (inventory address, private address). */
  services: string[];
  /** GitHub Enterprise host(s). */
  ghe: string[];
  nomadClients: { name: string; address: string }[];
  /** Hot spares: the Services machine after a failover. */
  spares?: { name: string; address: string }[];
  aws: boolean;
  /** What the admin added. */
  extras: string[];
}

/** The EC2 metadata address and S3's names, bypassed on AWS (admin-commands.md §4). */
export const AWS_NO_PROXY: readonly NoProxyEntry[] = [
  { value: '169.254.169.254', why: 'EC2 instance metadata' },
  { value: 's3.amazonaws.com', why: 'Amazon S3' },
  { value: '*.s3.amazonaws.com', why: 'Amazon S3 buckets' },
];

/**
 * One extra NO_PROXY entry: a host name, an IP address, or a domain written
 * `.example.com` or `*.example.com`. Returns the problem, or null.
 */
export function checkNoProxyEntry(entry: string): string | null {
  if (entry === '') return 'an empty entry (two commas in a row?)';
  if (/\s/.test(entry)) return `"${entry}" contains a space: separate entries with commas`;
  if (entry.includes('/')) {
    return `"${entry}": address ranges (CIDR) are not understood by Java's http.nonProxyHosts; list the hosts, or use a domain such as .internal.example.com`;
  }
  if (entry === '*') return '"*" would bypass the proxy for everything: leave the proxy out instead';
  const domain = /^(\*\.|\.)(.+)$/.exec(entry);
  const name = domain ? domain[2] : entry;
  if (domain && isIpAddress(name)) return `"${entry}": a wildcard goes with a domain name, not an IP address`;
  if (!isHostAddress(name) || name.includes('%')) return `"${entry}" is not a host name, an IP address or a domain such as .example.com`;
  return null;
}

/** Split what the admin typed (commas, spaces or new lines) into entries. */
export function splitNoProxy(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The canonical spelling used to spot duplicates: lower case, `.x` and `*.x` alike. */
function key(value: string): string {
  return value.toLowerCase().replace(/^\*\./, '.');
}

/**
 * Every entry the hosts need, in the order an admin would read them:
 * loopback, Services machine, GHE, Nomad clients, AWS, then the admin's own.
 * Duplicates (case-insensitive, `.x` = `*.x`) keep their first reason.
 */
export function assembleNoProxy(sources: NoProxySources): NoProxyEntry[] {
  const all: NoProxyEntry[] = [
    { value: '127.0.0.1', why: 'this machine' },
    { value: 'localhost', why: 'this machine' },
    ...sources.services.map((value) => ({ value, why: 'Services machine' })),
    ...sources.ghe.map((value) => ({ value, why: 'GitHub Enterprise' })),
    ...sources.nomadClients.map((c) => ({ value: c.address, why: `Nomad client ${c.name}` })),
    ...(sources.spares ?? []).map((c) => ({ value: c.address, why: `Hot spare ${c.name} (the Services machine after a failover)` })),
    ...(sources.aws ? AWS_NO_PROXY : []),
    ...sources.extras.map((value) => ({ value, why: 'added by you' })),
  ];
  const seen = new Set<string>();
  return all.filter((e) => {
    const k = key(e.value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** NO_PROXY's value: comma-separated. */
export function noProxyValue(entries: readonly NoProxyEntry[]): string {
  return entries.map((e) => e.value).join(',');
}

/**
 * Java's http.nonProxyHosts entries: a leading-dot domain becomes `*.domain`,
 * which is the only wildcard form Java knows; duplicates go.
 */
export function javaNonProxyHosts(entries: readonly NoProxyEntry[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const v = e.value.startsWith('.') ? `*${e.value}` : e.value;
    if (!out.some((o) => o.toLowerCase() === v.toLowerCase())) out.push(v);
  }
  return out;
}
