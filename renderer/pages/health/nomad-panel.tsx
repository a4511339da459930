/** Nomad: the job queue, the clients, and what to do about a queue. */
import type { Advice, NomadStatus } from '../../../shared/health/report';

const GiB = 1024 ** 3;

export function NomadPanel({ nomad, advice }: { nomad: NomadStatus; advice: Advice[] }) {
  return (
    <section className="section" aria-labelledby="nomad-heading">
      <h2 id="nomad-heading">
        Nomad <span className="muted">({nomad.source})</span>
      </h2>
      {nomad.pollFailure ? (
        <p className="text-danger">The Nomad server did not answer: {nomad.error ?? 'no reason given'}.</p>
      ) : (
        <dl className="health-jobs">
          {(['pending', 'running', 'complete', 'dead'] as const).map((k) => (
            <div key={k} className={k === 'pending' && nomad.jobs.pending > 0 ? 'health-jobs--alert' : undefined}>
              <dt>Jobs {k}</dt>
              <dd>{nomad.jobs[k]}</dd>
            </div>
          ))}
        </dl>
      )}
      {advice.length > 0 && (
        <ul className="health-advice" aria-label="Advice">
          {advice.map((a, i) => (
            <li key={i} className={`message ${a.level === 'action' ? 'message--error' : a.level === 'warning' ? 'health-advice--warn' : ''}`}>
              <p>
                {a.level === 'action' && <strong>Scale out. </strong>}
                {a.text}
              </p>
            </li>
          ))}
        </ul>
      )}
      {nomad.nodes.length > 0 ? (
        <div className="table-scroll">
          <table className="table table--compact">
            <caption className="visually-hidden">Nomad clients</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Status</th>
                <th scope="col">Eligibility</th>
                <th scope="col">Draining</th>
                <th scope="col" className="num">Running allocations</th>
                <th scope="col" className="num">vCPUs</th>
                <th scope="col" className="num">Memory</th>
              </tr>
            </thead>
            <tbody>
              {nomad.nodes.map((n) => (
                <tr key={n.id}>
                  <th scope="row">{n.name}</th>
                  <td className={n.status === 'ready' ? undefined : 'text-danger'}>{n.status}</td>
                  <td>{n.eligibility}</td>
                  <td>{n.drain ? 'yes' : 'no'}</td>
                  <td className="num">{n.allocs ?? '—'}</td>
                  <td className="num">{n.cpus ?? '—'}</td>
                  <td className="num">{n.memoryBytes === null ? '—' : `${Math.round(n.memoryBytes / GiB)} GB`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        !nomad.pollFailure && <p className="empty">No Nomad clients registered with the server.</p>
      )}
    </section>
  );
}
