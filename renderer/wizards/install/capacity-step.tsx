/** Capacity: builds per resource class on each Nomad client after its reservation, from the last preflight. */
import { useEffect, useState } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { CapacityPlan } from '../../../shared/install/capacity';
import { RESOURCE_CLASSES } from '../../../shared/install/requirements';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;

export function CapacityStep({ reportAt, onNext }: { reportAt: string | null; onNext(): void }) {
  const [plan, setPlan] = useState<CapacityPlan | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  useEffect(() => {
    setError(null);
    call('install:capacity', {})
      .then(setPlan)
      .catch((err) => setError(toErrorPayload(err)));
  }, [reportAt]);
  return (
    <section className="section" aria-labelledby="install-capacity-heading">
      <h2 id="install-capacity-heading">Capacity</h2>
      <p className="muted">Each Nomad client holds back 2 vCPUs and 4 GB for coordination; builds get the rest. Resource classes: {RESOURCE_CLASSES.map((r) => `${r.name} ${r.cpus} vCPU / ${gib(r.memoryBytes)}`).join(', ')}.</p>
      {error && <ErrorMessage error={error} prefix="No capacity plan." />}
      {plan && (
        <>
          <table className="table table--compact" aria-label="Builds that fit at once">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col" className="num">vCPUs</th>
                <th scope="col" className="num">Memory</th>
                <th scope="col" className="num">For builds</th>
                {RESOURCE_CLASSES.map((r) => (
                  <th key={r.name} scope="col" className="num">
                    {r.name}
                    {r.name === plan.defaultClass ? ' (default)' : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {plan.clients.map((c) => (
                <tr key={c.host}>
                  <th scope="row">{c.host}</th>
                  <td className="num">{c.cpus}</td>
                  <td className="num">{gib(c.memoryBytes)}</td>
                  <td className="num">
                    {c.usableCpus} vCPU / {gib(c.usableMemoryBytes)}
                  </td>
                  {RESOURCE_CLASSES.map((r) => (
                    <td key={r.name} className="num">
                      {c.fits[r.name]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>
                  Total builds at once
                </th>
                {RESOURCE_CLASSES.map((r) => (
                  <td key={r.name} className="num">
                    <strong>{plan.totals[r.name]}</strong>
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
          {plan.warnings.length > 0 && (
            <div className="message message--info" role="note">
              {plan.warnings.map((w) => (
                <p key={w}>{w}</p>
              ))}
            </div>
          )}
        </>
      )}
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onNext}>
          Next: bundle
        </button>
      </div>
    </section>
  );
}
