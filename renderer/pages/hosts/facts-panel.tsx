/**
 * What a host says about itself: the numbers an admin checks before an
 * install or a restore (OS, memory, disks, which of Docker, Nomad and
 * Replicated are there). While the facts are read, the run's steps show.
 */
import type { HostFacts } from '../../../shared/facts';
import { ErrorMessage } from '../../components/error-message';
import { StepList } from '../../components/step-list';
import { formatBytes, formatTime } from '../../format';
import { useFacts, progressKey } from '../../store/facts-store';
import { useProgress, type StepView } from '../../store/progress-store';

const NO_STEPS: StepView[] = [];

/** Failures the admin can fix by giving a password or passphrase for the session. */
const NEEDS_CREDENTIALS = new Set(['AUTH_FAILED', 'SUDO_FAILED']);

export function FactsPanel({ name, onCredentials }: { name: string; onCredentials(): void }) {
  const view = useFacts((s) => s.byHost[name]);
  const fetching = useFacts((s) => s.fetching);
  const fetchFacts = useFacts((s) => s.fetch);
  const steps = useProgress((s) => s.watches[progressKey(name)]?.steps ?? NO_STEPS);
  if (!view) return null;
  const headingId = `facts-${name}`;
  const current = steps.find((s) => s.status === 'running');
  // The failed step's note is usually the error itself; say it once, below.
  const shown = view.status === 'failed' ? steps.map((s) => (s.message === view.error.message ? { ...s, message: undefined } : s)) : steps;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="panel__header">
        <h2 id={headingId}>Facts: {name}</h2>
        <button type="button" className="button" onClick={() => void fetchFacts(name)} disabled={fetching !== null}>
          Read again
        </button>
      </div>
      <p role="status" className="panel__status">
        {view.status === 'running' && (current ? `Reading facts from ${name}: ${current.title}…` : `Connecting to ${name}…`)}
        {view.status === 'done' && `Read at ${formatTime(view.at.toISOString())} (run ${view.runId}).`}
      </p>
      {view.status !== 'done' && shown.length > 0 && <StepList steps={shown} label={`Steps reading facts from ${name}`} />}
      {view.status === 'failed' && <ErrorMessage error={view.error} prefix={`Could not read facts from ${name}.`} />}
      {view.status === 'failed' && NEEDS_CREDENTIALS.has(view.error.code) && (
        <div className="actions actions--start">
          <button type="button" className="button" onClick={onCredentials}>
            Give credentials…
          </button>
        </div>
      )}
      {view.status === 'done' && <FactsTable facts={view.facts} />}
    </section>
  );
}

function FactsTable({ facts }: { facts: HostFacts }) {
  const version = (v: string | null) => v ?? 'not installed';
  return (
    <>
      <dl className="facts">
        <dt>Hostname</dt>
        <dd data-testid="fact-hostname">{facts.hostname}</dd>
        <dt>Operating system</dt>
        <dd data-testid="fact-os">
          {facts.os.name} {facts.os.version}
        </dd>
        <dt>Kernel</dt>
        <dd>{facts.kernel}</dd>
        <dt>CPUs</dt>
        <dd>{facts.cpus}</dd>
        <dt>Memory</dt>
        <dd>{formatBytes(facts.memoryBytes)}</dd>
        <dt>Docker client</dt>
        <dd className={facts.software.docker ? '' : 'muted'}>{version(facts.software.docker)}</dd>
        <dt>Docker daemon</dt>
        <dd className={facts.software.dockerServer ? '' : 'muted'} data-testid="fact-docker-server">
          {facts.software.dockerServer ?? (facts.software.docker ? 'not reachable' : 'not installed')}
        </dd>
        <dt>Nomad</dt>
        <dd className={facts.software.nomad ? '' : 'muted'}>{version(facts.software.nomad)}</dd>
        <dt>Replicated</dt>
        <dd className={facts.software.replicated ? '' : 'muted'}>{version(facts.software.replicated)}</dd>
      </dl>
      <table className="table table--compact">
        <caption>Disks</caption>
        <thead>
          <tr>
            <th scope="col">Mount</th>
            <th scope="col">Filesystem</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col" className="num">
              Free
            </th>
          </tr>
        </thead>
        <tbody>
          {facts.disks.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No disks reported.
              </td>
            </tr>
          )}
          {facts.disks.map((d) => (
            <tr key={d.mount}>
              <td>
                <code>{d.mount}</code>
              </td>
              <td>{d.filesystem}</td>
              <td className="num">{formatBytes(d.sizeBytes)}</td>
              <td className="num">
                {formatBytes(d.freeBytes)}
                {d.sizeBytes > 0 && <span className="muted"> ({Math.round((d.freeBytes / d.sizeBytes) * 100)}%)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
