/**
 * Proof that the written files work the way the hosts' programs read them.
 *
 * A Nomad client's programs get the proxy from /etc/environment, which
 * pam_env reads when a session opens: the check opens a fresh SSH login
 * (an older connection still carries the environment of its own login),
 * sets nothing itself, and runs curl and wget as they are, NO_PROXY
 * honoured. The Services machine's services get theirs from
 * /etc/circle-installation-customizations, so there the check sources that
 * file, as the app does, and hands its names to curl and wget.
 *
 * Each tool's route is read from what it says it connected to: the check URL
 * must go through the proxy (or directly, when NO_PROXY lists it), and a
 * NO_PROXY host (GitHub Enterprise) must be reached directly, not through
 * the proxy. Only that evidence leaves the host: never the variables
 * themselves, which hold the proxy password.
 */
import type { VerifyResult } from '../../../../shared/channels/proxy';
import type { Host } from '../../../../shared/hosts';
import type { SshPool } from '../../ssh/pool';
import { sh } from '../../ssh/quote';
import { PROXY_ENV_FILE } from './proxy-files';

const MARK = 'DRYDOCK-VERIFY';

/** One tool's run, reduced to what is safe to show: exit, HTTP code, where it connected, its error line. */
const TOOL_FUNCTIONS = [
  'clean() { tr -d "\\r" | sed -e "s#//[^/@ ]*@#//***@#g" | tail -n 1; }',
  // curl -v says where it connected; its "Uses proxy env variable" lines carry the password and are dropped here.
  'run_curl() {',
  '  e=$(mktemp); code=$("$c" -sS -v -o /dev/null -w "%{http_code}" --max-time 20 "$1" 2>"$e"); rc=$?',
  '  via=$(sed -n "s/^\\* Connected to \\([^ ]*\\) ([^)]*) port \\([0-9]*\\).*/\\1:\\2/p" "$e" | tail -n 1)',
  '  err=$(grep "^curl: (" "$e" | clean); rm -f "$e"',
  `  printf '${MARK} %s tool=curl exit=%s code=%s via=%s err=%s\\n' "$2" "$rc" "\${code:-000}" "\${via:--}" "$err"`,
  '}',
  'run_wget() {',
  '  e=$(mktemp); "$w" -O /dev/null -T 20 -t 1 "$1" >"$e" 2>&1; rc=$?',
  '  via=$(sed -n "s/^Connecting to \\([^ ]*\\) ([^)]*)|[^|]*|:\\([0-9]*\\)\\.\\.\\..*/\\1:\\2/p; s/^Connecting to \\([^ ]*:[0-9]*\\)\\.\\.\\..*/\\1/p" "$e" | tail -n 1)',
  '  code=$(sed -n "s/.*awaiting response\\.\\.\\. \\([0-9][0-9][0-9]\\).*/\\1/p" "$e" | tail -n 1)',
  '  err=$(grep -E "failed|ERROR|error|Giving up" "$e" | clean); rm -f "$e"',
  `  printf '${MARK} %s tool=wget exit=%s code=%s via=%s err=%s\\n' "$2" "$rc" "\${code:-000}" "\${via:--}" "$err"`,
  '}',
];

/**
 * The check, for one host. `file`: the Services machine's customizations
 * file to source; null on a Nomad client (the login environment as it is).
 */
export function verifyScript(url: string, directUrl: string | null, file: string | null): string {
  return [
    sh`u=${url}; d=${directUrl ?? ''}; f=${file ?? ''}`,
    `c=$(command -v curl) || { echo "${MARK} nocurl"; exit 0; }`,
    'w=$(command -v wget) || w=',
    ...TOOL_FUNCTIONS,
    'if [ -n "$f" ]; then',
    `  [ -r "$f" ] || { echo "${MARK} nofile"; exit 0; }`,
    // A subshell keeps a file that does not parse from failing the session.
    `  ( set -a; . "$f" >/dev/null 2>&1 ) || { echo "${MARK} unsourceable"; exit 0; }`,
    '  set -a; . "$f" >/dev/null 2>&1; set +a',
    // The services get the upper-case names; curl and wget read the lower-case ones.
    '  http_proxy=${HTTP_PROXY:-}; https_proxy=${HTTPS_PROXY:-}; no_proxy=${NO_PROXY:-}; export http_proxy https_proxy no_proxy',
    'fi',
    // Which proxy the environment names (host:port only) and what it bypasses: no password leaves the host.
    'hp() { v=${1#*://}; v=${v##*@}; printf "%s" "${v%%/*}"; }',
    `printf '${MARK} env http=%s https=%s noproxy=%s\\n' "$(hp "\${http_proxy:-}")" "$(hp "\${https_proxy:-\${HTTPS_PROXY:-}}")" "\${no_proxy:-\${NO_PROXY:-}}"`,
    'run_curl "$u" check',
    '[ -z "$w" ] || run_wget "$u" check',
    '[ -z "$d" ] || run_curl "$d" direct',
    'true',
  ].join('\n');
}

interface ToolRun {
  target: 'check' | 'direct';
  tool: string;
  exit: number;
  code: number;
  via: string | null;
  err: string;
}

function parseRuns(output: string): { env: Record<string, string> | null; runs: ToolRun[]; kind: string | null } {
  let env: Record<string, string> | null = null;
  let kind: string | null = null;
  const runs: ToolRun[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(`${MARK} `)) continue;
    const rest = line.slice(MARK.length + 1);
    const word = rest.split(' ')[0];
    if (word === 'env') {
      env = Object.fromEntries([...rest.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]]));
    } else if (word === 'check' || word === 'direct') {
      const m = /^(\w+) tool=(\w+) exit=(\d+) code=(\d+) via=(\S*) err=(.*)$/.exec(rest);
      if (m) runs.push({ target: m[1] as ToolRun['target'], tool: m[2], exit: Number(m[3]), code: Number(m[4]), via: m[5] === '-' || !m[5] ? null : m[5], err: m[6].trim() });
    } else {
      kind = word;
    }
  }
  return { env, runs, kind };
}

/** host:port of a URL, as curl and wget print where they connected. */
function endpoint(url: string): { host: string; port: string } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port || (u.protocol === 'https:' ? '443' : '80') };
}

/** Whether a NO_PROXY list sends this host around the proxy, as curl reads it. */
export function bypassedBy(noProxy: string, host: string): boolean {
  const h = host.toLowerCase();
  return noProxy
    .split(',')
    .map((e) => e.trim().toLowerCase().replace(/^\*\./, '.'))
    .filter(Boolean)
    .some((e) => e === '*' || h === e.replace(/^\./, '') || h.endsWith(e.startsWith('.') ? e : `.${e}`));
}

const sameEndpoint = (via: string, host: string, port: string) => via.toLowerCase() === `${host}:${port}`;

function describeRun(r: ToolRun): string {
  return r.err || (r.code ? `HTTP ${r.code}` : `exit ${r.exit}`);
}

/** Read what the check printed into one verdict per host. */
export function interpretVerify(host: string, file: string, output: string, url: string, directUrl: string | null): VerifyResult {
  const fail = (message: string, httpCode = 0): VerifyResult => ({ host, ok: false, httpCode, message });
  const { env, runs, kind } = parseRuns(output);
  if (kind === 'nocurl') return fail('curl is not installed on this host, so Drydock cannot check from here');
  if (kind === 'nofile') return fail(`${file} does not exist or cannot be read: apply the proxy settings first`);
  if (kind === 'unsourceable') return fail(`${file} does not parse as shell assignments`);
  const checks = runs.filter((r) => r.target === 'check');
  if (!env || !checks.length) return fail(`the check printed nothing Drydock understands: ${output.replace(/\/\/[^/@\s]*@/g, '//***@').trim().slice(0, 200)}`);

  const target = endpoint(url);
  const proxy = (url.startsWith('https:') ? env.https : env.http) || '';
  const direct = bypassedBy(env.noproxy ?? '', target.host);
  const how = file === PROXY_ENV_FILE.nomad ? 'from a fresh login (pam_env reads /etc/environment)' : `with ${file} sourced`;
  const problems: string[] = [];
  let httpCode = 0;
  for (const r of checks) {
    httpCode = httpCode || r.code;
    const viaProxy = !!r.via && !!proxy && r.via.toLowerCase() === proxy.toLowerCase();
    const viaDirect = !!r.via && sameEndpoint(r.via, target.host, target.port);
    if (!direct && !proxy) problems.push(`${r.tool}: no ${url.startsWith('https:') ? 'https_proxy' : 'http_proxy'} ${how}, so it would go around the proxy`);
    else if (!direct && viaDirect) problems.push(`${r.tool} went directly to ${r.via}, not through the proxy ${proxy}`);
    else if (direct && viaProxy) problems.push(`${r.tool} went through the proxy although NO_PROXY lists ${target.host}`);
    else if (r.code === 407) problems.push(`${r.tool}: the proxy asked for credentials it did not get or did not accept (HTTP 407): check the proxy user and password`);
    else if (r.code >= 400 || (r.code && r.code < 200)) problems.push(`${r.tool}: HTTP ${r.code} came back ${direct ? 'from the site' : 'through the proxy (from the proxy or the site)'}`);
    else if (r.exit !== 0 || !r.code) problems.push(`${r.tool} got no answer ${direct ? 'directly' : `through the proxy ${proxy}`}: ${describeRun(r)}`);
  }
  const tools = checks.map((r) => r.tool).join(' and ');
  const route = direct ? `directly (NO_PROXY lists ${target.host})` : `through the proxy ${proxy}`;

  let directNote = '';
  const d = runs.find((r) => r.target === 'direct');
  if (d && directUrl) {
    const { host: dh, port: dp } = endpoint(directUrl);
    if (d.via && proxy && d.via.toLowerCase() === proxy.toLowerCase()) problems.push(`${dh} went through the proxy although NO_PROXY lists it`);
    else if (d.via && sameEndpoint(d.via, dh, dp)) directNote = `; ${dh} (NO_PROXY) reached directly`;
    else directNote = `; ${dh} (NO_PROXY) bypasses the proxy but did not answer directly: ${describeRun(d)}`;
  }
  if (problems.length) {
    const auth = problems.find((p) => p.includes('HTTP 407'));
    return fail(`${problems.join('; ')} (${how})`, auth ? 407 : httpCode);
  }
  const missing = checks.some((r) => r.tool === 'wget') ? '' : ' (wget is not installed here)';
  return { host, ok: true, httpCode, message: `${tools}: HTTP ${httpCode} ${route}, ${how}${missing}${directNote}` };
}

export async function verifyFromHost(pool: SshPool, host: Host, url: string, directUrl: string | null, signal?: AbortSignal): Promise<VerifyResult> {
  const services = host.role === 'services';
  const file = services ? PROXY_ENV_FILE.services : PROXY_ENV_FILE.nomad;
  try {
    // A new login: pam_env reads /etc/environment when a session opens, not later.
    const session = await pool.fresh(host.name, signal);
    try {
      const script = verifyScript(url, directUrl && directUrl !== url ? directUrl : null, services ? file : null);
      // The customizations file may be root's alone; a client's login environment is the login user's own.
      const out = services ? await session.check(script, { asRoot: true, signal, timeoutMs: 90_000 }) : await session.check(script, { signal, timeoutMs: 90_000 });
      return interpretVerify(host.name, file, out, url, directUrl && directUrl !== url ? directUrl : null);
    } finally {
      session.close();
    }
  } catch (err) {
    return { host: host.name, ok: false, httpCode: 0, message: `could not run the check: ${(err as Error).message}` };
  }
}

/** Every host at once: each check is independent and most of the time is spent waiting. */
export function verifyFromHosts(pool: SshPool, hosts: Host[], url: string, directUrl: string | null, signal?: AbortSignal): Promise<VerifyResult[]> {
  return Promise.all(hosts.map((h) => verifyFromHost(pool, h, url, directUrl, signal)));
}
