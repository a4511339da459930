/**
 * The catalog: every backup of this installation (and other snapshots of
 * the same disks, marked), with state, progress, size and age; pending ones
 * are followed live. Prune shows what it would delete and deletes only
 * after confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import type { BackupView, PruneDecision } from '../../../shared/backup/catalog';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';

function age(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

export function CatalogPanel({ profile, refreshKey }: { profile: string; refreshKey: number }) {
  const [backups, setBackups] = useState<BackupView[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [keepLast, setKeepLast] = useState('7');
  const [keepDays, setKeepDays] = useState('');
  const [decisions, setDecisions] = useState<PruneDecision[] | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [pruned, setPruned] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setBackups((await call('backup:list', { profile })).backups);
      setError(null);
    } catch (err) {
      setError(toErrorPayload(err));
    }
  }, [profile]);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  // A pending snapshot's progress is followed live.
  const pending = backups?.some((b) => b.state === 'pending');
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [pending, load]);

  const retention = () => ({ ...(keepLast.trim() ? { keepLast: Number(keepLast) } : {}), ...(keepDays.trim() ? { keepDays: Number(keepDays) } : {}) });
  const planPrune = async () => {
    setPruned(null);
    try {
      setDecisions((await call('backup:prune-plan', { profile, ...retention() })).decisions);
      setError(null);
    } catch (err) {
      setError(toErrorPayload(err));
    }
  };
  const doomed = decisions?.filter((d) => d.action === 'delete') ?? [];

  return (
    <section className="section" aria-labelledby="backup-catalog-heading">
      <h2 id="backup-catalog-heading">Backups of {profile}</h2>
      {error && <ErrorMessage error={error} />}
      {backups && backups.length === 0 && <p className="empty">No backups yet.</p>}
      {backups && backups.length > 0 && (
        <div className="table-scroll">
          <table className="table table--compact" aria-label="Backup catalog">
            <thead>
              <tr>
                <th>Backup</th>
                <th>State</th>
                <th>Progress</th>
                <th className="num">Size</th>
                <th>Age</th>
                <th>Mode</th>
                <th>Snapshots</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {backups.map((b) => (
                <tr key={b.id} data-backup={b.id}>
                  <td>
                    <code>{b.id}</code>
                  </td>
                  <td>{b.state}</td>
                  <td>
                    <progress max={100} value={b.progress} aria-label={`Progress of ${b.id}`} /> {b.progress}%
                  </td>
                  <td className="num">{b.sizeGiB} GiB</td>
                  <td>{age(b.startedAt)}</td>
                  <td>{b.mode ?? '—'}</td>
                  <td>
                    {b.snapshots.map((s) => (
                      <code key={s.id} className="backup-snap">
                        {s.id}
                      </code>
                    ))}
                  </td>
                  <td>{[b.ours ? '' : 'not taken by Drydock for this installation', b.inUse ? 'in use by a restore' : '', b.message ?? ''].filter(Boolean).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions actions--start">
        <button type="button" className="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <form
        className="panel backup-prune"
        aria-label="Prune"
        onSubmit={(e) => {
          e.preventDefault();
          void planPrune();
        }}
      >
        <h3>Prune</h3>
        <p className="muted">Never the newest completed backup, one a restore is using, or a snapshot Drydock did not take for this installation.</p>
        <label>
          Keep the last <input className="input--short" inputMode="numeric" value={keepLast} onChange={(e) => setKeepLast(e.target.value)} aria-label="Keep the last N backups" />
        </label>{' '}
        <label>
          and/or those younger than <input className="input--short" inputMode="numeric" value={keepDays} onChange={(e) => setKeepDays(e.target.value)} aria-label="Keep days" /> days
        </label>
        <div className="actions actions--start">
          <button type="submit" className="button">
            Show what would be deleted
          </button>
        </div>
      </form>
      {decisions && (
        <table className="table table--compact" aria-label="Prune plan">
          <thead>
            <tr>
              <th>Action</th>
              <th>Backup</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d) => (
              <tr key={d.backup.id}>
                <td>{d.action === 'delete' ? <strong>Delete</strong> : 'Keep'}</td>
                <td>
                  <code>{d.backup.id}</code>
                </td>
                <td>{d.why}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {decisions && doomed.length > 0 && (
        <div className="actions actions--start">
          <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
            Delete {doomed.length} backup(s)…
          </button>
        </div>
      )}
      {decisions && doomed.length === 0 && <p>Nothing to delete under these rules.</p>}
      {pruned && (
        <div role="status" className="message message--ok">
          <p>{pruned}</p>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete backups"
          confirmLabel={`Delete ${doomed.length} backup(s)`}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const result = await call('backup:prune', { profile, ...retention(), confirm: doomed.map((d) => d.backup.id) });
            setPruned(result.summary);
            setDecisions(null);
            await load();
          }}
        >
          <p>These snapshots are deleted at the provider and cannot be brought back:</p>
          <ul>
            {doomed.map((d) => (
              <li key={d.backup.id}>
                <code>{d.backup.id}</code> ({d.backup.snapshots.map((s) => s.id).join(', ')})
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </section>
  );
}
