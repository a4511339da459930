/**
 * Install wizard, "Offline bundle": the admin names the files on this
 * computer (the .airgap bundle, the .rli license, replicated.tar.gz, Docker
 * .debs, the nomad binary) and where they go; Drydock sends them to every
 * host at once, a progress bar per host and file with rate and time left,
 * and shows each copy's SHA-256 at the end. The engine reads the files, so
 * the admin types their full paths (a browser page cannot read local paths,
 * and Drydock has no file dialog yet). An interrupted push resumes from what
 * arrived.
 */
import { useEffect, useState } from 'react';
import { DEFAULT_BUNDLE_DIR, type BundleStatus } from '../../../shared/channels/bundle';
import type { ResponseOf } from '../../../shared/contract';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { formatBytes } from '../../format';
import { useHosts } from '../../store/hosts-store';
import { useTransfers, type TransferRow } from './bundle-transfers';
import './bundle.css';

type PushResult = ResponseOf<'bundle:push'>;
type Target = 'nomad' | 'services' | 'hosts';

const paths = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function eta(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s left`;
}

function TransferLine({ row }: { row: TransferRow }) {
  const pct = row.total ? Math.floor((row.bytes / row.total) * 100) : 100;
  const label = `${row.file} to ${row.host}`;
  const state =
    row.status === 'sending'
      ? `${pct}% · ${formatBytes(row.rate)}/s · ${eta(row.etaSeconds)}${row.resumedFrom ? ` · resumed from ${formatBytes(row.resumedFrom)}` : ''}`
      : row.status === 'done'
        ? `Done · ${formatBytes(row.total)}${row.resumedFrom ? ` (resumed from ${formatBytes(row.resumedFrom)})` : ''}`
        : row.status === 'skipped'
          ? 'Already there (same SHA-256)'
          : row.status === 'failed'
            ? `Failed: ${row.message ?? ''}`
            : 'Waiting';
  return (
    <li className={`bundle-transfer bundle-transfer--${row.status}`}>
      <span className="bundle-transfer__name">
        <strong>{row.host}</strong> {row.file}
      </span>
      <progress className="bundle-transfer__bar" max={row.total || 1} value={row.status === 'skipped' ? row.total : row.bytes} aria-label={label} />
      <span className="bundle-transfer__state" aria-live="off">
        {state}
      </span>
    </li>
  );
}

export function BundleStep({ onDone }: { onDone(): void }) {
  const hosts = useHosts((s) => s.hosts);
  const [fileText, setFileText] = useState('');
  const [target, setTarget] = useState<Target>('nomad');
  const [chosen, setChosen] = useState<string[]>([]);
  const [dir, setDir] = useState(DEFAULT_BUNDLE_DIR);
  const [status, setStatus] = useState<BundleStatus | null>(null);
  const [checkError, setCheckError] = useState<ErrorPayload | null>(null);
  const [resuming, setResuming] = useState(false);
  const run = useRun<PushResult>('install:bundle-push', 'bundle-push');
  const runId = run.result?.runId ?? run.steps.find((s) => s.runId)?.runId;
  const transfers = useTransfers(runId);

  useEffect(() => {
    void useHosts.getState().load();
  }, []);
  // A check answers for the inputs it saw: any change makes it stale.
  useEffect(() => setStatus(null), [fileText, target, chosen, dir]);

  const request = () => ({
    files: paths(fileText),
    ...(target === 'hosts' ? { hosts: chosen } : { role: target }),
    ...(dir.trim() && dir.trim() !== DEFAULT_BUNDLE_DIR ? { dir: dir.trim() } : {}),
  });

  const check = async () => {
    setCheckError(null);
    try {
      setStatus(await call('bundle:status', request()));
    } catch (err) {
      setStatus(null);
      setCheckError(toErrorPayload(err));
    }
  };

  const send = () => run.start(() => call('bundle:push', request()), (r) => r.runId);

  const resume = async () => {
    if (!runId) return;
    setResuming(true);
    try {
      await run.start(async () => {
        await call('runs:resume', { id: runId });
        const back = await call('runs:get', { id: runId });
        const value = back.outcome?.value as PushResult | undefined;
        if (!value) throw new Error('The push finished, but its result could not be read back; push again to see every checksum.');
        return value;
      }, () => runId);
    } finally {
      setResuming(false);
    }
  };

  const files = paths(fileText);
  const ready = files.length > 0 && (target !== 'hosts' || chosen.length > 0);
  const failedResumable = !!run.error && !!runId && run.error.code !== 'INVALID_INPUT';

  return (
    <section className="section bundle-step" aria-labelledby="install-bundle-heading">
      <h2 id="install-bundle-heading">Offline bundle</h2>
      <p>
        Drydock sends the files from this computer to the hosts that need them, every host at once, and checks each copy&apos;s SHA-256 against this
        computer&apos;s while it streams. A copy already there with the same checksum is not sent again; an interrupted one continues from what arrived.
      </p>
      <Field
        label="Files on this computer"
        hint="One full path per line: the .airgap bundle, the .rli license, replicated.tar.gz, the Docker .deb packages, the nomad binary."
      >
        {(control) => (
          <textarea
            {...control}
            className="bundle-step__files"
            rows={5}
            value={fileText}
            spellCheck={false}
            placeholder={'/home/me/circleci/circleci-2.19.airgap\n/home/me/circleci/license.rli'}
            onChange={(e) => setFileText(e.target.value)}
          />
        )}
      </Field>
      <fieldset className="bundle-step__targets">
        <legend>Send to</legend>
        {(
          [
            ['nomad', 'Every Nomad client'],
            ['services', 'The Services machine'],
            ['hosts', 'These hosts'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="bundle-step__choice">
            <input type="radio" name="bundle-target" value={value} checked={target === value} onChange={() => setTarget(value)} /> {label}
          </label>
        ))}
        {target === 'hosts' && (
          <div className="bundle-step__hosts">
            {hosts.length === 0 && <p>No hosts yet: add them in Hosts first.</p>}
            {hosts.map((h) => (
              <label key={h.name} className="bundle-step__choice">
                <input
                  type="checkbox"
                  checked={chosen.includes(h.name)}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, h.name] : c.filter((n) => n !== h.name)))}
                />{' '}
                {h.name} <span className="bundle-step__role">({h.role})</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <Field label="Folder on the hosts" hint="Created if missing, owned by root with mode 0700; a folder anyone else could change is refused.">
        {(control) => <input {...control} className="bundle-step__dir" value={dir} spellCheck={false} onChange={(e) => setDir(e.target.value)} />}
      </Field>
      <div className="bundle-step__actions">
        <button type="button" className="button" onClick={check} disabled={!files.length || run.busy}>
          Check files
        </button>
        <button type="button" className="button button--primary" onClick={send} disabled={!ready || run.busy}>
          {run.busy ? 'Sending…' : 'Send the files'}
        </button>
      </div>
      {checkError && <ErrorMessage error={checkError} />}
      {status && (
        <table className="bundle-step__status" aria-label="Files to send">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
            </tr>
          </thead>
          <tbody>
            {status.files.map((f) => (
              <tr key={f.path}>
                <td>{f.path}</td>
                <td>{f.error ? <span className="bundle-step__bad">{f.error}</span> : formatBytes(f.size ?? 0)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={2}>
                To {status.hosts.join(', ') || 'no host'}, into {status.dir}
              </td>
            </tr>
          </tfoot>
        </table>
      )}
      {run.steps.length > 0 && <StepList steps={run.steps} label="Bundle push steps" />}
      {transfers.length > 0 && (
        <ul className="bundle-transfers" aria-label="Transfers">
          {transfers.map((row) => (
            <TransferLine key={`${row.host} ${row.file}`} row={row} />
          ))}
        </ul>
      )}
      {run.error && <ErrorMessage error={run.error} prefix="The push stopped." />}
      {failedResumable && (
        <button type="button" className="button" onClick={resume} disabled={run.busy || resuming}>
          {resuming ? 'Resuming…' : 'Resume the push'}
        </button>
      )}
      {run.result && (
        <>
          <table className="bundle-step__sums" aria-label="Checksums">
            <caption>Every copy matched this computer&apos;s SHA-256 (run {run.result.runId}).</caption>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Path</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {run.result.files.map((f) => (
                <tr key={`${f.host} ${f.path}`}>
                  <td>{f.host}</td>
                  <td>{f.path}</td>
                  <td>{formatBytes(f.bytes)}</td>
                  <td className="bundle-step__sha">{f.sha256}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="button button--primary" onClick={onDone}>
            Continue
          </button>
        </>
      )}
      {!run.result && !run.busy && (
        <button type="button" className="button button--quiet" onClick={onDone}>
          Skip: the files are already on the hosts
        </button>
      )}
    </section>
  );
}
