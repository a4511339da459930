/**
 * Install wizard, the Nomad clients: the plan for every client (Docker,
 * files, binary, network, the node as the Nomad server lists it), a
 * confirmation of what installs and restarts, then the run: steps, the
 * streamed dpkg output, and each client's node status until it is ready.
 * Each registered client can be drained and removed from here.
 */
import { useState } from 'react';
import type { NomadInstallPlan, NomadInstallRequest, NomadInstallResult } from '../../../shared/channels/install-services';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { FileDiff } from '../proxy/diff-view';
import { DrainPanel } from './drain-panel';
import { InstallLog } from './install-log';
import './install-services.css';

function requestOf(hosts: string, nomad: string, debs: string): NomadInstallRequest {
  const list = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
  return {
    waitMinutes: 5,
    pollSeconds: 5,
    ...(list(hosts).length ? { hosts: list(hosts) } : {}),
    ...(nomad.trim() ? { nomadBinary: nomad.trim() } : {}),
    ...(list(debs).length ? { dockerDebs: list(debs) } : {}),
  };
}

function ClientTable({ plan, statuses, onDrain }: { plan: NomadInstallPlan; statuses: Record<string, string>; onDrain(host: string): void }) {
  return (
    <table className="install-table" data-testid="nomad-clients">
      <caption className="visually-hidden">Nomad clients</caption>
      <thead>
        <tr>
          <th scope="col">Client</th>
          <th scope="col">Docker</th>
          <th scope="col">nomad</th>
          <th scope="col">Node</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {plan.clients.map((c) => {
          const status = statuses[c.host] ?? (c.node ? `${c.node.status}${c.node.drain ? ', draining' : ''}` : 'not registered');
          return (
            <tr key={c.host}>
              <td>
                {c.host} <span className="muted">advertises {c.advertise}</span>
              </td>
              <td>{c.docker.installed ? `installed${c.docker.version ? ` (${c.docker.version})` : ''}` : 'from the bundle'}</td>
              <td>{c.nomadRunning ? 'running' : c.binaryInstalled ? 'installed, stopped' : 'to install'}</td>
              <td>
                <span className={`badge ${status === 'ready' ? 'badge--ok' : 'badge--warn'}`}>{status}</span>
              </td>
              <td>
                {status === 'ready' && (
                  <button type="button" className="button button--small" onClick={() => onDrain(c.host)}>
                    Drain…
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function NomadStep({ onDone }: { onDone(): void }) {
  const [hosts, setHosts] = useState('');
  const [nomad, setNomad] = useState('');
  const [debs, setDebs] = useState('');
  const [plan, setPlan] = useState<{ plan: NomadInstallPlan; request: NomadInstallRequest } | null>(null);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [draining, setDraining] = useState<string | null>(null);
  const run = useRun<NomadInstallResult>('install:nomad', 'install-nomad', { attach: true });

  const review = async (request = requestOf(hosts, nomad, debs)) => {
    setPlanning(true);
    setPlanError(null);
    try {
      setPlan({ plan: await call('install:nomad-plan', request), request });
    } catch (err) {
      setPlanError(toErrorPayload(err));
    } finally {
      setPlanning(false);
    }
  };
  const provision = async () => {
    const p = plan!;
    run.reset();
    const done = await run.start(() => call('install:nomad-run', { request: p.request, confirm: true, planFingerprint: p.plan.fingerprint }), (r) => r.runId);
    // The table then shows the clients as they are now (nodes, what is left to do).
    if (done) await review(p.request);
  };

  // "nomad-1: ready, nomad-2: initializing" from the ready step, or the result once done.
  const statuses: Record<string, string> = {};
  const readyNote = run.steps.find((s) => s.step === 'ready')?.message;
  for (const part of readyNote?.split(', ') ?? []) {
    const [h, s] = part.split(': ');
    if (h && s) statuses[h] = s;
  }
  for (const c of run.result?.clients ?? []) statuses[c.host] = c.status;

  return (
    <section className="section" aria-labelledby="install-nomad-heading">
      <h2 id="install-nomad-heading">Nomad clients</h2>
      <div className="install-form__grid">
        <Field label="Clients" optional hint="Comma-separated; default: every host with the role Nomad client.">
          {(c) => <input {...c} type="text" value={hosts} onChange={(e) => setHosts(e.target.value)} />}
        </Field>
        <Field label="nomad binary on this computer" optional hint="Default: nomad in each client's bundle folder.">
          {(c) => <input {...c} type="text" value={nomad} onChange={(e) => setNomad(e.target.value)} />}
        </Field>
        <Field label="Docker .deb files" optional hint="For clients without Docker; one path per line.">
          {(c) => <textarea {...c} rows={2} value={debs} onChange={(e) => setDebs(e.target.value)} />}
        </Field>
      </div>
      <div className="actions actions--start">
        <button type="button" className="button" disabled={planning || run.busy} onClick={() => void review()}>
          {planning ? 'Reading the clients…' : plan ? 'Read the clients again' : 'Review the plan'}
        </button>
      </div>
      {planError && <ErrorMessage error={planError} prefix="Could not plan." />}
      {plan && (
        <>
          <p>
            Nomad server: <code>{plan.plan.servicesHost}</code> at <code>{plan.plan.servicesAddress}:4647</code>
          </p>
          <ClientTable plan={plan.plan} statuses={statuses} onDrain={setDraining} />
          {draining && (
            <DrainPanel
              key={draining}
              host={draining}
              onClose={() => {
                setDraining(null);
                void review(plan.request);
              }}
            />
          )}
          {plan.plan.clients.map((c) => c.fileChanges.filter((f) => f.action !== 'unchanged').map((f) => <FileDiff key={`${c.host}${f.path}`} host={c.host} file={f} />))}
          {plan.plan.warnings.map((w) => (
            <p key={w} className="message message--warn">
              {w}
            </p>
          ))}
          {plan.plan.blockers.length > 0 && (
            <div role="alert" className="message message--error">
              <ul>
                {plan.plan.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </div>
          )}
          {!run.busy && !run.result && (
            <div className="actions actions--start">
              <button type="button" className="button button--primary" disabled={plan.plan.blockers.length > 0 || plan.plan.installs.length === 0} onClick={() => setConfirming(true)}>
                {plan.plan.installs.length ? 'Provision…' : 'Every client is provisioned'}
              </button>
            </div>
          )}
        </>
      )}
      {confirming && plan && (
        <ConfirmDialog title="Provision the Nomad clients?" confirmLabel="Provision" onConfirm={provision} onClose={() => setConfirming(false)}>
          <p>This will:</p>
          <ul>
            {plan.plan.installs.map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label="Provisioning steps" />}
      <InstallLog operation="install-nomad" label="Provisioning output" />
      {run.error && <ErrorMessage error={run.error} prefix="Provisioning stopped." />}
      {run.result && (
        <p role="status" className="message message--ok">
          {run.result.summary}
        </p>
      )}
      <div className="actions actions--start install-done">
        <button type="button" className="button button--primary" disabled={run.busy} onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
