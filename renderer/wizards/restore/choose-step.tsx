/**
 * Step 1: which backup goes onto which spare. The backup defaults to the
 * newest completed one, its age shown as the recovery point (what the
 * restored installation will have lost); the spare is an inventory host
 * with role `spare`; the backup profile is asked only when there are
 * several. A drill, or a refresh that keeps the spare warm, is chosen here
 * too, with what it means.
 */
import { useEffect, useId, useState } from 'react';
import type { BackupProfile } from '../../../shared/backup/profile';
import type { BackupView } from '../../../shared/backup/catalog';
import type { RestoreMode, RestorePlanRequest } from '../../../shared/channels/restore';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { formatAge, formatTime } from '../../format';
import { useHosts } from '../../store/hosts-store';

export interface RestoreChoice {
  spare: string;
  profile?: string;
  backup?: string;
  mode: RestoreMode;
  /** The admin's word that they cut the spare off themselves (the provider cannot); set from the preview's checkbox. */
  spareIsolated?: boolean;
}

export function toPlanRequest(choice: RestoreChoice): RestorePlanRequest {
  return { spare: choice.spare, mode: choice.mode, ...(choice.profile ? { profile: choice.profile } : {}), ...(choice.backup ? { backup: choice.backup } : {}), ...(choice.spareIsolated ? { spareIsolated: true } : {}) };
}

interface ChooseStepProps {
  initial?: RestoreChoice;
  onPreview(choice: RestoreChoice): Promise<void>;
}

export function ChooseStep({ initial, onPreview }: ChooseStepProps) {
  const { hosts, loaded, load } = useHosts();
  const [profiles, setProfiles] = useState<BackupProfile[] | null>(null);
  const [profile, setProfile] = useState(initial?.profile ?? '');
  const [backups, setBackups] = useState<BackupView[] | null>(null);
  const [backup, setBackup] = useState(initial?.backup ?? '');
  const [spare, setSpare] = useState(initial?.spare ?? '');
  const [mode, setMode] = useState<RestoreMode>(initial?.mode ?? 'restore');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const refreshWhat = useId();

  useEffect(() => {
    void load();
    void call('backup:profiles', {})
      .then((list) => {
        setProfiles(list);
        setProfile((p) => p || list[0]?.name || '');
      })
      .catch((err: unknown) => setError(toErrorPayload(err)));
  }, [load]);

  // The backups of the chosen profile; the newest completed one is chosen unless the admin picked another.
  useEffect(() => {
    if (!profile) return;
    let stale = false;
    setBackups(null);
    void call('backup:list', { profile })
      .then(({ backups: list }) => {
        if (stale) return;
        setBackups(list);
        setBackup((b) => (b && list.some((x) => x.id === b) ? b : (list.find((x) => x.state === 'completed')?.id ?? '')));
      })
      .catch((err: unknown) => !stale && setError(toErrorPayload(err)));
    return () => {
      stale = true;
    };
  }, [profile]);

  const spares = hosts.filter((h) => h.role === 'spare');
  useEffect(() => {
    if (!spare && spares[0]) setSpare(spares[0].name);
  }, [spare, spares]);

  const chosen = backups?.find((b) => b.id === backup);
  const newest = backups?.find((b) => b.state === 'completed');
  const why = !spare ? 'No hot spare is chosen.' : !profile ? 'No backup profile exists yet: take a backup first (Backup page).' : !backup ? 'No completed backup to restore.' : '';

  const preview = async () => {
    setBusy(true);
    setError(null);
    try {
      await onPreview({ spare, mode, backup, ...(profiles && profiles.length > 1 ? { profile } : {}) });
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="section" aria-labelledby="restore-choose-heading">
      <h2 id="restore-choose-heading">1. Backup and spare</h2>
      <div className="panel restore-choose">
        {profiles && profiles.length > 1 && (
          <Field label="Backup profile" hint="Where the backups live, and how the spare's machine is found.">
            {(c) => (
              <select {...c} value={profile} onChange={(e) => setProfile(e.target.value)}>
                {profiles.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name} — {p.provider === 'aws' ? `AWS ${p.region}` : `libvirt on ${p.hypervisor}`}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          label="Backup"
          hint={chosen ? <RecoveryPoint backup={chosen} newest={chosen.id === newest?.id} /> : backups ? 'No backup of this installation has completed yet.' : 'Reading the catalog…'}
        >
          {(c) => (
            <select {...c} value={backup} onChange={(e) => setBackup(e.target.value)} disabled={!backups?.length}>
              {!backups?.length && <option value="">—</option>}
              {backups?.map((b) => (
                <option key={b.id} value={b.id} disabled={b.state !== 'completed'}>
                  {b.id} — {formatTime(b.startedAt)}, {formatAge(Date.now() - Date.parse(b.startedAt))} old{b.state !== 'completed' ? ` (${b.state})` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Hot spare" hint={loaded && spares.length === 0 ? 'No host has the role "Hot spare": add it on the Hosts page.' : 'The machine that becomes the Services machine.'}>
          {(c) => (
            <select {...c} value={spare} onChange={(e) => setSpare(e.target.value)} disabled={spares.length === 0}>
              {spares.length === 0 && <option value="">—</option>}
              {spares.map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name} ({h.address})
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="restore-mode">
          <legend>What to do</legend>
          <label>
            <input type="radio" name="restore-mode" checked={mode === 'restore'} onChange={() => setMode('restore')} /> Restore: the spare becomes the Services
            machine, the Nomad clients are re-pointed to it, then you switch DNS or the load balancer
          </label>
          <label>
            <input type="radio" name="restore-mode" checked={mode === 'drill'} onChange={() => setMode('drill')} /> Disaster-recovery drill: the same restore
            onto the spare with nothing re-pointed, to measure the recovery time; the preview says how production is kept safe
          </label>
          <label>
            <input type="radio" name="restore-mode" checked={mode === 'refresh-spare'} onChange={() => setMode('refresh-spare')} aria-describedby={refreshWhat} />{' '}
            Refresh the spare (keep it warm)
          </label>
          <p id={refreshWhat} className="muted restore-mode__what">
            The spare is imaged with the chosen backup (the newest completed one unless you pick another) and its identity fixed, the app left stopped,
            nothing re-pointed. A later failover onto it with that backup skips the volume steps (no stop, no disk swap).
          </p>
        </fieldset>
      </div>
      {error && <ErrorMessage error={error} prefix="Could not prepare the preview." />}
      <div className="actions actions--start">
        <button type="button" className="button button--primary" disabled={busy || !!why} onClick={() => void preview()}>
          {busy ? 'Reading the backup and the spare…' : mode === 'refresh-spare' ? 'Preview the refresh' : 'Preview the restore'}
        </button>
        {why && <span className="muted">{why}</span>}
      </div>
    </section>
  );
}

function RecoveryPoint({ backup, newest }: { backup: BackupView; newest: boolean }) {
  return (
    <span data-testid="recovery-point">
      Recovery point: {formatTime(backup.startedAt)}, {formatAge(Date.now() - Date.parse(backup.startedAt))} ago
      {newest ? ' (the newest completed backup)' : ''}. Anything done on the Services machine since then is not in it.
    </span>
  );
}
