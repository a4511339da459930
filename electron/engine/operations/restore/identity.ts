/**
 * The lines a restore changes, as pure functions the preview and the steps
 * share: Replicated's address values in /etc/default/replicated* (or
 * /etc/sysconfig/*), and a Nomad client's `servers` and telemetry address in
 * /etc/nomad/config.hcl. Only these values change; every other byte stays.
 */

export const REPLICATED_FILES = ['/etc/default/replicated', '/etc/default/replicated-operator'] as const;
export const SYSCONFIG_FILES = ['/etc/sysconfig/replicated', '/etc/sysconfig/replicated-operator'] as const;
export const NOMAD_CONFIG = '/etc/nomad/config.hcl';

/** Keys whose value holds the machine's own address. */
const ADDRESS_KEYS = /^(PRIVATE_ADDRESS|PUBLIC_ADDRESS|LOCAL_ADDRESS|DAEMON_ENDPOINT|DAEMON_HOST)$/;

export interface LineChange {
  key: string;
  old: string;
  new: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replace `from` by `to` where it stands as a whole address (not inside 10.0.1.100 for 10.0.1.10). */
function swap(value: string, from: string, to: string): string {
  return value.replace(new RegExp(`(^|[^0-9A-Za-z.-])${escape(from)}(?![0-9A-Za-z-]|\\.[0-9A-Za-z])`, 'g'), (_m, pre: string) => `${pre}${to}`);
}

/** KEY=VALUE of a shell-style defaults file (quotes kept as they are). */
export function readAssignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** The bare address a value holds: "[10.0.1.5]:9879" → 10.0.1.5, '"10.0.1.5"' → 10.0.1.5. */
export function bareAddress(value: string): string {
  return value.replace(/^["']|["']$/g, '').replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/:\d+$/, '');
}

/**
 * The file with every address value naming an old address changed to the
 * spare's: old private → new private, old public → new public.
 */
export function rewriteReplicatedDefaults(text: string, swaps: { from: string; to: string }[]): { text: string; changes: LineChange[] } {
  const changes: LineChange[] = [];
  const lines = text.split('\n').map((line) => {
    const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || !ADDRESS_KEYS.test(m[2])) return line;
    let value = m[3];
    for (const s of swaps) if (s.from && s.to && s.from !== s.to) value = swap(value, s.from, s.to);
    if (value === m[3]) return line;
    changes.push({ key: m[2], old: m[3], new: value });
    return `${m[1]}${m[2]}=${value}`;
  });
  return { text: lines.join('\n'), changes };
}

/**
 * A Nomad client's config pointed at the spare: every `servers = [...]`
 * entry becomes SPARE:port (4647 when none), `statsd_address` SPARE:port
 * (8125 when none). Returns the changed lines.
 */
export function repointNomadConfig(text: string, spare: string): { text: string; changes: LineChange[] } {
  const changes: LineChange[] = [];
  const lines = text.split('\n').map((line) => {
    const servers = /^(\s*servers\s*=\s*)\[(.*)\](.*)$/.exec(line);
    if (servers) {
      const entries = servers[2].split(',').map((e) => e.trim()).filter(Boolean);
      const ports = [...new Set(entries.map((e) => /:(\d+)"?$/.exec(e)?.[1] ?? '4647'))];
      const value = `[${ports.map((p) => `"${spare}:${p}"`).join(', ')}]`;
      if (`[${servers[2]}]` === value) return line;
      changes.push({ key: 'servers', old: `[${servers[2]}]`, new: value });
      return `${servers[1]}${value}${servers[3]}`;
    }
    const statsd = /^(\s*statsd_address\s*=\s*)"([^"]*)"(.*)$/.exec(line);
    if (statsd) {
      const port = /:(\d+)$/.exec(statsd[2])?.[1] ?? '8125';
      const value = `${spare}:${port}`;
      if (statsd[2] === value) return line;
      changes.push({ key: 'statsd_address', old: statsd[2], new: value });
      return `${statsd[1]}"${value}"${statsd[3]}`;
    }
    return line;
  });
  return { text: lines.join('\n'), changes };
}

/** The SHA256 fingerprints in cloud-init's host key block of a console log (empty when none was printed). */
export function consoleFingerprints(console: string): { fingerprint: string; keyType?: string }[] {
  const out: { fingerprint: string; keyType?: string }[] = [];
  const re = /-----BEGIN SSH HOST KEY FINGERPRINTS-----([\s\S]*?)-----END SSH HOST KEY FINGERPRINTS-----/g;
  for (let m = re.exec(console); m; m = re.exec(console)) {
    for (const line of m[1].split('\n')) {
      // "ec2: 256 SHA256:… root@host (ED25519)" (the prefix varies by image).
      const f = /(SHA256:[A-Za-z0-9+/]{43})=?(?:\s+\S+)?(?:\s+\(([A-Z0-9-]+)\))?/.exec(line);
      if (f) out.push({ fingerprint: f[1], ...(f[2] ? { keyType: f[2] } : {}) });
    }
  }
  return out;
}

/** NO_PROXY-style values in a file that name `address` (KEY=… lines whose key mentions no_proxy). */
export function noProxyEntries(text: string, address: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_]*no_proxy[A-Za-z_]*)=(.*)$/i.exec(line);
    if (m && swap(m[2], address, '\u0000') !== m[2]) out.push(line.trim());
  }
  return out;
}
