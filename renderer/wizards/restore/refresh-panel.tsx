/**
 * The end of a refresh of the spare: which backup the spare holds now, and
 * what the refresh did not do — the app is left stopped (neither started
 * nor verified), nothing is re-pointed, no traffic switched — and what it
 * buys: a failover with the same backup skips the volume steps.
 */
import type { RestorePlan, RestoreRunResult } from '../../../shared/channels/restore';
import type { RunSummary } from '../../../shared/runs';
import { formatAge } from '../../format';

export function RefreshDone({ run, result, plan }: { run: RunSummary; result: RestoreRunResult | null; plan: RestorePlan | null }) {
  const backup = result?.backup ?? plan?.backup?.id;
  const spare = plan?.spare.host ?? 'The spare';
  const failed = run.verdict?.ok === false;
  return (
    <section className="section" aria-labelledby="restore-refresh-heading">
      <h2 id="restore-refresh-heading">4. The spare is warm</h2>
      {failed ? (
        <p>The refresh did not finish as it should: {run.verdict?.message ?? 'see the steps above'}.</p>
      ) : (
        <p data-testid="spare-now-holds">
          {spare} now holds backup <code>{backup ?? 'named in the report'}</code>
          {result?.recoveryPointMs !== undefined ? `, taken ${formatAge(result.recoveryPointMs)} before this refresh started` : ''}, with its identity fixed for
          its own address.
        </p>
      )}
      <ul aria-label="What the refresh left as it was">
        <li>The app on the spare is left stopped: it was not started and not verified.</li>
        <li>Nothing was re-pointed and no traffic was switched: the Nomad clients, DNS and the load balancer still lead to the primary.</li>
        <li>
          A failover onto this spare with {backup ? <>backup {backup}</> : 'this backup'} skips the volume steps (no stop, no disk swap): start a restore
          below, its preview says so. With another backup, or once a Drydock run has started the app on the spare, the full restore runs.
        </li>
      </ul>
    </section>
  );
}
