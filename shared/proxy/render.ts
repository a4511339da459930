/**
 * The proxy files, rendered from one set of settings. Pure: each renderer
 * takes the file as it is on the host (null when absent) and returns what it
 * should become, so the engine can diff, write and re-check, and the unit
 * tests can throw hostile content at them without a host.
 */
import { assignmentLine, parseAssignedValue, readVariable, setVariables } from './env-file';
import type { ProxyEndpoint } from './proxy-url';

export const REPLICATED_CONF = '/etc/replicated.conf';
export const CUSTOMIZATIONS = '/etc/circle-installation-customizations';
export const ENVIRONMENT = '/etc/environment';
export const DOCKER_DROP_IN = '/etc/systemd/system/docker.service.d/http-proxy.conf';

/** Everything the files say, already checked (see input.ts). */
export interface ProxySettings {
  http: ProxyEndpoint;
  https: ProxyEndpoint;
  noProxy: string[];
  javaNonProxyHosts: string[];
}

/** The variables the guide names, in its order. */
export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'JVM_OPTS'] as const;

const JVM_PROXY_FLAG = /^-D(https?\.proxyHost|https?\.proxyPort|http\.nonProxyHosts)=/;

/** The guide's JVM flags: proxy host and port for http and https, and the bypass list. */
export function jvmProxyFlags(s: ProxySettings): string[] {
  return [
    `-Dhttp.proxyHost=${s.http.host}`,
    `-Dhttp.proxyPort=${s.http.port}`,
    `-Dhttps.proxyHost=${s.https.host}`,
    `-Dhttps.proxyPort=${s.https.port}`,
    `-Dhttp.nonProxyHosts=${s.javaNonProxyHosts.join('|')}`,
  ];
}

/**
 * JVM_OPTS with the proxy flags replaced and any other flags the admin set
 * (heap, GC, ...) kept in front. An existing value Drydock cannot read as
 * plain words is replaced whole; the diff shows that before anything is written.
 */
export function mergeJvmOpts(existing: string | null, s: ProxySettings): string {
  const kept = existing !== null && !/["'\\$`]/.test(existing) ? existing.split(/\s+/).filter((w) => w && !JVM_PROXY_FLAG.test(w)) : [];
  return [...kept, ...jvmProxyFlags(s)].join(' ');
}

/** The four variables, as both kinds of host get them. */
export function proxyVariables(s: ProxySettings, currentFile: string | null): Record<string, string> {
  const existingJvm = readVariable(currentFile, 'JVM_OPTS');
  return {
    HTTP_PROXY: s.http.url,
    HTTPS_PROXY: s.https.url,
    NO_PROXY: s.noProxy.join(','),
    JVM_OPTS: mergeJvmOpts(existingJvm, s),
  };
}

/** Thrown when a file on the host is in a state Drydock must not guess about. */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * /etc/replicated.conf: set HttpProxy and keep every other key
 * (DaemonAuthenticationType, TLS bootstrap, ...). A file that is not a JSON
 * object is refused: rewriting it would lose whatever Replicated reads from it.
 */
export function renderReplicatedConf(current: string | null, s: ProxySettings): string {
  if (current === null || current.trim() === '') return JSON.stringify({ HttpProxy: s.http.url }, null, 2) + '\n';
  let parsed: unknown;
  try {
    parsed = JSON.parse(current);
  } catch (err) {
    throw new UnreadableFileError(REPLICATED_CONF, `${REPLICATED_CONF} is not valid JSON (${(err as Error).message}); fix it by hand first, Drydock will not rewrite a file it cannot read`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UnreadableFileError(REPLICATED_CONF, `${REPLICATED_CONF} does not hold a JSON object; fix it by hand first`);
  }
  const conf = parsed as Record<string, unknown>;
  if (conf.HttpProxy === s.http.url) return current;
  const indent = /^\{\s*\n(\s+)"/.exec(current)?.[1] ?? '  ';
  return JSON.stringify({ ...conf, HttpProxy: s.http.url }, null, indent.includes('\t') ? '\t' : indent.length) + '\n';
}

/** /etc/circle-installation-customizations on the Services machine: `export VAR="value"`. */
export function renderCustomizations(current: string | null, s: ProxySettings): string {
  return setVariables(current, proxyVariables(s, current), 'export')!;
}

/**
 * Why /etc/environment also carries the lower-case names: curl and wget read
 * only `http_proxy` for http:// URLs (an upper-case HTTP_PROXY could be set
 * by a web client through the CGI `Proxy:` header, so they ignore it), and
 * apt, pip and most other tools prefer the lower-case forms.
 */
export const LOWER_CASE_WHY =
  '/etc/environment also gets http_proxy, https_proxy and no_proxy in lower case: curl and wget read only the lower-case http_proxy for http:// URLs, and apt and most tools prefer the lower-case names, so with the upper-case ones alone they would go around the proxy.';

/** /etc/environment on a Nomad client: `VAR="value"`, no export (pam_env), both spellings of the proxy variables. */
export function renderEnvironment(current: string | null, s: ProxySettings): string {
  const vars = proxyVariables(s, current);
  return setVariables(current, { ...vars, http_proxy: vars.HTTP_PROXY, https_proxy: vars.HTTPS_PROXY, no_proxy: vars.NO_PROXY }, 'plain')!;
}

/** systemd reads `%` as the start of a specifier (`%h`, `%n`): percent-encoded credentials need `%%`. */
export function systemdEscape(value: string): string {
  return value.replace(/%/g, '%%');
}

/**
 * The Docker daemon's drop-in: Docker pulls images through the proxy with
 * these; build containers get theirs elsewhere. Wholly Drydock's file, so it
 * is rendered from scratch each time.
 */
export function renderDockerDropIn(s: ProxySettings): string {
  const env = [`HTTP_PROXY=${s.http.url}`, `HTTPS_PROXY=${s.https.url}`, `NO_PROXY=${s.noProxy.join(',')}`];
  // assignmentLine refuses anything a quoted systemd word could not carry.
  env.forEach((e) => assignmentLine('X', e, 'plain'));
  return [
    '# Written by Drydock: the Docker daemon\'s proxy (CircleCI Server operations guide, "Corporate Proxies").',
    '# Apply changes with: systemctl daemon-reload && systemctl restart docker',
    '[Service]',
    `Environment=${env.map((e) => `"${systemdEscape(e)}"`).join(' ')}`,
    '',
  ].join('\n');
}

/** Lower-case proxy variables in a file: curl and apt prefer them, so stale ones deserve a warning. */
export function lowerCaseProxyVariables(content: string | null): string[] {
  if (content === null) return [];
  const names = new Set<string>();
  for (const line of content.split('\n')) {
    const m = /^\s*(?:export\s+)?(http_proxy|https_proxy|no_proxy)=/.exec(line);
    if (m && parseAssignedValue(line) !== '') names.add(m[1]);
  }
  return [...names];
}
