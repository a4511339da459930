/**
 * Preflight, every host at once over the SSH pool: read-only, agentless.
 * Per host: a clock reading (its own small command, so the round trip is
 * short), then one script (script.ts) for everything else. UDP 8125 waits
 * for Drydock's listener on the Services machine to be ready before any
 * client sends. The report is kept in DRYDOCK_HOME as the last preflight,
 * which `onlyFailed` re-runs in part and the exports render.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DrydockError } from '../../../../../shared/errors';
import { assessAll, failedGroups, mergeRerun } from '../../../../../shared/install/assess';
import type { HostMeasure } from '../../../../../shared/install/measure';
import { CHECK_GROUPS, PreflightReportSchema, type PreflightReport, type PreflightRequest } from '../../../../../shared/install/preflight';
import { DEFAULT_BUNDLE_DIR } from '../../../../../shared/install/requirements';
import { readJsonFile, writeFileAtomic } from '../../../store/atomic-file';
import type { EngineServices } from '../../operation';
import { parseDiskLines, parseMemTotalBytes, parseOs, parseProbes, parseProcNet, parseProxy, parseSsNames, ownListeners, sectionsByName } from './parse';
import { proxyConfiguredOn } from './proxy-expect';
import { hostScript } from './script';
import { diskPaths, preflightHosts, probesFor, type PreflightRole } from './targets';
import { startUdpListener, type UdpListener } from './udp-listener';

const STATSD_PORT = 8125;
const lastFile = (home: string) => path.join(home, 'preflight-last.json');

export function lastPreflight(home: string): PreflightReport | null {
  const raw = readJsonFile<unknown>(lastFile(home), null);
  const parsed = PreflightReportSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

async function readClock(services: EngineServices, host: string, signal?: AbortSignal): Promise<HostMeasure['clock']> {
  const session = await services.pool.session(host, signal);
  const t0 = Date.now();
  // `date` through PATH, as the host's own programs see the time.
  const out = await session.check('date +%s%N', { signal, timeoutMs: 20_000 });
  const t1 = Date.now();
  const hostMs = Number(out.trim().slice(0, -6));
  if (!Number.isFinite(hostMs) || hostMs <= 0) throw new DrydockError('COMMAND_FAILED', `${host}: date printed ${JSON.stringify(out.trim().slice(0, 40))}`);
  return { offsetMs: hostMs - (t0 + t1) / 2, uncertaintyMs: (t1 - t0) / 2 };
}

/** `onProgress`: called as each host's checks finish ("12 of 50 hosts checked"). */
export async function runPreflight(
  services: EngineServices,
  req: PreflightRequest,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<PreflightReport> {
  const all = services.inventory.list();
  const previous = lastPreflight(services.home);
  let hosts = preflightHosts(all, req.hosts);
  const everything = new Set<string>(CHECK_GROUPS);
  let groups = new Map(hosts.map((h) => [h.name, everything]));
  if (req.onlyFailed) {
    if (!previous) throw new DrydockError('NOT_FOUND', 'No earlier preflight to re-run the failed checks of: run a full preflight first.');
    const failed = failedGroups(previous);
    for (const [host, set] of failed) if (set.has('ssh')) failed.set(host, everything);
    // Skew between hosts needs every host's clock read again, together.
    if ([...failed.values()].some((s) => s.has('clock'))) for (const h of previous.hosts) failed.set(h.host, new Set([...(failed.get(h.host) ?? []), 'clock']));
    hosts = hosts.filter((h) => failed.has(h.name));
    groups = new Map(hosts.map((h) => [h.name, failed.get(h.name)!]));
    if (!hosts.length) return previous;
  }
  // A re-run checks against what the run it completes checked; a new run takes the inventory's GHE host first.
  const again = req.onlyFailed ? previous : null;
  const circleHostname = req.circleHostname ?? previous?.circleHostname ?? null;
  const gheHostname = req.gheHostname ?? again?.gheHostname ?? all.find((h) => h.role === 'ghe')?.address ?? previous?.gheHostname ?? null;
  const bundleDir = req.bundleDir ?? again?.bundleDir ?? DEFAULT_BUNDLE_DIR;
  const servicesHost = all.find((h) => h.role === 'services');
  const nonce = randomBytes(6).toString('hex');

  const measures = new Map<string, HostMeasure>(hosts.map((h) => [h.name, { host: h.name, role: h.role as PreflightRole, address: h.address }]));
  const fail = (name: string, err: unknown) => {
    const m = measures.get(name)!;
    m.error ??= (err as Error).message;
  };

  // Log in everywhere and read the clocks, while the UDP listener starts.
  const udpSenders = hosts.filter((h) => h.role === 'nomad' && groups.get(h.name)!.has('udp'));
  let listener: UdpListener | null = null;
  let udpWhyNot: string | null = udpSenders.length && !servicesHost ? 'no Services machine in the inventory' : null;
  const listening =
    udpSenders.length && servicesHost
      ? services.pool
          .session(servicesHost.name, signal)
          .then((s) => startUdpListener(s, servicesHost.address, STATSD_PORT, signal))
          .then((l) => {
            listener = l;
            udpWhyNot = l.notCheckable;
          })
          .catch((err: Error) => {
            udpWhyNot = `the Services machine could not be reached to listen: ${err.message}`;
          })
      : Promise.resolve();
  // Then each host's script as soon as that host is logged in (no waiting for the slowest login);
  // a client that sends the statsd datagram waits for the listener too.
  let finished = 0;
  const progress = () => onProgress?.(++finished, hosts.length);
  await Promise.all(
    hosts.map(async (h) => {
      const m = measures.get(h.name)!;
      try {
        if (groups.get(h.name)!.has('clock')) m.clock = await readClock(services, h.name, signal);
        else await services.pool.session(h.name, signal);
      } catch (err) {
        fail(h.name, err);
        return progress();
      }
      if (udpSenders.includes(h)) await listening;
      const g = groups.get(h.name)!;
      const probes = probesFor(h, all, gheHostname);
      const names = [
        ...(circleHostname ? [{ kind: 'circleci' as const, name: circleHostname }] : []),
        ...(gheHostname ? [{ kind: 'ghe' as const, name: gheHostname }] : []),
      ];
      const sendUdp = udpSenders.includes(h) && !udpWhyNot && servicesHost;
      const script = hostScript({
        role: h.role,
        address: h.address,
        groups: g,
        diskPaths: diskPaths(h.role, bundleDir),
        names,
        probes,
        ...(sendUdp ? { udp: { address: servicesHost.address, port: STATSD_PORT, payload: `drydock-preflight ${nonce} ${h.name}` } } : {}),
      });
      try {
        const session = await services.pool.session(h.name, signal);
        const out = await session.check(script, { signal, timeoutMs: 90_000, shown: 'preflight checks (read-only)' });
        const s = sectionsByName(out);
        if (g.has('os')) m.os = parseOs(s.get('os') ?? '');
        if (g.has('resources')) m.resources = { cpus: Number((s.get('cpu') ?? '').trim()) || 0, memoryBytes: parseMemTotalBytes(s.get('mem') ?? '') };
        if (g.has('disk')) m.disks = parseDiskLines(s.get('disk') ?? '');
        if (g.has('docker')) m.docker = { client: /(\d+\.\d+[\w.+~-]*)/.exec(s.get('docker') ?? '')?.[1] ?? null, server: /^(\d+\.\d+[\w.+~-]*)$/m.exec((s.get('dockerd') ?? '').trim())?.[1] ?? null };
        if (g.has('dns')) m.dns = names.map((n) => ({ ...n, addresses: ((s.get('dns') ?? '').split('\n').find((l) => l.split(' ')[0] === n.kind) ?? '').split(/\s+/).slice(1).filter(Boolean) }));
        if (g.has('ports')) {
          const listeners = [...parseProcNet(s.get('tcp') ?? '', 'tcp'), ...parseProcNet(s.get('udp') ?? '', 'udp')];
          const own = (s.get('addrs') ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
          m.listeners = ownListeners(listeners, own.length ? own : [h.address], parseSsNames(s.get('ss') ?? ''));
        }
        if (g.has('reach')) m.probes = parseProbes(s.get('reach') ?? '', probes);
        if (g.has('proxy')) m.proxy = parseProxy(s.get('proxy') ?? '', proxyConfiguredOn(services.home, h.name));
      } catch (err) {
        fail(h.name, err);
      }
      progress();
    }),
  );

  // What the listener heard. While it listened, it held 8125/udp itself: that is not a taken port.
  const heard = listener ? await (listener as UdpListener).stop() : [];
  const servicesMeasure = servicesHost && measures.get(servicesHost.name);
  if (listener && !udpWhyNot && servicesMeasure && servicesMeasure.listeners) {
    servicesMeasure.listeners = servicesMeasure.listeners.filter((l) => !(l.proto === 'udp' && l.port === STATSD_PORT));
  }
  for (const h of udpSenders) {
    const m = measures.get(h.name)!;
    if (m.error) continue;
    const token = `drydock-preflight ${nonce} ${h.name}`;
    m.udp = udpWhyNot
      ? { outcome: 'not-checkable', detail: udpWhyNot }
      : heard.includes(token)
        ? { outcome: 'received', detail: '' }
        : { outcome: 'not-received', detail: 'none of 3 datagrams reached the listener' };
  }

  const report = assessAll([...measures.values()], { circleHostname, gheHostname, bundleDir, bundleBytes: req.bundleBytes }, new Date().toISOString());
  const result = req.onlyFailed && previous ? mergeRerun(previous, report, groups) : report;
  writeFileAtomic(lastFile(services.home), JSON.stringify(result, null, 2) + '\n');
  return result;
}
