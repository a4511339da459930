/** Terminal output of `drydock health` and `drydock nomad status`. */
import type { Advice, ContainerHealth, HealthReport, NomadStatus } from '../../shared/health/report';
import { bytes, table } from './format';

const VERDICT: Record<HealthReport['verdict'], string> = {
  healthy: 'HEALTHY',
  mild: 'HEALTHY (only mild problems)',
  unhealthy: 'UNHEALTHY',
};

function containerLine(c: ContainerHealth): string[] {
  const mark = c.down ? '✗' : c.impactedBy.length ? '!' : '✓';
  const note = c.down ? (c.reason ?? c.status) : c.impactedBy.length ? `impacted by ${c.impactedBy.join(', ')}` : c.reason ?? c.status;
  return [mark, c.name, c.state, c.restartCount === null ? '-' : String(c.restartCount), note];
}

export function formatHealth(r: HealthReport): string {
  const out: string[] = [`${r.host}: ${VERDICT[r.verdict]} — ${r.summary}`, ''];
  for (const sev of ['severe', 'moderate', 'mild'] as const) {
    const list = r.containers.filter((c) => c.severity === sev);
    const bad = list.filter((c) => c.down || c.impactedBy.length);
    out.push(`${sev.toUpperCase()} (${list.length - bad.length}/${list.length} fine)`);
    if (bad.length) out.push(table([['', 'CONTAINER', 'STATE', 'RESTARTS', 'NOTE'], ...bad.map(containerLine)]).replace(/^/gm, '  '));
    for (const c of list.filter((x) => x.down)) {
      out.push(`  ${c.name}: ${c.impact}`);
      if (c.takesDown.length) out.push(`    takes down: ${c.takesDown.join(', ')}`);
      if (c.severityNote) out.push(`    (${c.severityNote})`);
    }
  }
  const others = r.containers.filter((c) => c.severity === null);
  if (others.length) out.push(`NOT IN THE GUIDE'S TABLE: ${others.map((c) => `${c.name} ${c.state}`).join(', ')}`);
  const failing = r.endpoints.filter((e) => !e.ok);
  out.push('', `Endpoints: ${r.endpoints.length - failing.length}/${r.endpoints.length} answer 200${failing.length ? `; failing: ${failing.map((e) => `${e.url} (${e.httpCode || 'no answer'})`).join(', ')}` : ''}`);
  if (r.endpointsError) out.push(`Endpoints not probed: ${r.endpointsError}`);
  out.push(`Replicated app: ${r.app.state}${r.app.error ? ` — ${r.app.error}` : ''}`);
  out.push(`Settings: LDAP ${yesNo(r.settings.ldap)}, S3 ${yesNo(r.settings.s3)} (${r.settings.source})`);
  out.push('', formatNomad(r.nomad, r.advice));
  return out.join('\n');
}

const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');

export function formatNomad(n: NomadStatus, advice: Advice[]): string {
  const out: string[] = [];
  if (n.pollFailure) out.push(`Nomad (${n.source}): POLL FAILURE — ${n.error ?? 'no answer'}`);
  else out.push(`Nomad (${n.source}): jobs pending ${n.jobs.pending}, running ${n.jobs.running}, complete ${n.jobs.complete}, dead ${n.jobs.dead}`);
  if (n.nodes.length) {
    out.push(table([['CLIENT', 'STATUS', 'ELIGIBILITY', 'DRAIN', 'ALLOCS', 'CPUS', 'MEMORY'],
      ...n.nodes.map((x) => [x.name, x.status, x.eligibility, String(x.drain), x.allocs === null ? '-' : String(x.allocs), x.cpus === null ? '-' : String(x.cpus), x.memoryBytes === null ? '-' : bytes(x.memoryBytes)])]).replace(/^/gm, '  '));
  } else if (!n.pollFailure) out.push('  no client nodes registered');
  for (const a of advice) out.push(`${a.level === 'action' ? '→' : a.level === 'warning' ? '!' : '·'} ${a.text}`);
  return out.join('\n');
}
