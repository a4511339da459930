/**
 * The proxy plan: settings from the admin's request and the inventory, then
 * every host's files read and rendered. Shared by `proxy:plan` (shown, never
 * written) and the apply operation's first step, so what is applied is
 * exactly what was reviewed.
 */
import type { ProxyPlan } from '../../../../shared/channels/proxy';
import type { Host } from '../../../../shared/hosts';
import { proxySecrets, proxySettings, type ProxyRequest } from '../../../../shared/proxy/input';
import type { NoProxyEntry } from '../../../../shared/proxy/no-proxy';
import { maskedUrl } from '../../../../shared/proxy/proxy-url';
import { DOCKER_DROP_IN, ENVIRONMENT, LOWER_CASE_WHY, lowerCaseProxyVariables, type ProxySettings } from '../../../../shared/proxy/render';
import type { EngineServices } from '../operation';
import { fileChangeView, planFingerprint, planHostFiles, type HostFilesPlan } from './host-files';
import { PendingRestarts } from './pending-restarts';
import { nomadFiles, servicesFiles } from './proxy-files';
import { proxyTopology, servicesAddresses, type ProxyTopology } from './topology';

export interface ProxyHostPlan extends HostFilesPlan {
  role: 'services' | 'nomad';
}

export interface ProxyPlanContext {
  topology: ProxyTopology;
  settings: ProxySettings;
  noProxy: NoProxyEntry[];
  hosts: ProxyHostPlan[];
}

/** Settings with NO_PROXY assembled from the inventory and the Services machine's own files. */
export async function resolveProxySettings(services: EngineServices, req: ProxyRequest, signal?: AbortSignal) {
  const topology = proxyTopology(services.inventory);
  const session = await services.pool.session(topology.services.name, signal);
  const { settings, noProxy } = proxySettings(req, {
    services: await servicesAddresses(session),
    ghe: topology.ghe.map((h) => h.address),
    nomadClients: topology.nomadClients.map((h) => ({ name: h.name, address: h.address })),
    spares: topology.spares.map((h) => ({ name: h.name, address: h.address })),
  });
  return { topology, settings, noProxy };
}

/** The hosts in the order they are written: the Services machine, then each Nomad client. */
export function proxyHosts(topology: ProxyTopology): { host: Host; role: 'services' | 'nomad' }[] {
  return [{ host: topology.services, role: 'services' as const }, ...topology.nomadClients.map((host) => ({ host, role: 'nomad' as const }))];
}

export async function planProxyHost(services: EngineServices, host: Host, role: 'services' | 'nomad', settings: ProxySettings, signal?: AbortSignal): Promise<ProxyHostPlan> {
  const session = await services.pool.session(host.name, signal);
  const plan = await planHostFiles(session, role === 'services' ? servicesFiles(settings) : nomadFiles(settings));
  return { ...plan, role };
}

export async function planProxy(services: EngineServices, req: ProxyRequest, signal?: AbortSignal): Promise<ProxyPlanContext> {
  const { topology, settings, noProxy } = await resolveProxySettings(services, req, signal);
  const hosts = await Promise.all(proxyHosts(topology).map(({ host, role }) => planProxyHost(services, host, role, settings, signal)));
  return { topology, settings, noProxy, hosts };
}

/** Restarts an apply of this plan would make: for files that change now, and ones still owed from before. */
export function restartsFor(hosts: ProxyHostPlan[], pending: PendingRestarts): { replicated: boolean; docker: string[] } {
  const owed = pending.read();
  const services = hosts.find((h) => h.role === 'services');
  return {
    replicated: !!services && (services.files.some((f) => f.changed) || owed.replicated.includes(services.host)),
    docker: hosts
      .filter((h) => h.role === 'nomad' && (h.files.some((f) => f.changed && f.path === DOCKER_DROP_IN) || owed.docker.includes(h.host)))
      .map((h) => h.host),
  };
}

function warningsFor(ctx: ProxyPlanContext, req: ProxyRequest): string[] {
  const warnings: string[] = [];
  if (!ctx.topology.nomadClients.length) warnings.push('No Nomad clients in the inventory: only the Services machine is configured. Add the clients (role nomad) so they get the proxy and are bypassed.');
  if (!ctx.topology.ghe.length) warnings.push('No GitHub Enterprise host in the inventory: if you use GHE, add its address under "No proxy for", and give a URL to check through the proxy.');
  if (ctx.settings.http.username !== undefined || ctx.settings.https.username !== undefined) {
    warnings.push("Java services get the proxy's host and port but no credentials (JVM_OPTS has no standard property for them): the proxy must let the Services machine through without a login.");
  }
  if (req.aws === false && ctx.noProxy.some((e) => /amazonaws\.com$/i.test(e.value))) warnings.push('You listed AWS hosts but did not say the installation is on AWS; the EC2 metadata address is bypassed only with --aws.');
  for (const h of ctx.hosts) {
    // /etc/environment gets the lower-case names from Drydock too, so there they agree.
    for (const f of h.files.filter((file) => file.path !== ENVIRONMENT)) {
      const lower = lowerCaseProxyVariables(f.before);
      if (lower.length) warnings.push(`${h.host}:${f.path} also sets ${lower.join(', ')} (lower case), which curl and apt prefer over the upper-case names; Drydock leaves those lines alone, so check they agree.`);
    }
  }
  return warnings;
}

/** The plan as the admin sees it: diffs with passwords masked, why each host is bypassed, what restarts. */
export function proxyPlanView(ctx: ProxyPlanContext, req: ProxyRequest, pending: PendingRestarts): ProxyPlan {
  const secrets = proxySecrets(req);
  return {
    hosts: ctx.hosts.map((h) => ({ host: h.host, role: h.role, files: h.files.map((f) => fileChangeView(f, secrets)), ...(h.error ? { error: h.error } : {}) })),
    noProxy: ctx.noProxy,
    javaNonProxyHosts: ctx.settings.javaNonProxyHosts,
    httpProxy: maskedUrl(ctx.settings.http),
    httpsProxy: maskedUrl(ctx.settings.https),
    changedFiles: ctx.hosts.reduce((n, h) => n + h.files.filter((f) => f.changed).length, 0),
    restarts: restartsFor(ctx.hosts, pending),
    pendingRestarts: pending.describe(),
    leftOut: ctx.topology.leftOut,
    notes: ctx.topology.nomadClients.length ? [LOWER_CASE_WHY] : [],
    ...(ctx.topology.ghe[0] ? { defaultVerifyUrl: defaultVerifyUrl(ctx.topology) } : {}),
    warnings: warningsFor(ctx, req),
    fingerprint: planFingerprint(ctx.hosts),
  };
}

/** The guide's reachable-through-the-proxy check defaults to the GHE host. */
export function defaultVerifyUrl(topology: ProxyTopology): string | undefined {
  const ghe = topology.ghe[0];
  if (!ghe) return undefined;
  return `https://${ghe.address.includes(':') ? `[${ghe.address}]` : ghe.address}/`;
}
