/**
 * Edit a host in place: address, port, user, key, role, jump host. Moving a
 * host to another address or port means the key Drydock trusted belongs to
 * the old one: the dialog says which key will be forgotten and saves only
 * after the admin agreed; then the new address's key is read for them to
 * confirm, as for a new host.
 */
import { useState } from 'react';
import type { HostView } from '../../../shared/contract';
import { DrydockError } from '../../../shared/errors';
import { applyHostEdit, describeHostChanges, type HostEdit } from '../../../shared/hosts';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { Fingerprint } from '../../components/fingerprint';
import { useCheckedForm } from '../../components/use-checked-form';
import { useHosts } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { useTrust } from '../../store/trust-store';
import { HostFields } from './host-fields';
import { fieldErrorsFromDetails, formFromHost, hostWarnings, toHostEdit, validateHost, type HostField, type HostFormValues } from './host-form-model';

interface ForgetPrompt {
  changes: HostEdit;
  knownAs: string;
  fingerprint: string;
}

export function EditHostDialog({ host, onClose }: { host: HostView; onClose(): void }) {
  const hosts = useHosts((s) => s.hosts);
  const edit = useHosts((s) => s.edit);
  const [values, setValues] = useState<HostFormValues>(formFromHost(host));
  const [prompt, setPrompt] = useState<ForgetPrompt | null>(null);
  const form = useCheckedForm(validateHost(values, hosts, host.name), fieldErrorsFromDetails);

  const update = (field: HostField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    form.edited(field);
  };

  const save = async (changes: HostEdit, forgetKey: boolean) => {
    const saved = await edit({ name: host.name, changes, ...(forgetKey ? { forgetKey: true } : {}) });
    const notes = [...saved.warnings];
    if (saved.forgotKeys) notes.push(`the key trusted for its old address is forgotten: confirm the new one`);
    useNotice.getState().show('info', `Saved ${host.name}${notes.length ? `. Note: ${notes.join('; ')}.` : '.'}`);
    onClose();
    if (saved.forgotKeys || (!saved.trusted && (changes.address !== undefined || changes.port !== undefined))) void useTrust.getState().check(host.name);
  };

  const submit = form.submit(async () => {
    const changes = toHostEdit(host, values);
    if (!Object.keys(changes).length) {
      onClose();
      return;
    }
    try {
      await save(changes, false);
    } catch (err) {
      const forget = err instanceof DrydockError && err.code === 'CONFLICT' ? (err.details?.forgetKey as { knownAs?: string; fingerprint?: string } | undefined) : undefined;
      if (!forget?.knownAs || !forget.fingerprint) throw err;
      setPrompt({ changes, knownAs: forget.knownAs, fingerprint: forget.fingerprint });
    }
  });

  if (prompt) {
    const after = applyHostEdit(host, prompt.changes);
    return (
      <Dialog key="prompt" title={`Forget the trusted key of ${host.name}?`} onClose={onClose} tone="danger" wide>
        <ForgetKeyPrompt host={host} prompt={prompt} changes={describeHostChanges(host, after)} onBack={() => setPrompt(null)} onConfirm={() => save(prompt.changes, true)} />
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title={`Edit ${host.name}`} onClose={onClose} wide>
      <form ref={form.formRef} className="host-form host-form--dialog" onSubmit={submit} noValidate aria-label={`Edit ${host.name}`}>
        <HostFields values={values} hosts={hosts} editing={host.name} warnings={hostWarnings(values, hosts, host.name)} errorOf={form.errorOf} update={update} leave={form.touch} />
        {form.failure && <ErrorMessage error={form.failure} prefix="Nothing was changed." />}
        <div className="actions">
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={form.busy}>
            {form.busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ForgetKeyPrompt({ host, prompt, changes, onBack, onConfirm }: { host: HostView; prompt: ForgetPrompt; changes: string[]; onBack(): void; onConfirm(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } catch (err) {
      setError(err instanceof DrydockError ? err : new DrydockError('INTERNAL', String(err)));
      setBusy(false);
    }
  };
  return (
    <>
      <p>
        You are changing <strong>{host.name}</strong>: {changes.join(', ')}.
      </p>
      <p>
        The key Drydock trusts was confirmed for <code>{prompt.knownAs}</code>, not for the new address. Saving forgets that key:
      </p>
      <div className="fingerprint-box">
        <Fingerprint value={prompt.fingerprint} testId="forget-fingerprint" />
      </div>
      <p>Before Drydock runs anything on {host.name} again, it shows you the key of the new address to compare with the host&rsquo;s console, as for a new host.</p>
      {error && <ErrorMessage error={error.toPayload()} prefix="Nothing was changed." />}
      <div className="actions">
        <button type="button" className="button" onClick={onBack} data-autofocus>
          Back to the form
        </button>
        <button type="button" className="button button--danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Saving…' : 'Forget the key and save'}
        </button>
      </div>
    </>
  );
}
