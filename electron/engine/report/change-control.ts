/**
 * The change-control report of one run, or of everything in a time range:
 * who, when, which hosts under which host keys, every command, every file
 * diff, the results, and whether the audit chain holds. Sections come from
 * contributors: the standard ones below, plus any an operation registers
 * (restore and preflight add theirs) through `registerReportContributor`.
 */
import { readFileSync } from 'node:fs';
import type { AuditEntry } from '../../../shared/contract';
import { DrydockError } from '../../../shared/errors';
import { knownHostsName } from '../../../shared/hosts';
import type { AuditLog } from '../audit/audit-log';
import type { Inventory } from '../inventory/inventory';
import type { RunRecord, RunStore } from '../runbook/run-store';
import type { KnownHosts } from '../ssh/known-hosts';
import type { ReportDocument, ReportSection, SectionContributor } from './document';
import type { FileDiffRecord, ReportableState } from './run-record';

export interface ReportScope {
  runId?: string;
  since?: string;
  until?: string;
}

export interface ChangeControlContext {
  scope: ReportScope;
  from: string;
  to: string;
  runs: RunRecord[];
  entries: AuditEntry[];
  chain: ReturnType<AuditLog['verify']>;
  hosts: { name: string; address: string; user: string; role: string; usedKeys: string[]; currentKey: string | null }[];
  diffs: (FileDiffRecord & { runId: string })[];
}

export interface ReportDeps {
  audit: AuditLog;
  runs: Pick<RunStore, 'load' | 'list'>;
  inventory: Inventory;
  knownHosts: KnownHosts;
  version: string;
}

const contributors: SectionContributor<ChangeControlContext>[] = [];

/** Add sections to every change-control report from now on (restore, preflight…). */
export function registerReportContributor(c: SectionContributor<ChangeControlContext>): void {
  if (!contributors.some((x) => x.id === c.id)) contributors.push(c);
}

// A run's commands are those the audit log recorded while it ran; allow for
// the runbook's last save landing a moment after the last command.
const SLACK_MS = 2_000;

function inRange(time: string, from: string, to: string): boolean {
  const t = Date.parse(time);
  return t >= Date.parse(from) && t <= Date.parse(to);
}

export function changeControlContext(deps: ReportDeps, scope: ReportScope): ChangeControlContext {
  let runs: RunRecord[];
  let from: string;
  let to: string;
  if (scope.runId) {
    const run = deps.runs.load(scope.runId);
    if (!run) throw new DrydockError('NOT_FOUND', `No run ${scope.runId} (drydock runs list shows the runs)`);
    runs = [run];
    from = run.startedAt;
    to = run.updatedAt;
  } else {
    from = new Date(Date.parse(scope.since!)).toISOString();
    to = scope.until ? new Date(Date.parse(scope.until)).toISOString() : new Date().toISOString();
    if (Date.parse(to) < Date.parse(from)) throw new DrydockError('INVALID_INPUT', '--until is before --since');
    runs = deps.runs.list().filter((r) => inRange(r.startedAt, from, to)).reverse();
  }
  // Lines that are not JSON are the chain section's business; here they are skipped.
  const until = scope.runId ? new Date(Date.parse(to) + SLACK_MS).toISOString() : to;
  // A run's own entries carry its id: those, plus untagged ones in its window (written by
  // a Drydock that did not tag entries yet); another run's entries never, even when it ran
  // at the same time.
  const entries = safeEntries(deps.audit).filter((e) =>
    scope.runId ? e.run === scope.runId || (!e.run && inRange(e.time, from, until)) : inRange(e.time, from, until),
  );
  const diffs = runs.flatMap((r) => ((r.state ?? {}) as ReportableState).fileDiffs?.map((d) => ({ ...d, runId: r.id })) ?? []);
  const names = [...new Set([...entries.map((e) => e.host), ...diffs.map((d) => d.host)])].filter((n) => n !== 'local');
  const hosts = names.map((name) => {
    const h = deps.inventory.find(name);
    const current = h ? deps.knownHosts.lookup(knownHostsName(h.address, h.port))[0]?.fingerprint ?? null : null;
    return {
      name,
      address: h ? `${h.address}${h.port === 22 ? '' : `:${h.port}`}` : '(no longer in the inventory)',
      user: h?.user ?? '?',
      role: h?.role ?? '?',
      usedKeys: [...new Set(entries.filter((e) => e.host === name && e.fingerprint).map((e) => e.fingerprint))],
      currentKey: current,
    };
  });
  return { scope, from, to, runs, entries, chain: deps.audit.verify(), hosts, diffs };
}

/** Every entry that parses: a torn or edited line must not stop the report (the chain section names it). */
function safeEntries(audit: AuditLog): AuditEntry[] {
  let text = '';
  try {
    text = readFileSync(audit.file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as AuditEntry] : [];
    } catch {
      return [];
    }
  });
}

const STANDARD: SectionContributor<ChangeControlContext>[] = [
  {
    id: 'summary',
    sections: (c) => [{
      id: 'summary',
      title: 'Summary',
      blocks: [{
        kind: 'facts',
        rows: [
          ['Scope', c.scope.runId ? `run ${c.scope.runId}` : `${c.from} to ${c.to}`],
          ['When', `${c.from} to ${c.to}`],
          ['Who', [...new Set(c.runs.map((r) => r.by ?? 'not recorded (run made before Drydock recorded it)'))].join(', ') || 'no runs in this range'],
          ['Logged in as', c.hosts.map((h) => `${h.user} on ${h.name}`).join(', ') || 'no host touched'],
          ['Runs', c.runs.map((r) => `${r.id} (${r.operation}: ${r.status})`).join(', ') || 'none'],
          ['Commands', String(c.entries.length)],
          ['File changes', String(c.diffs.length)],
          ['Audit chain', c.chain.ok ? `intact (${c.chain.entries} entries)` : `BROKEN at line ${c.chain.brokenAt}: ${c.chain.reason}`],
        ],
      }],
    }],
  },
  {
    id: 'hosts',
    sections: (c) => [{
      id: 'hosts',
      title: 'Hosts and host keys',
      blocks: [
        { kind: 'text', text: 'The host key each command ran under (from the audit log) and the key Drydock trusts for the host now.' },
        {
          kind: 'table',
          head: ['Host', 'Address', 'Role', 'User', 'Host key used', 'Host key trusted now'],
          rows: c.hosts.map((h) => [h.name, h.address, h.role, h.user, h.usedKeys.join(', ') || '—',
            h.currentKey ? (h.usedKeys.length && !h.usedKeys.includes(h.currentKey) ? `${h.currentKey} (CHANGED since)` : h.currentKey) : 'none']),
        },
      ],
    }],
  },
  {
    id: 'results',
    sections: (c) => c.runs.map((r) => ({
      id: `run-${r.id}`,
      title: `Run ${r.id}: ${r.operation} — ${r.status}`,
      blocks: [
        { kind: 'facts', rows: [['Started', r.startedAt], ['Last update', r.updatedAt], ['By', r.by ?? 'not recorded'], ...(r.error ? [['Error', r.error] as [string, string]] : [])] },
        { kind: 'table', head: ['Step', 'Status', 'Started', 'Ended', 'Note'], rows: r.steps.map((s) => [s.title, s.status, s.startedAt ?? '', s.endedAt ?? '', s.message ?? '']) },
      ],
    })),
  },
  {
    id: 'file-changes',
    sections: (c) => [{
      id: 'file-changes',
      title: 'File changes',
      blocks: c.diffs.length
        ? c.diffs.map((d) => ({ kind: 'code' as const, lang: 'diff' as const, caption: `${d.host}:${d.path} (${d.action}, run ${d.runId}, ${d.at})`, text: d.diff || '(no textual difference)' }))
        : [{ kind: 'text', text: 'No file was changed.' }],
    }],
  },
  {
    id: 'commands',
    sections: (c) => [{
      id: 'commands',
      title: 'Every command',
      blocks: [{
        kind: 'table',
        head: ['#', 'Time', 'Host', 'Kind', 'Command', 'Exit', 'ms'],
        rows: c.entries.map((e) => [String(e.seq), e.time, e.host, e.kind, e.command, e.exitCode === null ? 'none' : String(e.exitCode), String(e.durationMs)]),
      }],
    }],
  },
  {
    id: 'chain',
    sections: (c) => [{
      id: 'chain',
      title: 'Audit chain verification',
      blocks: [
        c.chain.ok
          ? { kind: 'verdict', ok: true, text: `The audit log's hash chain is intact: all ${c.chain.entries} entries follow one another unaltered.` }
          : { kind: 'verdict', ok: false, text: `The audit log's chain is broken at line ${c.chain.brokenAt} of ${c.chain.entries}: ${c.chain.reason}. Entries from there on may have been edited, removed or reordered; this report cannot vouch for them.` },
      ],
    }],
  },
];

export function buildChangeControl(deps: ReportDeps, scope: ReportScope): ReportDocument {
  const ctx = changeControlContext(deps, scope);
  const sections: ReportSection[] = [...STANDARD, ...contributors].flatMap((c) => c.sections(ctx));
  return {
    title: scope.runId ? `Change-control report: run ${scope.runId}` : `Change-control report: ${ctx.from} to ${ctx.to}`,
    generatedAt: new Date().toISOString(),
    generator: `Drydock ${deps.version}`,
    sections,
  };
}
