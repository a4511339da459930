/**
 * The DR drill's outbound block: while a restored copy of the Services
 * machine runs on the spare, it must not run scheduled workflows, send mail
 * or call GitHub. Rendered for `iptables-restore --noflush` (older Ubuntu has
 * no nft; iptables-nft reads the same text), in chains Drydock owns so that
 * loading and removing touch nothing else:
 *
 * - DRYDOCK-DRILL, first in OUTPUT: the host's own traffic;
 * - DRYDOCK-DRILL-FWD, first in DOCKER-USER: the containers' traffic, which
 *   is forwarded, not output (Docker keeps DOCKER-USER's rules, never ours).
 *
 * Open: loopback, replies and related traffic (the admin's SSH session, and
 * any new SSH or health check coming in), what the spare's sshd sends from
 * its own port (see sshRule), the Docker bridges (`docker+`,
 * `br-+`: also those Replicated creates after the block), and the host's own
 * address (the app pulls images from PRIVATE_ADDRESS:9874). Everything else
 * is rejected at once (TCP reset, ICMP unreachable), not dropped: an app
 * that tries to call out fails fast instead of hanging.
 *
 * The rules are written exactly as `iptables -S` prints them, so the loaded
 * set can be compared rule for rule.
 */
import { DrydockError } from '../../../../../shared/errors';

export const CHAIN = 'DRYDOCK-DRILL';
export const FWD_CHAIN = 'DRYDOCK-DRILL-FWD';
export const RULES_FILE = { v4: '/etc/drydock-drill-firewall.v4', v6: '/etc/drydock-drill-firewall.v6' } as const;

export interface DrillBlock {
  /** The spare's private address (PRIVATE_ADDRESS after the identity fix). */
  privateAddress: string;
  /** Bridges besides Docker's own (`docker+`, `br-+`) that must stay open, e.g. a custom bridge the app uses. */
  extraBridges?: string[];
  /** The port the spare's sshd listens on (the inventory's port for the spare; default 22). */
  sshPort?: number;
}

const IFACE = /^[A-Za-z0-9_.+-]{1,15}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function bridgesOf(b: DrillBlock): string[] {
  const extra = b.extraBridges ?? [];
  for (const i of extra) if (!IFACE.test(i)) throw new DrydockError('INVALID_INPUT', `Not an interface name: ${i}`);
  return [...new Set(['docker+', 'br-+', ...extra])];
}

export function sshPortOf(b: DrillBlock): number {
  const port = b.sshPort ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DrydockError('INVALID_INPUT', `Not a TCP port: ${String(b.sshPort)}`);
  return port;
}

/**
 * The admin's SSH session must not depend on conntrack. On a spare where
 * nothing used conntrack before the block loads (no NAT rule yet: Docker
 * not started), conntrack first meets the session mid-stream, and when that
 * first packet is sshd's (a keepalive, output), it is NEW, not ESTABLISHED:
 * the REJECT would reset the admin's session. So sshd's own traffic goes
 * out by its source port — but only segments of a connection already open
 * (ACK set, SYN not): a new outbound TCP connection starts with a bare SYN
 * and cannot get through here, even from a process bound to that port (only
 * root can bind it, and sshd holds it); an ACK sent to a server nothing
 * connected to opens nothing (it answers RST). The SYN-ACK to a new login
 * coming in is ESTABLISHED for conntrack, which saw the login's SYN. Data,
 * FIN and RST+ACK of the session pass. (`--tcp-flags SYN NONE` would say it
 * too, but iptables-restore-translate renders it in a form nft rejects.)
 */
function sshRule(b: DrillBlock): string {
  return `-A ${CHAIN} -p tcp -m tcp --sport ${sshPortOf(b)} --tcp-flags SYN,ACK ACK -j RETURN`;
}

/** The rules of our two chains (v4 or v6), each as `iptables -S` prints it, and the hooks into OUTPUT and DOCKER-USER. */
export function chainRules(b: DrillBlock, family: 'v4' | 'v6'): { rules: string[]; hooks: string[] } {
  if (family === 'v4' && !IPV4.test(b.privateAddress)) throw new DrydockError('INVALID_INPUT', `Not an IPv4 address: ${b.privateAddress}`);
  const reject = family === 'v4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
  const common = (chain: string, outward: 'o') => [
    `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
    ...bridgesOf(b).map((i) => `-A ${chain} -${outward} ${i} -j RETURN`),
  ];
  const rules = [
    `-A ${CHAIN} -o lo -j RETURN`,
    sshRule(b),
    ...common(CHAIN, 'o'),
    ...(family === 'v4' ? [`-A ${CHAIN} -d ${b.privateAddress}/32 -j RETURN`] : []),
    `-A ${CHAIN} -p tcp -j REJECT --reject-with tcp-reset`,
    `-A ${CHAIN} -j REJECT --reject-with ${reject}`,
    ...common(FWD_CHAIN, 'o'),
    `-A ${FWD_CHAIN} -p tcp -j REJECT --reject-with tcp-reset`,
    `-A ${FWD_CHAIN} -j REJECT --reject-with ${reject}`,
  ];
  return { rules, hooks: [`-A OUTPUT -j ${CHAIN}`, `-A DOCKER-USER -j ${FWD_CHAIN}`] };
}

/**
 * The file `iptables-restore --noflush` loads: only our chains are declared
 * (declaring one flushes it, which makes a second load the same as the
 * first); the hooks are put first in OUTPUT and DOCKER-USER by the load
 * script, which removes any earlier hook first, so there is never two.
 */
export function renderRules(b: DrillBlock, family: 'v4' | 'v6'): string {
  const { rules } = chainRules(b, family);
  return [
    `# Drydock DR drill: outbound block (${family === 'v4' ? 'IPv4' : 'IPv6'}) for the spare at ${b.privateAddress}.`,
    '# Loaded with iptables-restore --noflush; removed by Drydock when the drill ends. Do not edit.',
    '*filter',
    `:${CHAIN} - [0:0]`,
    `:${FWD_CHAIN} - [0:0]`,
    ...rules,
    'COMMIT',
    '',
  ].join('\n');
}

/** What `iptables -S` shows of our block: our chains' rules and our hooks (in order), nothing else. */
export function loadedBlock(iptablesS: string): { rules: string[]; hooks: string[]; hookFirst: { output: boolean; dockerUser: boolean } } {
  const lines = iptablesS.split('\n').map((l) => l.trim()).filter(Boolean);
  const rules = lines.filter((l) => l.startsWith(`-A ${CHAIN} `) || l.startsWith(`-A ${FWD_CHAIN} `));
  const hooks = lines.filter((l) => l === `-A OUTPUT -j ${CHAIN}` || l === `-A DOCKER-USER -j ${FWD_CHAIN}`);
  const first = (chain: string) => lines.find((l) => l.startsWith(`-A ${chain} `));
  return { rules, hooks, hookFirst: { output: first('OUTPUT') === `-A OUTPUT -j ${CHAIN}`, dockerUser: first('DOCKER-USER') === `-A DOCKER-USER -j ${FWD_CHAIN}` } };
}

/** Why the loaded block is not exactly the rendered one (null: it is, hooked first in both chains, once). */
export function blockDifference(b: DrillBlock, family: 'v4' | 'v6', iptablesS: string): string | null {
  const want = chainRules(b, family);
  const got = loadedBlock(iptablesS);
  const missing = want.rules.filter((r) => !got.rules.includes(r));
  const extra = got.rules.filter((r) => !want.rules.includes(r));
  if (missing.length) return `missing rules: ${missing.join('; ')}`;
  if (extra.length) return `rules not in the plan: ${extra.join('; ')}`;
  if (got.rules.join('\n') !== want.rules.join('\n')) return 'the rules are in another order';
  for (const h of want.hooks) {
    const n = got.hooks.filter((x) => x === h).length;
    if (n !== 1) return `${h.replace(/^-A /, '')} is hooked ${n} times`;
  }
  if (!got.hookFirst.output) return `${CHAIN} is not the first rule of OUTPUT`;
  if (!got.hookFirst.dockerUser) return `${FWD_CHAIN} is not the first rule of DOCKER-USER`;
  return null;
}

/** Nothing of ours is left (after removal). */
export function blockGone(iptablesS: string): boolean {
  const got = loadedBlock(iptablesS);
  return got.rules.length === 0 && got.hooks.length === 0 && !new RegExp(`^-N (${CHAIN}|${FWD_CHAIN})$`, 'm').test(iptablesS);
}
