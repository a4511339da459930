/**
 * From what `docker ps -a` / `docker inspect` and the health endpoints showed
 * to a judgement per container: down or not, how bad (the guide's severity,
 * conditional ones resolved), what it takes down, and one verdict. Pure, so
 * the engine, the CLI, the page and the tests judge alike.
 */
import {
  CONTAINER_TABLE, UNLISTED_CONTAINERS, downstreamOf, dockerName, resolveSeverity, rowForContainer, upstreamOf,
  type ContainerRow, type InstallSettings, type Severity,
} from './containers';
import type { ContainerHealth, EndpointResult, HealthReport } from './report';

/** One container as Docker reports it. */
export interface DockerContainer {
  name: string;
  image: string;
  /** Docker's State: running, exited, restarting, paused, created, dead, removing. */
  state: string;
  /** Docker's Status text: "Up 3 days", "Exited (0) 2 hours ago". */
  status: string;
  exitCode: number | null;
  restartCount: number | null;
  health: string | null;
}

function stateOf(c: DockerContainer | undefined): ContainerHealth['state'] {
  if (!c) return 'missing';
  if (c.state === 'running') return 'running';
  if (c.state === 'restarting') return 'restarting';
  return 'exited';
}

function judge(row: ContainerRow, c: DockerContainer | undefined, severity: Severity, endpoint?: EndpointResult): { down: boolean; reason?: string } {
  const state = stateOf(c);
  if (row.oneShot) {
    if (state === 'missing') return { down: false, reason: 'not present: it only runs at start-up' };
    if (state === 'running') return { down: false, reason: 'running its start-up work' };
    if (state === 'exited' && c!.exitCode === 0) return { down: false, reason: 'ran at start-up and exited 0, as designed' };
    return { down: true, reason: state === 'restarting' ? 'keeps restarting' : `exited with code ${c!.exitCode ?? '?'}: the services that depend on it fail at their next start` };
  }
  if (state === 'missing') {
    if (row.tableName === 'fileserved' && severity === 'mild') return { down: false, reason: 'not present: not needed while S3 holds the files' };
    return { down: true, reason: row.externalizable ? 'not on this machine (fine only if it was externalized)' : 'no such container on this machine' };
  }
  if (state === 'restarting') return { down: true, reason: `restarting (restarted ${c!.restartCount ?? '?'} times)` };
  if (state === 'exited') return { down: true, reason: c!.state === 'exited' ? `exited with code ${c!.exitCode ?? '?'}` : c!.state };
  if (c!.health === 'unhealthy') return { down: true, reason: 'running, but its Docker health check says unhealthy' };
  if (endpoint && !endpoint.ok) {
    return { down: true, reason: `running, but ${endpoint.url} answered ${endpoint.httpCode ? `HTTP ${endpoint.httpCode}` : 'nothing'}` };
  }
  return { down: false };
}

const RANK: Record<Severity, number> = { severe: 0, moderate: 1, mild: 2 };

export function assessContainers(observed: DockerContainer[], settings: InstallSettings, endpoints: EndpointResult[] = []): ContainerHealth[] {
  const claimed = new Set<string>();
  const rows: ContainerHealth[] = CONTAINER_TABLE.map((row) => {
    const matches = observed.filter((c) => rowForContainer(c.name, c.image) === row);
    // Several containers for one row (an old one left exited): the running one speaks for it.
    const c = matches.find((m) => m.state === 'running') ?? matches[0];
    matches.forEach((m) => claimed.add(m.name));
    const { severity, note } = resolveSeverity(row, settings);
    const { down, reason } = judge(row, c, severity, endpoints.find((e) => e.service === row.tableName));
    return {
      name: c?.name ?? dockerName(row),
      tableName: row.tableName,
      state: stateOf(c),
      status: c?.status ?? 'not found in docker ps -a',
      exitCode: c?.exitCode ?? null,
      restartCount: c?.restartCount ?? null,
      health: c?.health ?? null,
      severity,
      ...(note ? { severityNote: note } : {}),
      role: row.role,
      impact: row.impact,
      dependsOn: row.dependsOn,
      oneShot: !!row.oneShot,
      down,
      ...(reason ? { reason } : {}),
      impactedBy: [],
      takesDown: [],
    };
  });
  // Named as `docker ps` names them, like every container in the report.
  const shown = new Map(rows.map((r) => [r.tableName!, r.name]));
  const downTables = new Set(rows.filter((r) => r.down).map((r) => r.tableName!));
  // A one-shot that already ran is not taken down by anything (it matters again
  // at the next start-up, when the services it feeds are what fails).
  const finishedOneShot = new Set(rows.filter((r) => r.oneShot && !r.down).map((r) => r.tableName!));
  for (const r of rows) {
    if (!finishedOneShot.has(r.tableName!)) r.impactedBy = upstreamOf(r.tableName!).filter((t) => downTables.has(t)).map((t) => shown.get(t) ?? t);
    if (r.down) r.takesDown = downstreamOf(r.tableName!).filter((t) => !finishedOneShot.has(t)).map((t) => shown.get(t) ?? t);
  }
  const extra: ContainerHealth[] = observed
    .filter((c) => !claimed.has(c.name))
    .map((c) => ({
      name: c.name,
      tableName: null,
      state: stateOf(c),
      status: c.status,
      exitCode: c.exitCode,
      restartCount: c.restartCount,
      health: c.health,
      severity: null,
      role: UNLISTED_CONTAINERS[c.name] ?? 'not in the guide’s table',
      impact: '',
      dependsOn: [],
      oneShot: false,
      down: stateOf(c) !== 'running',
      impactedBy: [],
      takesDown: [],
    }));
  return [...rows, ...extra];
}

/** Down containers worst first; then the verdict the CLI's exit code follows. */
export function verdictOf(containers: ContainerHealth[]): { verdict: HealthReport['verdict']; summary: string } {
  const down = containers.filter((c) => c.down && c.severity).sort((a, b) => RANK[a.severity!] - RANK[b.severity!]);
  if (!down.length) return { verdict: 'healthy', summary: 'Every container the guide lists is up (or exited by design).' };
  const serious = down.filter((c) => c.severity !== 'mild');
  const names = (list: ContainerHealth[]) => list.map((c) => `${c.name} (${c.severity})`).join(', ');
  const impacted = new Set(serious.flatMap((c) => c.takesDown));
  if (!serious.length) return { verdict: 'mild', summary: `Only mild problems: ${names(down)} down.` };
  const tail = impacted.size ? `; they take down ${[...impacted].join(', ')}` : '';
  return { verdict: 'unhealthy', summary: `Down: ${names(down)}${tail}.` };
}
