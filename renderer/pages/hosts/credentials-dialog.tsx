/**
 * Secrets for one host, for this session only: the engine keeps them in
 * memory and never writes them anywhere. Blank fields are not sent.
 */
import { useState, type FormEvent } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import type { HostView } from '../../../shared/contract';
import { call } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useHosts } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { secretsSet } from './host-table';

type Secret = 'password' | 'passphrase' | 'sudoPassword';

export function CredentialsDialog({ host, onClose }: { host: HostView; onClose(): void }) {
  const [secrets, setSecrets] = useState<Record<Secret, string>>({ password: '', passphrase: '', sudoPassword: '' });
  const [empty, setEmpty] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [saving, setSaving] = useState(false);
  const clearCredentials = useHosts((s) => s.clearCredentials);
  const set = secretsSet(host);

  const clear = async () => {
    setSaving(true);
    setError(null);
    try {
      await clearCredentials(host.name);
      useNotice.getState().show('info', `Drydock forgot the credentials you gave for ${host.name}.`);
      onClose();
    } catch (err) {
      setError(toErrorPayload(err));
      setSaving(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const given = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== '')) as Partial<Record<Secret, string>>;
    if (Object.keys(given).length === 0) {
      setEmpty(true);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await call('hosts:credentials', { name: host.name, ...given });
      await useHosts.getState().load();
      useNotice.getState().show('info', `Drydock will use the credentials you gave for ${host.name} until it quits.`);
      onClose();
    } catch (err) {
      setError(toErrorPayload(err));
      setSaving(false);
    }
  };

  const secret = (key: Secret) => ({
    type: 'password',
    autoComplete: 'off',
    value: secrets[key],
    onChange: (e: { target: { value: string } }) => {
      setEmpty(false);
      setSecrets((s) => ({ ...s, [key]: e.target.value }));
    },
  });

  return (
    <Dialog title={`Credentials for ${host.name}`} onClose={onClose}>
      <p>
        Kept in memory for this session only and never written to disk. Fill in only what {host.user}@{host.address} asks for.
      </p>
      <div className="message" role="status" data-testid="credentials-status">
        <p>
          {set.length ? `Set for this session: ${set.join(', ')}. A field left blank keeps what is set.` : 'No credentials are set for this host.'}
        </p>
        {set.length > 0 && (
          <div className="actions actions--start">
            <button type="button" className="button button--small" onClick={() => void clear()} disabled={saving}>
              Forget them
            </button>
          </div>
        )}
      </div>
      <form onSubmit={submit} noValidate>
        <Field label="Login password" optional hint="If the host accepts passwords and no key is set.">
          {(control) => <input {...control} {...secret('password')} data-autofocus />}
        </Field>
        <Field label="Key passphrase" optional hint={host.keyPath ? `Unlocks ${host.keyPath}.` : 'Only if you later set a private key that has one.'}>
          {(control) => <input {...control} {...secret('passphrase')} />}
        </Field>
        <Field label="sudo password" optional hint={`For commands that need root, if ${host.user} must type a password for sudo.`}>
          {(control) => <input {...control} {...secret('sudoPassword')} />}
        </Field>
        {empty && (
          <p role="alert" className="field__error">
            Fill in at least one field, or cancel.
          </p>
        )}
        {error && <ErrorMessage error={error} prefix="Nothing was kept." />}
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : 'Use for this session'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
