/**
 * Narrow the audit log down to one host, one kind of entry, one run or a
 * time window. The engine filters the whole log, not just the entries on
 * screen; new entries that match keep arriving live.
 */
import { useId, useMemo, type ReactNode } from 'react';
import { AUDIT_KINDS, type AuditFilter, type AuditKind } from '../../../shared/audit';
import { useAudit } from '../../store/audit-store';
import { useHosts } from '../../store/hosts-store';
import { useRuns } from '../../store/runs-store';

export const KIND_LABELS: Record<AuditKind, string> = {
  command: 'Command on a host',
  file: 'File written',
  trust: 'Host key trusted or forgotten',
  local: 'On this computer',
  inventory: 'Inventory change',
};

/** The same, short enough for a table column. */
export const KIND_SHORT: Record<AuditKind, string> = { command: 'command', file: 'file', trust: 'trust', local: 'local', inventory: 'inventory' };

/** `datetime-local` speaks local time without a zone; the engine wants ISO. */
function toIso(local: string): string | undefined {
  const t = new Date(local);
  return local && !Number.isNaN(t.getTime()) ? t.toISOString() : undefined;
}
function toLocal(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function AuditFilters() {
  const filter = useAudit((s) => s.filter);
  const entries = useAudit((s) => s.entries);
  const setFilter = useAudit((s) => s.setFilter);
  const inventory = useHosts((s) => s.hosts);
  const runs = useRuns((s) => s.runs);

  const hostNames = useMemo(() => {
    const names = new Set([...inventory.map((h) => h.name), ...entries.map((e) => e.host)]);
    if (filter.host) names.add(filter.host);
    return [...names].sort();
  }, [inventory, entries, filter.host]);

  const change = (patch: Partial<AuditFilter>) => {
    const next: AuditFilter = { ...filter, ...patch };
    for (const k of Object.keys(next) as (keyof AuditFilter)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    void setFilter(next);
  };
  const active = Object.keys(filter).length > 0;

  return (
    <form className="audit-filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
      <FilterField label="Host">
        {(id) => (
          <select id={id} value={filter.host ?? ''} onChange={(e) => change({ host: e.target.value || undefined })}>
            <option value="">All hosts</option>
            {hostNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <FilterField label="Kind">
        {(id) => (
          <select id={id} value={filter.kind ?? ''} onChange={(e) => change({ kind: (e.target.value || undefined) as AuditKind | undefined })}>
            <option value="">All kinds</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <FilterField label="Run">
        {(id) => (
          <select id={id} value={filter.run ?? ''} onChange={(e) => change({ run: e.target.value || undefined })}>
            <option value="">All runs</option>
            {filter.run && !runs.some((r) => r.id === filter.run) && <option value={filter.run}>{filter.run}</option>}
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.title ?? r.operation}: {r.id}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <FilterField label="From">
        {(id) => <input id={id} type="datetime-local" value={toLocal(filter.since)} onChange={(e) => change({ since: toIso(e.target.value) })} />}
      </FilterField>
      <FilterField label="To">
        {(id) => <input id={id} type="datetime-local" value={toLocal(filter.until)} onChange={(e) => change({ until: toIso(e.target.value) })} />}
      </FilterField>
      <button type="button" className="button button--small" onClick={() => void setFilter({})} disabled={!active}>
        Clear filters
      </button>
    </form>
  );
}

function FilterField({ label, children }: { label: string; children(id: string): ReactNode }) {
  const id = useId();
  return (
    <div className="audit-filters__field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
