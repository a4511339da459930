/**
 * Proxy addresses as the guide insists on them: `<protocol>://<host>:<port>`
 * ("if you miss any part, apt-get won't work correctly"). The same checks run
 * in the wizard as the admin types and in the engine before anything is
 * written, so a URL is refused with the same sentence in both places.
 *
 * Everything a proxy URL may contain ends up inside double quotes in shell
 * files, in /etc/environment and in a systemd unit, so the accepted alphabet
 * is deliberately narrow: credentials must be percent-encoded, which also
 * keeps `$`, quotes and backslashes out of every file.
 */
import { isHostAddress, isIpAddress } from '../hosts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ProxyEndpoint {
  protocol: 'http' | 'https';
  /** Host name or IP; IPv6 without brackets. */
  host: string;
  port: number;
  /** Percent-encoded, exactly as it goes into the URL. */
  username?: string;
  password?: string;
  /** `protocol://[user[:password]@]host:port`, the form written into every file. */
  url: string;
}

const EXAMPLE = 'http://10.0.0.33:3128';
/** What RFC 3986 calls unreserved: the only characters credentials may carry unencoded. */
const UNRESERVED = /^[A-Za-z0-9._~-]$/;
/** What may appear anywhere in a proxy URL; everything else gets a specific message. */
const URL_ALPHABET = /^[A-Za-z0-9._~%:@/[\]-]$/;

/** `%24` for `$`: how to write a character in a URL, for the error messages. */
export function percentEncode(ch: string): string {
  return [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Encode a user name or password for a proxy URL (everything but unreserved characters). */
export function encodeCredential(raw: string): string {
  return [...raw].map((ch) => (UNRESERVED.test(ch) ? ch : percentEncode(ch))).join('');
}

function describeChar(ch: string): string {
  if (/\s/.test(ch)) return 'a space';
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  const named: Record<string, string> = { '"': 'a double quote', "'": 'a single quote', '`': 'a backquote', '\\': 'a backslash' };
  return named[ch] ?? `"${ch}"`;
}

function checkCredential(part: string, what: 'user name' | 'password'): string | null {
  for (let i = 0; i < part.length; i++) {
    const ch = part[i];
    if (ch === '%') {
      if (!/^%[0-9A-Fa-f]{2}$/.test(part.slice(i, i + 3))) return `the ${what} has a "%" that is not followed by two hex digits: write a literal % as %25`;
      i += 2;
      continue;
    }
    if (!UNRESERVED.test(ch)) return `the ${what} contains ${describeChar(ch)}: credentials must be URL-encoded (write it as ${percentEncode(ch)})`;
  }
  try {
    decodeURIComponent(part);
  } catch {
    return `the ${what} is not valid percent-encoded UTF-8`;
  }
  return null;
}

/** Check a port written in a URL or a form field: digits only, 1 to 65535. */
export function checkPort(text: string): Checked<number> {
  if (text === '') return { ok: false, error: `no port: the guide wants <protocol>://<host>:<port>, e.g. ${EXAMPLE}` };
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    return { ok: false, error: `port ${text} is out of range: use 1 to 65535` };
  }
  return { ok: true, value: Number(text) };
}

/**
 * Parse and check one proxy URL. `label` starts every error ("Proxy URL:
 * …") so the CLI and the wizard name the field the same way.
 */
export function parseProxyUrl(input: string, label = 'Proxy URL'): Checked<ProxyEndpoint> {
  const fail = (why: string): Checked<ProxyEndpoint> => ({ ok: false, error: `${label}: ${why}` });
  const text = input;
  if (text.trim() === '') return fail(`give it as <protocol>://<host>:<port>, e.g. ${EXAMPLE}`);
  if (text !== text.trim()) return fail('remove the spaces around it');
  const bad = [...text].find((ch) => !URL_ALPHABET.test(ch));
  if (bad) {
    return fail(`contains ${describeChar(bad)}, which cannot be written safely into the hosts' files; inside a user name or password write it URL-encoded (${percentEncode(bad)})`);
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(text);
  if (!scheme) return fail(`no protocol: write it as <protocol>://<host>:<port>, e.g. http://${text.replace(/^\/+/, '')} (the guide: if you miss any part, apt-get won't work)`);
  const protocol = scheme[1];
  if (protocol !== 'http' && protocol !== 'https') {
    return fail(`the protocol must be http:// or https:// (got ${protocol}://); apt, curl, Docker and Java all need one of those`);
  }
  let rest = scheme[2];
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.includes('/')) return fail('no path after the port: only <protocol>://<host>:<port>');

  const at = rest.lastIndexOf('@');
  let userinfo: string | null = null;
  if (at !== -1) {
    userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (userinfo.includes('@')) return fail('an "@" inside the user name or password must be written %40');
  }
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    username = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? undefined : userinfo.slice(colon + 1);
    if (username === '') return fail('the user name before "@" is empty');
    if (password !== undefined && password.includes(':')) return fail('a ":" inside the password must be written %3A');
    const problem = checkCredential(username, 'user name') ?? (password !== undefined ? checkCredential(password, 'password') : null);
    if (problem) return fail(problem);
  }

  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    if (!isIpAddress(host) || !host.includes(':')) return fail(`[${host}] is not an IPv6 address`);
    if (bracketed[2] === undefined) return fail(`no port: the guide wants <protocol>://<host>:<port>, e.g. ${protocol}://[${host}]:3128`);
    portText = bracketed[2];
  } else {
    if (rest.includes('[') || rest.includes(']')) return fail('brackets are only for IPv6 addresses, as in http://[fd00::1]:3128');
    const parts = rest.split(':');
    if (parts.length > 2) return fail('an IPv6 address needs brackets, as in http://[fd00::1]:3128');
    host = parts[0];
    if (parts.length === 1) return fail(`no port: the guide wants <protocol>://<host>:<port>, e.g. ${protocol}://${host || '10.0.0.33'}:3128`);
    portText = parts[1];
  }
  if (host === '') return fail(`no host: write it as ${EXAMPLE}`);
  if (host.includes('%')) return fail(`${host} is not a host name or IP address`);
  if (!isHostAddress(host)) return fail(`${host} is not a host name or IP address`);
  const port = checkPort(portText);
  if (!port.ok) return fail(port.error);

  const auth = username === undefined ? '' : `${username}${password !== undefined ? `:${password}` : ''}@`;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return {
    ok: true,
    value: { protocol, host, port: port.value, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), url: `${protocol}://${auth}${hostForUrl}:${port.value}` },
  };
}

/** The same endpoint with credentials given separately (encoded here), unless it carries its own. */
export function withCredentials(endpoint: ProxyEndpoint, user?: string, password?: string): ProxyEndpoint {
  if (!user || endpoint.username !== undefined) return endpoint;
  const username = encodeCredential(user);
  const pass = password ? encodeCredential(password) : undefined;
  const hostForUrl = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return {
    ...endpoint,
    username,
    ...(pass !== undefined ? { password: pass } : {}),
    url: `${endpoint.protocol}://${username}${pass !== undefined ? `:${pass}` : ''}@${hostForUrl}:${endpoint.port}`,
  };
}

/** The URL with its password masked, for anything shown or logged. */
export function maskedUrl(endpoint: ProxyEndpoint): string {
  return endpoint.password === undefined ? endpoint.url : endpoint.url.replace(`:${endpoint.password}@`, ':***@');
}
