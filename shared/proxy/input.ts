/**
 * What the admin gives the proxy operation, and every check made on it
 * before anything is written. The wizard runs `proxyIssues` as the admin
 * types; the engine runs the same function through the schema, so a field
 * is refused with the same words in the GUI, the CLI and the API.
 */
import { z } from 'zod';
import { assembleNoProxy, checkNoProxyEntry, javaNonProxyHosts, type NoProxyEntry, type NoProxySources } from './no-proxy';
import { parseProxyUrl, withCredentials, type ProxyEndpoint } from './proxy-url';
import type { ProxySettings } from './render';

export interface ProxyRequest {
  /** The HTTP proxy; also used for HTTPS unless httpsProxy is given. */
  proxy: string;
  httpsProxy?: string;
  /** Credentials in plain text; Drydock URL-encodes them into the URLs. */
  proxyUser?: string;
  proxyPassword?: string;
  /** Hosts to bypass besides the ones Drydock adds itself. */
  noProxy?: string[];
  /** On AWS: also bypass EC2 metadata and S3. */
  aws?: boolean;
}

export type ProxyField = 'proxy' | 'httpsProxy' | 'proxyUser' | 'proxyPassword' | 'noProxy' | 'aws';

export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

const MAX_EXTRAS = 500;

/** Every problem with a request, each tied to its field (`noProxy.3` for the fourth extra). */
export function proxyIssues(req: ProxyRequest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const http = parseProxyUrl(req.proxy, 'Proxy URL');
  if (!http.ok) issues.push({ path: ['proxy'], message: http.error });
  let https: ReturnType<typeof parseProxyUrl> | null = null;
  if (req.httpsProxy !== undefined && req.httpsProxy !== '') {
    https = parseProxyUrl(req.httpsProxy, 'HTTPS proxy URL');
    if (!https.ok) issues.push({ path: ['httpsProxy'], message: https.error });
  }
  const user = req.proxyUser ?? '';
  const password = req.proxyPassword ?? '';
  if (password && !user) issues.push({ path: ['proxyUser'], message: 'Proxy user: give the user name that goes with the password' });
  if (/[\x00-\x1f\x7f]/.test(user)) issues.push({ path: ['proxyUser'], message: 'Proxy user: contains a control character' });
  if (/[\x00-\x1f\x7f]/.test(password)) issues.push({ path: ['proxyPassword'], message: 'Proxy password: contains a control character' });
  if (user && ((http.ok && http.value.username !== undefined) || (https?.ok && https.value.username !== undefined))) {
    issues.push({ path: ['proxyUser'], message: 'Proxy user: the URL already carries credentials; give them in one place only' });
  }
  const extras = req.noProxy ?? [];
  if (extras.length > MAX_EXTRAS) issues.push({ path: ['noProxy'], message: `No proxy for: at most ${MAX_EXTRAS} entries` });
  extras.slice(0, MAX_EXTRAS).forEach((entry, i) => {
    const problem = checkNoProxyEntry(entry);
    if (problem) issues.push({ path: ['noProxy', i], message: `No proxy for: ${problem}` });
  });
  return issues;
}

export const ProxyRequestSchema = z
  .object({
    proxy: z.string().max(2048),
    httpsProxy: z.string().max(2048).optional(),
    proxyUser: z.string().max(256).optional(),
    proxyPassword: z.string().max(1024).optional(),
    noProxy: z.array(z.string().max(253)).default([]),
    aws: z.boolean().default(false),
  })
  .strict()
  .superRefine((req, ctx) => {
    for (const issue of proxyIssues(req)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/** The endpoints a valid request names, credentials folded in. Throws on an invalid request. */
export function proxyEndpoints(req: ProxyRequest): { http: ProxyEndpoint; https: ProxyEndpoint } {
  const http = parseProxyUrl(req.proxy);
  if (!http.ok) throw new Error(http.error);
  const httpsParsed = req.httpsProxy ? parseProxyUrl(req.httpsProxy, 'HTTPS proxy URL') : http;
  if (!httpsParsed.ok) throw new Error(httpsParsed.error);
  const user = req.proxyUser || undefined;
  const password = req.proxyPassword || undefined;
  return { http: withCredentials(http.value, user, password), https: withCredentials(httpsParsed.value, user, password) };
}

/** Settings for the renderers, with NO_PROXY assembled from the hosts Drydock knows. */
export function proxySettings(req: ProxyRequest, sources: Omit<NoProxySources, 'aws' | 'extras'>): { settings: ProxySettings; noProxy: NoProxyEntry[] } {
  const { http, https } = proxyEndpoints(req);
  const noProxy = assembleNoProxy({ ...sources, aws: !!req.aws, extras: req.noProxy ?? [] });
  return { settings: { http, https, noProxy: noProxy.map((e) => e.value), javaNonProxyHosts: javaNonProxyHosts(noProxy) }, noProxy };
}

/** The secrets of a request, to keep out of anything shown or logged. */
export function proxySecrets(req: ProxyRequest): string[] {
  const out: string[] = [];
  if (req.proxyPassword) out.push(req.proxyPassword);
  for (const url of [req.proxy, req.httpsProxy]) {
    const parsed = url ? parseProxyUrl(url) : null;
    if (parsed?.ok && parsed.value.password) out.push(parsed.value.password);
  }
  try {
    const { http, https } = proxyEndpoints(req);
    for (const e of [http, https]) if (e.password) out.push(e.password);
  } catch {
    /* an invalid request has no endpoints; its raw strings are covered above */
  }
  return [...new Set(out.filter((s) => s.length >= 3))];
}
