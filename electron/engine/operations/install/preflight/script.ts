/**
 * The one shell script each host runs for its checks: plain bash and what
 * every Linux has (/proc, df, getent, /dev/tcp, timeout), nothing installed,
 * nothing written. Each part prints under its own `---drydock:NAME---`
 * marker so parse.ts can read them apart; only the groups asked for run.
 */
import { CUSTOMIZATIONS, DOCKER_DROP_IN, ENVIRONMENT, REPLICATED_CONF } from '../../../../../shared/proxy/render';
import { PROBE_TIMEOUT_SECONDS } from '../../../../../shared/install/requirements';
import type { Proto } from '../../../../../shared/install/ports';
import { quote } from '../../../ssh/quote';

export interface ProbeTarget {
  target: string;
  address: string;
  proto: Proto;
  port: number;
}

export interface ScriptInput {
  role: 'services' | 'nomad' | 'spare';
  /** The host's own address as the inventory has it (its listeners are matched against it). */
  address: string;
  groups: Set<string>;
  diskPaths: string[];
  names: { kind: 'circleci' | 'ghe'; name: string }[];
  probes: ProbeTarget[];
  /** A datagram to send to Drydock's listener on the Services machine. */
  udp?: { address: string; port: number; payload: string };
}

export const PROXY_FILES = { services: [CUSTOMIZATIONS, REPLICATED_CONF], nomad: [ENVIRONMENT, DOCKER_DROP_IN] } as const;

const mark = (name: string) => `echo '---drydock:${name}---'`;

/** Root's files (ss -p names, 0600 proxy files) read with sudo only when it needs no password. */
const ROOT = 'if [ "$(id -u)" = 0 ]; then asroot() { "$@"; }; else asroot() { sudo -n "$@" 2>/dev/null; }; fi';

/**
 * The probes of one host, all at once inside one bash that `timeout` ends
 * after PROBE_TIMEOUT_SECONDS with every probe still waiting (timeout signals
 * its whole process group): a refused or open port answers in milliseconds,
 * so a probe with no line when the time is up got no answer at all
 * (filtered). Each probe is a fork of that bash, not a new program, so a
 * Services machine probing every client stays cheap.
 */
function probeBatch(probes: ProbeTarget[]): string {
  const inner = [
    'probe() {',
    '  out=$( { exec 3<>"/dev/tcp/$2/$3"; } 2>&1 ); rc=$?',
    // A bash built without network redirections: nc does the same job where present.
    '  if [ $rc -ne 0 ] && [[ $out == *"No such file"* ]] && command -v nc >/dev/null; then out=$(nc -z -v -w 3 "$2" "$3" 2>&1); rc=$?; fi',
    // Bash's own string replacement: no extra program per probe.
    '  printf "PROBE %s %s %s\\n" "$1" "$rc" "${out//[$\'\\n\\t\']/ }"',
    '}',
    ...probes.map((p) => `probe ${quote(`${p.target}/${p.proto}/${p.port}`)} ${quote(p.address)} ${p.port} &`),
    'wait',
  ].join('\n');
  return `timeout ${PROBE_TIMEOUT_SECONDS} bash -c ${quote(inner)}; true`;
}

export function hostScript(input: ScriptInput): string {
  const g = input.groups;
  const lines = ['export LC_ALL=C', ROOT];
  if (g.has('udp') && input.udp) {
    const { address, port, payload } = input.udp;
    // Three datagrams a little apart (one lost on a busy link is not a filtered port), sent while the rest runs.
    lines.push(`(for i in 1 2 3; do printf '%s\\n' ${quote(payload)} 2>/dev/null >${quote(`/dev/udp/${address}/${port}`)}; sleep 0.2; done) >/dev/null 2>&1 &`);
  }
  if (g.has('os')) lines.push(mark('os'), 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null', 'echo "DRYDOCK_KERNEL=$(uname -r)"');
  if (g.has('resources')) lines.push(mark('cpu'), "grep -c '^processor' /proc/cpuinfo", mark('mem'), "grep '^MemTotal:' /proc/meminfo");
  if (g.has('disk')) {
    lines.push(
      mark('disk'),
      `for p in ${input.diskPaths.map(quote).join(' ')}; do q=$p; while [ ! -e "$q" ]; do q=$(dirname -- "$q"); done; printf '%s\\t' "$p"; df -Pk -- "$q" | tail -n 1; done`,
    );
  }
  if (g.has('docker')) {
    const server = "docker version --format '{{.Server.Version}}'";
    lines.push(mark('docker'), 'docker --version 2>/dev/null', mark('dockerd'), `if command -v docker >/dev/null; then ${server} 2>/dev/null || asroot ${server}; fi; true`);
  }
  if (g.has('dns')) {
    lines.push(mark('dns'));
    for (const n of input.names) lines.push(`echo ${n.kind} $(getent ahosts ${quote(n.name)} | awk '{print $1}' | sort -u)`);
  }
  if (g.has('ports')) {
    lines.push(
      mark('tcp'),
      'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null',
      mark('udp'),
      'cat /proc/net/udp /proc/net/udp6 2>/dev/null',
      mark('ss'),
      'if command -v ss >/dev/null; then asroot ss -Hltnup || ss -Hltnup; fi 2>/dev/null; true',
      mark('addrs'),
      `getent ahosts ${quote(input.address)} | awk '{print $1}' | sort -u`,
    );
  }
  if (g.has('reach') && input.probes.length) lines.push(mark('reach'), probeBatch(input.probes));
  if (g.has('udp') && input.udp) lines.push('wait');
  if (g.has('proxy')) {
    lines.push(mark('proxy'));
    const files = input.role === 'nomad' ? PROXY_FILES.nomad : PROXY_FILES.services;
    const re = quote('(^|[[:space:]"])(HTTP_PROXY|http_proxy|HttpProxy)"?[=:]');
    for (const f of files) {
      const q = quote(f);
      lines.push(
        `if [ ! -e ${q} ]; then echo absent ${q}; elif [ -r ${q} ]; then if grep -qE ${re} ${q}; then echo set ${q}; else echo unset ${q}; fi; ` +
          `elif asroot test -r ${q}; then if asroot grep -qE ${re} ${q}; then echo set ${q}; else echo unset ${q}; fi; else echo unreadable ${q}; fi`,
      );
    }
  }
  lines.push('true');
  return lines.join('\n');
}
