/**
 * Health: the Services machine's containers grouped by the guide's severity
 * (red severe, amber moderate, green mild), what a stopped container takes
 * down with it, the health endpoints, Replicated, and the Nomad panel with
 * scaling advice. Checks on demand or every N seconds.
 */
import { useEffect } from 'react';
import type { ContainerHealth, HealthReport } from '../../../shared/health/report';
import { ErrorMessage } from '../../components/error-message';
import { PageHeading } from '../../components/page-heading';
import { formatTime } from '../../format';
import { REFRESH_CHOICES, useHealth } from '../../store/health-store';
import { DependencyView } from './dependency-view';
import { NomadPanel } from './nomad-panel';
import './health.css';

const GROUPS = [
  { severity: 'severe', title: 'Severe', hint: 'data loss, corrupt jobs or major functions lost when down' },
  { severity: 'moderate', title: 'Moderate', hint: 'some jobs may fail, no data loss' },
  { severity: 'mild', title: 'Mild', hint: 'minor effect, no data loss' },
] as const;

const VERDICT: Record<HealthReport['verdict'], { cls: string; text: string }> = {
  healthy: { cls: 'message--ok', text: 'Healthy' },
  mild: { cls: 'message--ok', text: 'Healthy apart from mild problems' },
  unhealthy: { cls: 'message--error', text: 'Something severe or moderate is down' },
};

export function HealthPage() {
  const { report, checking, error, every, check, setEvery } = useHealth();

  useEffect(() => {
    if (!useHealth.getState().report) void check();
  }, [check]);

  useEffect(() => {
    if (!every) return;
    const timer = setInterval(() => void check(), every * 1000);
    return () => clearInterval(timer);
  }, [every, check]);

  return (
    <>
      <PageHeading title="Health">
        The Services machine’s containers judged by the operations guide’s table: what is down, how bad that is, and what else it takes down. Nomad’s queue
        and clients, with advice when builds wait for capacity.
      </PageHeading>

      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => void check()} disabled={checking}>
          {checking ? 'Checking…' : 'Check now'}
        </button>
        <label className="health-refresh">
          Auto-refresh{' '}
          <select value={every} onChange={(e) => setEvery(Number(e.target.value))}>
            {REFRESH_CHOICES.map((s) => (
              <option key={s} value={s}>
                {s === 0 ? 'off' : s < 60 ? `every ${s} s` : `every ${s / 60} min`}
              </option>
            ))}
          </select>
        </label>
        {report && <span className="muted">Checked {formatTime(report.checkedAt)} on {report.host}</span>}
      </div>

      {error && <ErrorMessage error={error} prefix="Could not check health." />}

      {report && (
        <>
          <div role="status" className={`message ${VERDICT[report.verdict].cls}`}>
            <p>
              <strong>{VERDICT[report.verdict].text}.</strong> {report.summary}
            </p>
          </div>

          <DependencyView report={report} />

          <div className="health-groups">
            {GROUPS.map((g) => (
              <SeverityGroup key={g.severity} {...g} containers={report.containers.filter((c) => c.severity === g.severity)} />
            ))}
          </div>

          <OtherChecks report={report} />
          <NomadPanel nomad={report.nomad} advice={report.advice} />
        </>
      )}
    </>
  );
}

function SeverityGroup({ severity, title, hint, containers }: { severity: string; title: string; hint: string; containers: ContainerHealth[] }) {
  const { focus, setFocus, report } = useHealth();
  const focused = report?.containers.find((c) => c.name === focus);
  const downstream = new Set(focused?.takesDown ?? []);
  const bad = containers.filter((c) => c.down).length;
  const sorted = [...containers].sort((a, b) => Number(b.down) - Number(a.down) || Number(b.impactedBy.length > 0) - Number(a.impactedBy.length > 0));
  return (
    <section className={`health-group health-group--${severity}`} aria-labelledby={`group-${severity}`}>
      <h2 id={`group-${severity}`}>
        {title} <span className="muted">({containers.length - bad}/{containers.length} up)</span>
      </h2>
      <p className="muted health-group__hint">{hint}</p>
      <ul className="health-list">
        {sorted.map((c) => {
          const state = c.down ? 'down' : c.impactedBy.length ? 'impacted' : 'up';
          return (
            <li key={c.name} className={`health-item health-item--${state}${downstream.has(c.name) ? ' health-item--taken' : ''}${focus === c.name ? ' health-item--focus' : ''}`}>
              <button type="button" className="health-item__button" aria-pressed={focus === c.name} onClick={() => setFocus(focus === c.name ? undefined : c.name)}>
                <span className={`health-dot health-dot--${state}`} aria-hidden="true" />
                <span className="health-item__name">{c.name}</span>
                <span className="health-item__state">
                  {c.down ? 'down' : c.impactedBy.length ? 'impacted' : c.oneShot && c.state !== 'running' ? 'done' : c.state}
                </span>
              </button>
              <p className="health-item__detail">
                {c.down ? `${c.reason ?? c.status}. If it fails: ${c.impact}.` : c.impactedBy.length ? `Depends on ${c.impactedBy.join(', ')}, which ${c.impactedBy.length > 1 ? 'are' : 'is'} down.` : c.role}
                {c.restartCount ? ` Restarted ${c.restartCount} times.` : ''}
                {c.severityNote ? ` (${c.severityNote})` : ''}
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function OtherChecks({ report }: { report: HealthReport }) {
  const failing = report.endpoints.filter((e) => !e.ok);
  const others = report.containers.filter((c) => c.severity === null);
  const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');
  return (
    <section className="section" aria-labelledby="other-checks">
      <h2 id="other-checks">Endpoints and Replicated</h2>
      <ul className="health-facts">
        {report.endpointsError && <li className="text-danger">{report.endpointsError}</li>}
        <li>
          Health endpoints: {report.endpoints.length - failing.length} of {report.endpoints.length} answer 200
          {failing.length > 0 && <span className="text-danger"> — failing: {failing.map((e) => `${e.url} (${e.httpCode || 'no answer'})`).join(', ')}</span>}
        </li>
        <li>
          Replicated app: {report.app.state}
          {report.app.error && <span className="text-danger"> — {report.app.error}</span>}
        </li>
        <li>
          LDAP in use: {yesNo(report.settings.ldap)}; S3 in use: {yesNo(report.settings.s3)} <span className="muted">({report.settings.source})</span>
          <SettingsChoice />
        </li>
        {others.length > 0 && (
          <li>
            Not in the guide’s table: {others.map((c) => `${c.name} (${c.state})`).join(', ')}
          </li>
        )}
      </ul>
    </section>
  );
}

/** When Replicated's settings do not say, the admin can: it decides federations-service's and fileserved's severity. */
function SettingsChoice() {
  const { given, setGiven, checking } = useHealth();
  const value = (v?: boolean) => (v === undefined ? '' : v ? 'yes' : 'no');
  const parse = (s: string) => (s === '' ? undefined : s === 'yes');
  return (
    <span className="health-settings">
      {(['ldap', 's3'] as const).map((k) => (
        <label key={k}>
          {k === 'ldap' ? 'LDAP' : 'S3'}{' '}
          <select value={value(given[k])} disabled={checking} onChange={(e) => setGiven({ ...given, [k]: parse(e.target.value) })}>
            <option value="">as Replicated says</option>
            <option value="yes">in use</option>
            <option value="no">not in use</option>
          </select>
        </label>
      ))}
    </span>
  );
}
