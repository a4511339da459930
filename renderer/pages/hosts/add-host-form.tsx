/**
 * Add a host to the inventory, then go straight on to confirming its key.
 * Each field shows its own problem beside it (after the admin leaves it, or
 * on submit), by the same rules the engine applies.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { DrydockError, toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { HOST_ROLES, ROLE_LABELS } from '../../../shared/hosts';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useHosts } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { useTrust } from '../../store/trust-store';
import { EMPTY_HOST_FORM, fieldErrorsFromDetails, toHostRequest, validateHost, type FieldErrors, type HostField, type HostFormValues } from './host-form-model';

export function AddHostForm({ labelledBy }: { labelledBy: string }) {
  const hosts = useHosts((s) => s.hosts);
  const add = useHosts((s) => s.add);
  const [values, setValues] = useState<HostFormValues>(EMPTY_HOST_FORM);
  const [touched, setTouched] = useState<Partial<Record<HostField, boolean>>>({});
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ErrorPayload | null>(null);
  const [saving, setSaving] = useState(false);
  const [focusInvalid, setFocusInvalid] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const localErrors = validateHost(values, hosts.map((h) => h.name));
  const errorOf = (field: HostField) => serverErrors[field] ?? (showAll || touched[field] ? localErrors[field] : undefined);

  useEffect(() => {
    if (focusInvalid) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusInvalid]);

  const update = (field: HostField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setServerErrors((e) => ({ ...e, [field]: undefined }));
  };
  const leave = (field: HostField) => setTouched((t) => ({ ...t, [field]: true }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    if (Object.keys(localErrors).length) {
      setShowAll(true);
      setFocusInvalid((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      const added = await add(toHostRequest(values));
      setValues(EMPTY_HOST_FORM);
      setTouched({});
      setShowAll(false);
      useNotice.getState().show('info', `Added ${added.name}. Reading its host key…`);
      void useTrust.getState().check(added.name);
    } catch (err) {
      const fields = err instanceof DrydockError && err.code === 'INVALID_INPUT' ? fieldErrorsFromDetails(err.details) : {};
      if (Object.keys(fields).length) {
        setServerErrors(fields);
        setFocusInvalid((n) => n + 1);
      } else {
        setFailure(toErrorPayload(err));
      }
    } finally {
      setSaving(false);
    }
  };

  const text = (field: HostField, extra: { inputMode?: 'numeric' } = {}) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => update(field, e.target.value),
    onBlur: () => leave(field),
    spellCheck: false,
    autoComplete: 'off',
    ...extra,
  });

  return (
    <form ref={formRef} className="host-form" onSubmit={submit} noValidate aria-labelledby={labelledBy}>
      <div className="host-form__grid">
        <Field label="Name" error={errorOf('name')} hint="How Drydock and its log refer to this host, e.g. services or nomad-1.">
          {(control) => <input {...control} type="text" {...text('name')} />}
        </Field>
        <Field label="Address" error={errorOf('address')} hint="DNS name or IP address, as you would give it to ssh.">
          {(control) => <input {...control} type="text" {...text('address')} />}
        </Field>
        <Field label="Port" error={errorOf('port')}>
          {(control) => <input {...control} type="text" className="input--short" {...text('port', { inputMode: 'numeric' })} />}
        </Field>
        <Field label="User" error={errorOf('user')} hint="The login name, e.g. ubuntu.">
          {(control) => <input {...control} type="text" {...text('user')} />}
        </Field>
        <Field label="Role" error={errorOf('role')}>
          {(control) => (
            <select {...control} value={values.role} onChange={(e) => update('role', e.target.value)} onBlur={() => leave('role')}>
              {HOST_ROLES.map((role) => (
                <option key={role} value={role}>
                  {ROLE_LABELS[role]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Private key path" optional error={errorOf('keyPath')} hint="A key file on this laptop. Leave empty to use ssh-agent or a password.">
          {(control) => <input {...control} type="text" {...text('keyPath')} />}
        </Field>
        <Field label="Jump host" optional error={errorOf('jump')} hint="Reach this host through another one in the list (like ssh -J).">
          {(control) => (
            <select {...control} value={values.jump} onChange={(e) => update('jump', e.target.value)} onBlur={() => leave('jump')}>
              <option value="">None: connect directly</option>
              {hosts.map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name} ({ROLE_LABELS[h.role]})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {failure && <ErrorMessage error={failure} prefix="The host was not added." />}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Adding…' : 'Add host'}
        </button>
      </div>
    </form>
  );
}
