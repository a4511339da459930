/**
 * Proof that the written files work: each host sources its own proxy file
 * (the one Drydock wrote) and fetches one URL through the proxy that file
 * names. The URL goes through the proxy even when NO_PROXY lists it (it is
 * usually the GHE host, which does), because what is being checked is the
 * proxy address and credentials in the files, not the URL.
 *
 * The proxy URL travels in the environment of curl, never on a command
 * line, so its password is neither in the audit log nor in `ps` on the host.
 */
import type { VerifyResult } from '../../../../shared/channels/proxy';
import type { Host } from '../../../../shared/hosts';
import type { SshPool } from '../../ssh/pool';
import { sh } from '../../ssh/quote';
import { PROXY_ENV_FILE } from './proxy-files';

const MARK = 'DRYDOCK-VERIFY';

function script(file: string, url: string): string {
  return [
    sh`f=${file}; u=${url}`,
    `c=$(command -v curl) || { echo "${MARK} nocurl"; exit 0; }`,
    `[ -r "$f" ] || { echo "${MARK} nofile"; exit 0; }`,
    // A subshell: a file that does not parse fails the check, not the session.
    `( set -a; . "$f" >/dev/null 2>&1 || { echo "${MARK} unsourceable"; exit 0; }; set +a`,
    '  case "$u" in https:*) p=${HTTPS_PROXY:-} ;; *) p=${HTTP_PROXY:-} ;; esac',
    `  [ -n "$p" ] || { echo "${MARK} noproxy"; exit 0; }`,
    '  out=$(http_proxy="$p" https_proxy="$p" "$c" -sS -o /dev/null -w "%{http_code}" --max-time 20 --noproxy "" "$u" 2>&1); rc=$?',
    `  printf '${MARK} curl %s %s\\n' "$rc" "$out" )`,
  ].join('\n');
}

/** Read what the check printed: `curl <exit> <stderr…><http code>`. */
export function interpretVerify(host: string, file: string, output: string): VerifyResult {
  const line = output.split('\n').find((l) => l.startsWith(MARK)) ?? '';
  const [, kind, ...rest] = line.split(' ');
  const fail = (message: string, httpCode = 0): VerifyResult => ({ host, ok: false, httpCode, message });
  if (kind === 'nocurl') return fail('curl is not installed on this host, so Drydock cannot check from here');
  if (kind === 'nofile') return fail(`${file} does not exist: apply the proxy settings first`);
  if (kind === 'unsourceable') return fail(`${file} does not parse as shell assignments`);
  if (kind === 'noproxy') return fail(`${file} sets no proxy for this URL's protocol`);
  if (kind !== 'curl') return fail(`the check printed nothing Drydock understands: ${output.trim().slice(0, 200)}`);
  const exit = Number(rest[0]);
  const text = rest.slice(1).join(' ').trim();
  const codeMatch = /(\d{3})$/.exec(text);
  const httpCode = codeMatch ? Number(codeMatch[1]) : 0;
  const said = (codeMatch ? text.slice(0, -3) : text).trim();
  if (exit === 0 && httpCode >= 200 && httpCode < 400) return { host, ok: true, httpCode, message: `HTTP ${httpCode} through the proxy in ${file}` };
  if (httpCode === 407) return fail('the proxy asked for credentials it did not get or did not accept (HTTP 407): check the proxy user and password', 407);
  if (httpCode) return fail(`HTTP ${httpCode} came back through the proxy (from the proxy or the site)${said ? `: ${said}` : ''}`, httpCode);
  return fail(`no answer through the proxy in ${file}: ${said || `curl exited ${exit}`}`);
}

export async function verifyFromHost(pool: SshPool, host: Host, url: string, signal?: AbortSignal): Promise<VerifyResult> {
  const file = host.role === 'services' ? PROXY_ENV_FILE.services : PROXY_ENV_FILE.nomad;
  try {
    const session = await pool.session(host.name, signal);
    const out = await session.check(script(file, url), { asRoot: true, signal, timeoutMs: 60_000 });
    return interpretVerify(host.name, file, out);
  } catch (err) {
    return { host: host.name, ok: false, httpCode: 0, message: `could not run the check: ${(err as Error).message}` };
  }
}

/** Every host at once: each check is independent and most of the time is spent waiting. */
export function verifyFromHosts(pool: SshPool, hosts: Host[], url: string, signal?: AbortSignal): Promise<VerifyResult[]> {
  return Promise.all(hosts.map((h) => verifyFromHost(pool, h, url, signal)));
}
