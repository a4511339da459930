/**
 * What a stopped container takes down: the chosen container (by default the
 * first one down) and everything that starts on it, directly or through
 * another, as the guide's start-up dependencies say. The same containers are
 * highlighted in the severity groups below.
 */
import { downstreamOf } from '../../../shared/health/containers';
import type { HealthReport } from '../../../shared/health/report';
import { useHealth } from '../../store/health-store';

export function DependencyView({ report }: { report: HealthReport }) {
  const { focus, setFocus } = useHealth();
  const down = report.containers.filter((c) => c.down && c.severity);
  const chosen = report.containers.find((c) => c.name === focus);
  if (!down.length && !chosen) return null;
  const byName = new Map(report.containers.map((c) => [c.name, c]));
  const byTable = new Map(report.containers.map((c) => [c.tableName, c.name]));
  // For a container that is up: what it would take down, from the same table.
  const wouldTake = chosen && !chosen.down && chosen.tableName ? downstreamOf(chosen.tableName).map((t) => byTable.get(t) ?? t).filter((n) => !byName.get(n)?.oneShot) : [];
  const rank = { severe: 0, moderate: 1, mild: 2 } as const;
  // Worst first: what the admin must bring back before anything else.
  const taken = chosen?.down ? [...chosen.takesDown].sort((a, b) => rank[byName.get(a)?.severity ?? 'mild'] - rank[byName.get(b)?.severity ?? 'mild']) : [];
  return (
    <section className="section health-deps" aria-labelledby="deps-heading">
      <h2 id="deps-heading">{down.length ? 'What is down takes down' : 'Dependencies'}</h2>
      {down.length > 0 && (
        <div className="toolbar" role="group" aria-label="Down containers">
          {down.map((c) => (
            <button key={c.name} type="button" className={`button button--small health-chip health-chip--${c.severity}`} aria-pressed={focus === c.name} onClick={() => setFocus(c.name)}>
              {c.name} <span className="muted">({c.severity})</span>
            </button>
          ))}
        </div>
      )}
      {chosen && (
        <div className="health-deps__body" aria-live="polite">
          {chosen.down ? (
            <p>
              <strong>{chosen.name}</strong> is down ({chosen.reason ?? chosen.status}). If it fails: {chosen.impact}.{' '}
              {taken.length ? `It takes down ${taken.length} container${taken.length === 1 ? '' : 's'} that start on it:` : 'Nothing else starts on it.'}
            </p>
          ) : (
            <p>
              <strong>{chosen.name}</strong> is {chosen.impactedBy.length ? `impacted by ${chosen.impactedBy.join(', ')}` : 'up'}. It starts on{' '}
              {chosen.dependsOn.length ? chosen.dependsOn.join(', ') : 'nothing else'}.{' '}
              {wouldTake.length ? `If it went down it would take down ${wouldTake.join(', ')}.` : 'Nothing else starts on it.'}
            </p>
          )}
          {taken.length > 0 && (
            <ul className="health-taken" aria-label={`Taken down by ${chosen.name}`}>
              {taken.map((name) => {
                const c = byName.get(name);
                return (
                  <li key={name} className={`health-chip health-chip--${c?.severity ?? 'mild'}`}>
                    {name}
                    {c && <span className="muted"> — {c.impact}</span>}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
