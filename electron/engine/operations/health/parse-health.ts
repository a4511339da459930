/**
 * Parsers for what Docker, Nomad and Replicated print on the Services
 * machine; pure, so unit tests pin them against the real formats.
 */
import type { DockerContainer } from '../../../../shared/health/assess';
import type { InstallSettings } from '../../../../shared/health/containers';
import type { NomadNode, NomadStatus } from '../../../../shared/health/report';

function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      throw new Error(`not a JSON line: ${t.slice(0, 120)}`);
    }
  }
  return out;
}

/** `docker ps -a --format '{{json .}}'`: one object per line (Names, Image, State, Status, ID…). */
export function parseDockerPs(text: string): { id: string; name: string; image: string; state: string; status: string }[] {
  return jsonLines(text).map((o) => {
    const status = String(o.Status ?? '');
    // Docker before 20.10 prints no State: derive it from Status as `docker ps` shows it.
    const state = typeof o.State === 'string' && o.State ? o.State
      : /^Up .*\(Paused\)/.test(status) ? 'paused' : /^Up/.test(status) ? 'running' : /^Restarting/.test(status) ? 'restarting' : /^Created/.test(status) ? 'created' : 'exited';
    return { id: String(o.ID ?? ''), name: String(o.Names ?? '').split(',')[0], image: String(o.Image ?? ''), state, status };
  });
}

/** The inspect template Drydock asks for: one JSON object per container. */
export const INSPECT_FORMAT = '{"name":{{json .Name}},"restartCount":{{json .RestartCount}},"state":{{json .State}}}';

export function parseDockerInspect(text: string): Map<string, { restartCount: number; exitCode: number | null; health: string | null; status: string }> {
  const out = new Map<string, { restartCount: number; exitCode: number | null; health: string | null; status: string }>();
  for (const o of jsonLines(text)) {
    const state = (o.state ?? {}) as { Status?: string; ExitCode?: number; Health?: { Status?: string } };
    out.set(String(o.name ?? '').replace(/^\//, ''), {
      restartCount: Number(o.restartCount ?? 0),
      exitCode: typeof state.ExitCode === 'number' ? state.ExitCode : null,
      health: state.Health?.Status ?? null,
      status: state.Status ?? '',
    });
  }
  return out;
}

export function mergeDocker(ps: ReturnType<typeof parseDockerPs>, inspect: ReturnType<typeof parseDockerInspect>): DockerContainer[] {
  return ps.map((c) => {
    const i = inspect.get(c.name);
    const exitFromStatus = /^Exited \((-?\d+)\)/.exec(c.status);
    return {
      name: c.name,
      image: c.image,
      state: i?.status || c.state,
      status: c.status,
      exitCode: i ? i.exitCode : exitFromStatus ? Number(exitFromStatus[1]) : null,
      restartCount: i ? i.restartCount : null,
      health: i?.health ?? null,
    };
  });
}

/** `replicatedctl app status inspect`: a JSON array with one app. */
export function parseAppStatus(text: string): { state: string; error: string } {
  const arr = JSON.parse(text) as { State?: string; Error?: string; IsTransitioning?: boolean }[];
  const app = arr[0];
  if (!app) return { state: 'no app', error: '' };
  return { state: `${app.State ?? 'unknown'}${app.IsTransitioning ? ' (transitioning)' : ''}`, error: app.Error ?? '' };
}

const TRUE = /^(1|true|yes|on|enabled?|ldap)$/i;

/**
 * LDAP and S3 from `replicatedctl app-config export` ({NAME: {value}}). The
 * item names are not documented for 2.x [I]: any item whose name mentions
 * ldap (or s3 / bucket) decides, set = a true-ish value or a URL/bucket name.
 * No such item: null (the caller assumes the worse and says so).
 */
export function parseInstallSettings(text: string): InstallSettings {
  const config = JSON.parse(text || '{}') as Record<string, { value?: string }>;
  const entries = Object.entries(config).map(([k, v]) => [k.toLowerCase(), String(v?.value ?? '').trim()] as const);
  const decide = (nameRe: RegExp, valueRe: RegExp, set: (k: string, v: string) => boolean): boolean | null => {
    const hits = entries.filter(([k, v]) => nameRe.test(k) || valueRe.test(v));
    if (!hits.length) return null;
    return hits.some(([k, v]) => set(k, v));
  };
  return {
    ldap: decide(/ldap/, /^ldap$/i, (k, v) => TRUE.test(v) || (/url|host|server/.test(k) && v !== '')),
    s3: decide(/(^|_)s3(_|$)|bucket|storage_(type|provider|backend)/, /^s3$/i, (k, v) => /^s3$/i.test(v) || TRUE.test(v) || (/bucket/.test(k) && v !== '')),
  };
}

/** `nomad status`: ID Type Priority Status Submit Date; "No running jobs" when empty. */
export function parseNomadJobs(text: string): NomadStatus['jobs'] {
  const jobs = { pending: 0, running: 0, complete: 0, dead: 0 };
  const lines = text.split('\n').filter((l) => l.trim());
  if (!lines.length || /^No running jobs/.test(lines[0])) return jobs;
  const header = lines[0].split(/\s{2,}|\t/).map((h) => h.trim().toLowerCase());
  const col = header.indexOf('status');
  if (col < 0) throw new Error(`unexpected nomad status header: ${lines[0]}`);
  for (const line of lines.slice(1)) {
    const status = line.trim().split(/\s+/)[col] as keyof typeof jobs;
    if (status in jobs) jobs[status]++;
  }
  return jobs;
}

/** `nomad node-status -allocs`: ID DC Name Class Drain Eligibility Status Running Allocs. */
export function parseNomadNodes(text: string): NomadNode[] {
  const lines = text.split('\n').filter((l) => l.trim());
  if (!lines.length || /^No nodes registered/.test(lines[0])) return [];
  if (!/^ID\s+DC\s+Name/.test(lines[0])) throw new Error(`unexpected nomad node-status header: ${lines[0]}`);
  const withAllocs = /Running Allocs/.test(lines[0]);
  return lines.slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    return {
      id: f[0],
      name: f[2],
      drain: f[4] === 'true',
      eligibility: f[5],
      status: f[6],
      allocs: withAllocs && /^\d+$/.test(f[7] ?? '') ? Number(f[7]) : null,
      cpus: null,
      memoryBytes: null,
    };
  });
}

/** `nomad node-status -verbose ID`: the Attributes section names cores and memory. */
export function parseNodeResources(text: string): { cpus: number | null; memoryBytes: number | null } {
  const cores = /^\s*cpu\.numcores\s*=\s*(\d+)/m.exec(text);
  const mem = /^\s*memory\.totalbytes\s*=\s*(\d+)/m.exec(text);
  return { cpus: cores ? Number(cores[1]) : null, memoryBytes: mem ? Number(mem[1]) : null };
}
