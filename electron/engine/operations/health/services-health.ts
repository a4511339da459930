/**
 * Services health over SSH: the containers (`docker ps -a` + `docker inspect`),
 * the guide's health endpoints probed from the Services machine itself,
 * `replicatedctl app status inspect`, and Nomad. Read-only, so it is not a
 * runbook: checking every few seconds must not leave a run behind each time.
 * Every command still lands in the audit log through the session.
 */
import { assessContainers, verdictOf } from '../../../../shared/health/assess';
import type { InstallSettings } from '../../../../shared/health/containers';
import { HEALTH_ENDPOINTS, type EndpointResult, type HealthReport, type NomadStatus } from '../../../../shared/health/report';
import { scalingAdvice } from '../../../../shared/health/scaling';
import { DrydockError } from '../../../../shared/errors';
import type { EngineServices } from '../operation';
import { servicesHostName } from '../certs/services-host';
import type { HostSession } from '../../ssh/session';
import { quote } from '../../ssh/quote';
import {
  INSPECT_FORMAT, mergeDocker, parseAppStatus, parseDockerInspect, parseDockerPs, parseInstallSettings,
  parseNodeResources, parseNomadJobs, parseNomadNodes,
} from './parse-health';

export interface HealthOptions {
  /** The Services machine (default: the one in the inventory). */
  host?: string;
  /** Where the endpoints listen as seen from the Services machine (default localhost, as the guide says). */
  endpointHost?: string;
  /** The admin's word on LDAP / S3, over what app-config says. */
  ldap?: boolean;
  s3?: boolean;
  /** Pending counts seen by earlier checks (watch mode), oldest first. */
  pendingHistory?: number[];
  signal?: AbortSignal;
}

const said = (r: { stdout: string; stderr: string }) => (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');

async function dockerContainers(session: HostSession, signal?: AbortSignal) {
  const ps = await session.sudo(`docker ps -a --format '{{json .}}'`, { signal, timeoutMs: 60_000 });
  if (ps.code !== 0) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: docker ps failed: ${said(ps)}`, { host: session.host.name });
  const listed = parseDockerPs(ps.stdout);
  if (!listed.length) return mergeDocker(listed, new Map());
  // By name: the command stays readable in the audit log.
  const inspect = await session.sudo(`docker inspect --format ${quote(INSPECT_FORMAT)} ${listed.map((c) => quote(c.name || c.id)).join(' ')}`, { signal, timeoutMs: 60_000 });
  // A container removed between ps and inspect makes inspect exit 1 but print the others.
  return mergeDocker(listed, parseDockerInspect(inspect.stdout));
}

async function probeEndpoints(session: HostSession, endpointHost: string, signal?: AbortSignal): Promise<{ endpoints: EndpointResult[]; error?: string }> {
  const urls = HEALTH_ENDPOINTS.map((e) => e.url.replace('//localhost:', `//${endpointHost}:`));
  // One round trip; curl prints 000 when nothing answers. Without curl nothing is probed,
  // rather than every endpoint looking down.
  const script = `command -v curl >/dev/null 2>&1 || { echo NO-CURL; exit 0; }; for u in ${urls.map(quote).join(' ')}; do curl -s -o /dev/null --max-time 5 -w '%{http_code}\\n' "$u" || true; done`;
  const r = await session.run(script, { signal, timeoutMs: 120_000 });
  if (r.stdout.trim() === 'NO-CURL') return { endpoints: [], error: 'curl is not installed on the Services machine: the health endpoints were not probed' };
  const codes = r.stdout.split('\n').filter((l) => l.trim() !== '');
  return {
    endpoints: HEALTH_ENDPOINTS.map((e, i) => {
      const code = Number(codes[i] ?? 0) || 0;
      return { service: e.service, url: urls[i], ok: code === 200, httpCode: code };
    }),
  };
}

async function installSettings(session: HostSession, options: HealthOptions, signal?: AbortSignal): Promise<InstallSettings & { source: string }> {
  let found: InstallSettings = { ldap: null, s3: null };
  let source = 'replicatedctl app-config export';
  const r = await session.sudo('replicatedctl app-config export', { signal, timeoutMs: 60_000 });
  if (r.code === 0) {
    try {
      found = parseInstallSettings(r.stdout);
    } catch {
      source = 'app-config export was not JSON';
    }
  } else source = `app-config export failed: ${said(r)}`;
  const given: string[] = [];
  if (options.ldap !== undefined) {
    found.ldap = options.ldap;
    given.push('LDAP');
  }
  if (options.s3 !== undefined) {
    found.s3 = options.s3;
    given.push('S3');
  }
  return { ...found, source: given.length ? `${given.join(' and ')} as given; the rest from ${source}` : source };
}

/** Nomad's view: jobs by status, client nodes with allocations and size. */
export async function nomadStatus(session: HostSession, signal?: AbortSignal): Promise<NomadStatus> {
  const empty = { jobs: { pending: 0, running: 0, complete: 0, dead: 0 }, nodes: [] };
  // On the Services machine the server runs in the `nomad` container; a host install has the CLI itself.
  // Only when there is no such container at all is the host's own CLI the one to ask;
  // a `nomad` container that is stopped means the server is down.
  const inContainer = await session.sudo('docker exec nomad nomad version', { signal, timeoutMs: 30_000 });
  const noContainer = inContainer.code !== 0 && /No such container/i.test(inContainer.stderr + inContainer.stdout);
  if (inContainer.code !== 0 && !noContainer) return { source: 'docker exec nomad nomad', ...empty, pollFailure: true, error: said(inContainer) };
  const cli = noContainer ? 'nomad' : 'docker exec nomad nomad';
  const nomad = (args: string) => session.sudo(`${cli} ${args}`, { signal, timeoutMs: 60_000 });
  const jobs = await nomad('status');
  if (jobs.code !== 0) return { source: cli, ...empty, pollFailure: true, error: said(jobs) };
  const list = await nomad('node-status -allocs');
  if (list.code !== 0) return { source: cli, jobs: parseNomadJobs(jobs.stdout), nodes: [], pollFailure: true, error: said(list) };
  const nodes = parseNomadNodes(list.stdout);
  for (const node of nodes) {
    const detail = await nomad(`node-status -verbose ${quote(node.id)}`);
    if (detail.code === 0) Object.assign(node, parseNodeResources(detail.stdout));
  }
  return { source: cli, jobs: parseNomadJobs(jobs.stdout), nodes, pollFailure: false };
}

export async function checkServicesHealth(services: EngineServices, options: HealthOptions = {}): Promise<HealthReport> {
  const { signal } = options;
  const host = servicesHostName(services, options.host);
  const session = await services.pool.session(host, signal);
  const [docker, probed, app, settings, nomad] = await Promise.all([
    dockerContainers(session, signal),
    probeEndpoints(session, options.endpointHost ?? 'localhost', signal),
    session.sudo('replicatedctl app status inspect', { signal, timeoutMs: 60_000 }).then((r) => {
      if (r.code !== 0) return { state: 'unknown', error: `replicatedctl failed: ${said(r)}` };
      try {
        return parseAppStatus(r.stdout);
      } catch {
        return { state: 'unknown', error: `replicatedctl printed something that is not JSON: ${r.stdout.slice(0, 200)}` };
      }
    }),
    installSettings(session, options, signal),
    nomadStatus(session, signal),
  ]);
  const { endpoints, error: endpointsError } = probed;
  const containers = assessContainers(docker, settings, endpoints);
  const { verdict, summary } = verdictOf(containers);
  return {
    host,
    checkedAt: new Date().toISOString(),
    verdict,
    summary,
    settings,
    containers,
    endpoints,
    ...(endpointsError ? { endpointsError } : {}),
    app,
    nomad,
    advice: scalingAdvice(nomad, options.pendingHistory),
  };
}
