/**
 * Verdicts on how a host sits on the network: its own ports, what it reaches
 * (probed from the host: before install nothing listens, so "connection
 * refused" proves the path is open and a timeout means a firewall drops it),
 * the statsd datagram, and its clock against the laptop and the other hosts.
 */
import type { HostMeasure, Probe } from './measure';
import type { PreflightCheck } from './preflight';
import { LOCAL_PORTS, REACH, portLabel } from './ports';
import { CLOCK, PROBE_TIMEOUT_SECONDS } from './requirements';

type Check = Omit<PreflightCheck, 'host' | 'group'>;
const check = (id: string, title: string, status: Check['status'], value: string, fix = ''): Check => ({ id, title, status, value, fix: status === 'pass' ? '' : fix });

export function assessPorts(m: HostMeasure): Check[] {
  if (!m.listeners) return [];
  const out: Check[] = [];
  for (const p of LOCAL_PORTS.filter((x) => x.roles.includes(m.role))) {
    const label = portLabel(p);
    const holders = m.listeners.filter((l) => l.proto === p.proto && l.port >= p.port && l.port <= (p.to ?? p.port));
    const who = holders.map((l) => `${l.process ?? 'unknown program'} on ${l.address}:${l.port}`).join(', ');
    if (p.expect === 'listening') {
      out.push(check(`port:${p.proto}/${p.port}`, `Port ${label} listening (${p.use})`, holders.length ? 'pass' : 'warn', holders.length ? `listening: ${who}` : 'nothing listens', `Run sshd on port ${p.port}: the guide's firewall tables expect administrators' SSH there.`));
      continue;
    }
    const expected = holders.length > 0 && holders.every((l) => l.process && p.owners?.some((o) => l.process!.includes(o)));
    out.push(
      check(
        `port:${p.proto}/${p.port}`,
        `Port ${label} free (${p.use})`,
        holders.length === 0 || expected ? 'pass' : 'fail',
        holders.length === 0 ? 'free' : expected ? `listening as expected: ${who}` : `taken by ${who}`,
        `Stop or move ${holders[0]?.process ?? 'the program'} listening on ${holders[0]?.port ?? p.port}/${p.proto}: CircleCI needs it for ${p.use}.`,
      ),
    );
  }
  return out;
}

const OUTCOME_TEXT: Record<Probe['outcome'], string> = {
  open: 'open (something listens)',
  refused: 'connection refused: reachable, nothing listens yet',
  timeout: `no answer in ${PROBE_TIMEOUT_SECONDS} s: filtered`,
  unreachable: 'no route to host',
  unresolved: 'name does not resolve',
  error: 'probe failed',
};

export function assessReach(m: HostMeasure): Check[] {
  if (!m.probes) return [];
  return m.probes.map((p) => {
    const use = REACH.find((r) => r.proto === p.proto && r.ports.includes(p.port) && (r.to === p.target || (r.to === 'nomad' && p.target !== 'services' && p.target !== 'ghe')))?.use ?? '';
    const ok = p.outcome === 'open' || p.outcome === 'refused';
    const detail = p.outcome === 'error' || p.outcome === 'unreachable' ? `${OUTCOME_TEXT[p.outcome]}: ${p.detail}` : OUTCOME_TEXT[p.outcome];
    const fix =
      p.outcome === 'unresolved'
        ? `Make ${p.address} resolvable from ${m.host} first.`
        : `Allow ${p.proto.toUpperCase()} ${p.port} from ${m.host} to ${p.target} (${p.address}) in every firewall and security group between them${use ? `: ${use}` : ''}.`;
    return check(`reach:${p.target}/${p.proto}/${p.port}`, `${m.host} → ${p.target} ${p.port}/${p.proto}${use ? ` (${use})` : ''}`, ok ? 'pass' : 'fail', detail, fix);
  });
}

export function assessUdp(m: HostMeasure): Check[] {
  if (!m.udp) return [];
  const { outcome, detail } = m.udp;
  const title = `${m.host} → services 8125/udp (statsd metrics)`;
  if (outcome === 'received') return [check('udp:services/8125', title, 'pass', `datagram received by Drydock's listener${detail ? ` (${detail})` : ''}`)];
  if (outcome === 'not-received') {
    return [check('udp:services/8125', title, 'fail', `no datagram arrived: ${detail}`, `Allow UDP 8125 from ${m.host} to the Services machine in every firewall and security group: Nomad's metrics go there.`)];
  }
  // Never a pass: nothing proved the path open.
  return [check('udp:services/8125', title, 'warn', `not checkable: ${detail}`, 'Check by hand that UDP 8125 reaches the Services machine from this client (e.g. nc -u), or install perl or python3 on the Services machine for Drydock\'s listener.')];
}

const secs = (ms: number) => `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(1)} s`;
const clockStatus = (ms: number): Check['status'] => (Math.abs(ms) > CLOCK.failSeconds * 1000 ? 'fail' : Math.abs(ms) > CLOCK.warnSeconds * 1000 ? 'warn' : 'pass');
const CLOCK_FIX = 'Sync this host\'s clock with NTP (timedatectl set-ntp true, chrony or ntpd against your internal time server): TLS, Replicated and Nomad need agreeing clocks.';

/** Against the laptop; the round trip's half is subtracted, so a slow link does not look like skew. */
export function assessClock(m: HostMeasure): Check[] {
  if (!m.clock) return [];
  const { offsetMs, uncertaintyMs } = m.clock;
  const beyond = Math.sign(offsetMs) * Math.max(0, Math.abs(offsetMs) - uncertaintyMs);
  return [check('clock', 'Clock vs this laptop', clockStatus(beyond), `${secs(offsetMs)} (±${(uncertaintyMs / 1000).toFixed(2)} s)`, CLOCK_FIX)];
}

/** Against the other hosts: each host's offset from the hosts' median. */
export function assessClockBetween(measures: HostMeasure[]): Map<string, Check> {
  const timed = measures.filter((m) => m.clock);
  const result = new Map<string, Check>();
  if (timed.length < 2) return result;
  const sorted = timed.map((m) => m.clock!.offsetMs).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  for (const m of timed) {
    const d = m.clock!.offsetMs - median;
    const slack = m.clock!.uncertaintyMs;
    const beyond = Math.sign(d) * Math.max(0, Math.abs(d) - slack);
    result.set(m.host, check('clock:hosts', 'Clock vs the other hosts', clockStatus(beyond), `${secs(d)} from the hosts' median`, CLOCK_FIX));
  }
  return result;
}
