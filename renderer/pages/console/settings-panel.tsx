/**
 * The console's settings as a form: what is set now (read from the
 * Services machine), what to change, then the plan (current → new, secrets
 * masked) before anything is written; the app restarts only if the admin
 * ticks it, as the console's "Restart Now".
 */
import { useEffect, useState } from 'react';
import type { SettingsPlan } from '../../../shared/console/settings';
import { DLC_KEY, specFor } from '../../../shared/console/settings';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';

interface Shown {
  key: string;
  label: string;
  value?: string;
  where?: string;
  missing?: string;
}

export function SettingsPanel() {
  const [settings, setSettings] = useState<Shown[] | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [dlc, setDlc] = useState(false);
  const [plan, setPlan] = useState<SettingsPlan | null>(null);
  const [restart, setRestart] = useState(false);
  const [confirming, setConfirming] = useState<'apply' | 'rollback' | null>(null);
  const [rollbackItems, setRollbackItems] = useState<string[]>([]);
  const [done, setDone] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setSettings((await call('settings:show', {})).settings);
    } catch (err) {
      setError(toErrorPayload(err));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const changes = (): Record<string, string> => {
    const out = Object.fromEntries(Object.entries(edits).filter(([, v]) => v !== ''));
    if (dlc) out[DLC_KEY] = 'true';
    return out;
  };
  const review = async () => {
    setBusy(true);
    setError(null);
    setDone('');
    try {
      setPlan(await call('settings:plan', { changes: changes() }));
    } catch (err) {
      setError(toErrorPayload(err));
      setPlan(null);
    } finally {
      setBusy(false);
    }
  };
  const edit = (key: string, value: string) => {
    setEdits((e) => ({ ...e, [key]: value }));
    setPlan(null);
  };

  const canApply = !!plan && !plan.missing.length && !plan.problems.length && plan.changes.some((c) => c.changed);
  return (
    <section aria-labelledby="settings-heading" className="panel">
      <h2 id="settings-heading">Console settings</h2>
      {!settings && !error && <p>Reading the settings from the Services machine…</p>}
      {settings && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void review();
          }}
        >
          <table className="table" data-testid="settings-table">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Now</th>
                <th scope="col">Change to</th>
              </tr>
            </thead>
            <tbody>
              {settings.map((s) => {
                const kind = specFor(s.key)?.kind;
                const id = `setting-${s.key.replace(/\W/g, '-')}`;
                return (
                  <tr key={s.key}>
                    <th scope="row">
                      <label htmlFor={id}>{s.label}</label>
                      <div className="muted">{s.missing ?? s.where}</div>
                    </th>
                    <td>{s.missing ? '—' : s.value}</td>
                    <td>
                      {s.missing ? (
                        'Not on this console'
                      ) : kind === 'bool' ? (
                        <select id={id} value={edits[s.key] ?? ''} onChange={(e) => edit(s.key, e.target.value)}>
                          <option value="">(leave)</option>
                          <option value="true">true</option>
                          <option value="false">false</option>
                        </select>
                      ) : kind === 'choice' ? (
                        <select id={id} value={edits[s.key] ?? ''} onChange={(e) => edit(s.key, e.target.value)}>
                          <option value="">(leave)</option>
                          <option value="instance-profile">IAM instance profile</option>
                          <option value="keys">Access key and secret key</option>
                        </select>
                      ) : (
                        <input
                          id={id}
                          type={kind === 'secret' ? 'password' : 'text'}
                          inputMode={kind === 'count' ? 'numeric' : undefined}
                          autoComplete="off"
                          spellCheck={false}
                          value={edits[s.key] ?? ''}
                          placeholder="(leave)"
                          onChange={(e) => edit(s.key, e.target.value)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <label className="checkbox">
            <input type="checkbox" checked={dlc} onChange={(e) => (setDlc(e.target.checked), setPlan(null))} /> Docker Layer Caching is used (both
            preallocated counts must then be 0)
          </label>
          <div className="toolbar">
            <button type="submit" className="button button--primary" disabled={busy}>
              Review the plan
            </button>
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() =>
                void call('settings:rollback-plan', {})
                  .then((p) => (setRollbackItems(p.items), setConfirming('rollback')))
                  .catch((err: unknown) => setError(toErrorPayload(err)))
              }
            >
              Roll back the last change…
            </button>
          </div>
        </form>
      )}
      <div role="status" className="notice-slot">
        {error && <ErrorMessage error={error} />}
        {done && <p className="message message--ok">{done}</p>}
      </div>
      {plan && (
        <div data-testid="settings-plan">
          <h3>Plan for {plan.services}</h3>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Now</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {plan.changes.map((c) => (
                <tr key={c.key}>
                  <th scope="row">{c.label}</th>
                  <td>{c.from || '(empty)'}</td>
                  <td>{c.changed ? c.to || '(empty)' : 'unchanged'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.missing.map((m) => (
            <p key={m.key} className="message message--error">
              {m.message}
            </p>
          ))}
          {plan.problems.map((p) => (
            <p key={p} className="message message--error">
              {p}
            </p>
          ))}
          {plan.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
          <label className="checkbox">
            <input type="checkbox" checked={restart} onChange={(e) => setRestart(e.target.checked)} /> Restart the CircleCI app now (builds and the UI are
            unavailable until it is back)
          </label>
          <div className="toolbar">
            <button type="button" className="button button--primary" disabled={!canApply} onClick={() => setConfirming('apply')}>
              Apply…
            </button>
          </div>
        </div>
      )}
      {confirming === 'apply' && plan && (
        <ConfirmDialog
          title="Change the console settings?"
          confirmLabel={restart ? 'Apply and restart' : 'Apply without restarting'}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            const r = await call('settings:apply', { changes: changes(), restart, planFingerprint: plan.fingerprint });
            setDone(`Changed ${r.changed.join(', ')}; the config before is saved in ${r.backupFile}. ${r.restarted ? 'The app was restarted.' : 'Not restarted: the app uses them at its next restart.'}`);
            setPlan(null);
            setEdits({});
            await load();
          }}
        >
          <p>
            The whole current config is saved on this machine first, so the change can be rolled back. {restart ? 'Then the app restarts.' : 'The app is not restarted.'}
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'rollback' && (
        <ConfirmDialog
          title="Roll back the console settings?"
          confirmLabel={restart ? 'Roll back and restart' : 'Roll back without restarting'}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            const r = await call('settings:rollback', { restart });
            setDone(r.restored.length ? `Restored ${r.restored.join(', ')} from ${r.backupFile}.` : 'Nothing to roll back: the settings are as saved.');
            await load();
          }}
        >
          <p>{rollbackItems.length ? `Puts back: ${rollbackItems.join(', ')}.` : 'The settings are already as saved.'}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
