/** Every verdict for every host, from what was measured (measure.ts). */
import { groupOf, summarize, worst, type PreflightHost, type PreflightReport } from './preflight';
import type { HostMeasure } from './measure';
import { assessDisks, assessDns, assessDocker, assessOs, assessProxy, assessResources, type AssessContext } from './assess-host';
import { assessClock, assessClockBetween, assessPorts, assessReach, assessUdp } from './assess-network';

export type { AssessContext } from './assess-host';

export function assessHost(m: HostMeasure, ctx: AssessContext, between?: ReturnType<typeof assessClockBetween>): PreflightHost {
  const raw = m.error
    ? [{ id: 'ssh', title: 'Log in and run the checks', status: 'fail' as const, value: m.error, fix: `Make ${m.host} reachable over SSH with the inventory's user and key (drydock hosts test ${m.host}), then re-run.` }]
    : [
        ...assessOs(m),
        ...assessResources(m),
        ...assessDisks(m, ctx),
        ...assessDocker(m),
        ...assessClock(m),
        ...(between?.get(m.host) ? [between.get(m.host)!] : []),
        ...assessDns(m, ctx),
        ...assessPorts(m),
        ...assessReach(m),
        ...assessUdp(m),
        ...assessProxy(m),
      ];
  const checks = raw.map((c) => ({ ...c, host: m.host, group: groupOf(c.id) }));
  return {
    host: m.host,
    role: m.role,
    address: m.address,
    status: worst(checks.map((c) => c.status)),
    cpus: m.resources?.cpus ?? null,
    memoryBytes: m.resources?.memoryBytes ?? null,
    checks,
  };
}

export function assessAll(measures: HostMeasure[], ctx: AssessContext, checkedAt: string): PreflightReport {
  const between = assessClockBetween(measures);
  const hosts = measures.map((m) => assessHost(m, ctx, between));
  return { checkedAt, ...summarize(hosts), circleHostname: ctx.circleHostname, gheHostname: ctx.gheHostname, bundleDir: ctx.bundleDir, hosts };
}

/**
 * A re-run's answers merged into the earlier report: for each host that was
 * re-run, the checks of the groups it re-ran are replaced, the rest kept.
 */
export function mergeRerun(previous: PreflightReport, rerun: PreflightReport, groups: Map<string, Set<string>>): PreflightReport {
  const fresh = new Map(rerun.hosts.map((h) => [h.host, h]));
  const hosts = previous.hosts.map((old) => {
    const now = fresh.get(old.host);
    const redone = groups.get(old.host);
    if (!now || !redone) return old;
    // A host that could not be logged in to before is wholly re-run.
    const kept = redone.has('ssh') ? [] : old.checks.filter((c) => !redone.has(c.group));
    const checks = [...kept, ...now.checks];
    return { ...old, cpus: now.cpus ?? old.cpus, memoryBytes: now.memoryBytes ?? old.memoryBytes, checks, status: worst(checks.map((c) => c.status)) };
  });
  return { ...previous, checkedAt: rerun.checkedAt, ...summarize(hosts), hosts };
}

/** Which groups failed on each host: what `--only-failed` runs again. */
export function failedGroups(report: PreflightReport): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const h of report.hosts) {
    const failed = h.checks.filter((c) => c.status === 'fail').map((c) => c.group);
    if (failed.length) groups.set(h.host, new Set(failed));
  }
  return groups;
}
