/**
 * Where the CircleCI hostname leads, asked from two places (issue 11 step 8):
 * this computer (the admin's resolver, as users' browsers ask) and each
 * Nomad client (`getent hosts`, the resolver builds use; in a VPC that is
 * often another DNS, split horizon or a stale cache). Both answers are
 * reported; when they disagree the admin is told which says what.
 */
import { promises as dns } from 'node:dns';
import { quote } from '../../ssh/quote';
import type { SshPool } from '../../ssh/pool';

export interface DnsAnswer {
  /** "this computer" or the client's inventory name. */
  from: string;
  addresses: string[];
  /** Why there is no answer (not found, host unreachable). */
  error?: string;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/;

export const LAPTOP = 'this computer';

async function fromLaptop(hostname: string): Promise<DnsAnswer> {
  try {
    return { from: LAPTOP, addresses: [...new Set((await dns.lookup(hostname, { all: true })).map((a) => a.address))] };
  } catch (err) {
    // An air-gapped laptop often has no resolver it can reach (EAI_AGAIN): that is not an answer about the name.
    const code = (err as NodeJS.ErrnoException).code;
    return { from: LAPTOP, addresses: [], error: code === 'ENOTFOUND' ? 'does not resolve' : code === 'EAI_AGAIN' ? 'no DNS server answered' : (err as Error).message };
  }
}

/** `getent hosts NAME` on a client: exit 2 is "not found"; any other failure is said as it is. */
async function fromClient(pool: SshPool, client: string, hostname: string, signal?: AbortSignal): Promise<DnsAnswer> {
  try {
    const session = await pool.session(client, signal);
    const r = await session.run(`getent hosts ${quote(hostname)}`, { ...(signal ? { signal } : {}), timeoutMs: 30_000 });
    if (r.code === 2) return { from: client, addresses: [], error: 'does not resolve' };
    if (r.code !== 0) return { from: client, addresses: [], error: `getent exited ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ''}` };
    const addresses = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
    return { from: client, addresses: [...new Set(addresses)] };
  } catch (err) {
    return { from: client, addresses: [], error: `not asked: ${(err as Error).message}` };
  }
}

/** The laptop's answer first, then each client's. A name that is not a hostname is not sent to any shell. */
export async function dnsAnswers(pool: SshPool, hostname: string, clients: string[], signal?: AbortSignal): Promise<DnsAnswer[]> {
  const laptop = await fromLaptop(hostname);
  if (!HOSTNAME.test(hostname)) return [laptop];
  const out = [laptop];
  for (const c of clients) out.push(await fromClient(pool, c, hostname, signal));
  return out;
}

export interface DnsVerdict {
  /** Every place that resolves the name resolves it to the spare, and at least one does. */
  ok: boolean;
  /** The answers disagree (some name the spare, some do not, or different addresses). */
  disagree: boolean;
  /** "this computer: a, b; nomad1: c (the spare)" for notes, the report and the GUI. */
  said: string;
}

export function judgeAnswers(hostname: string, answers: DnsAnswer[], targets: string[]): DnsVerdict {
  const toSpare = (a: DnsAnswer) => a.addresses.some((x) => targets.includes(x));
  const resolving = answers.filter((a) => a.addresses.length);
  const ok = resolving.length > 0 && resolving.every(toSpare);
  const keys = new Set(answers.map((a) => (a.addresses.length ? [...a.addresses].sort().join(',') : '-')));
  const disagree = answers.length > 1 && keys.size > 1;
  const one = (a: DnsAnswer) => `${a.from}: ${a.addresses.length ? `${a.addresses.join(', ')}${toSpare(a) ? ' (the spare)' : ' (not the spare)'}` : a.error ?? 'no answer'}`;
  const said = `${hostname} from ${answers.map(one).join('; ')}${disagree ? ' — the answers disagree (split DNS, or a resolver still caching the old record until its TTL runs out)' : ''}`;
  return { ok, disagree, said };
}
