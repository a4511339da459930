/**
 * Add a host to the inventory, then go straight on to confirming its key.
 * Each field shows its own problem beside it (after the admin leaves it, or
 * on submit), by the same rules the engine applies.
 */
import { useState } from 'react';
import { HOST_ROLES, ROLE_LABELS } from '../../../shared/hosts';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useCheckedForm } from '../../components/use-checked-form';
import { useHosts } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { useTrust } from '../../store/trust-store';
import { EMPTY_HOST_FORM, fieldErrorsFromDetails, toHostRequest, validateHost, type HostField, type HostFormValues } from './host-form-model';

export function AddHostForm({ labelledBy }: { labelledBy: string }) {
  const hosts = useHosts((s) => s.hosts);
  const add = useHosts((s) => s.add);
  const [values, setValues] = useState<HostFormValues>(EMPTY_HOST_FORM);
  const form = useCheckedForm(validateHost(values, hosts.map((h) => h.name)), fieldErrorsFromDetails);
  const { errorOf, failure } = form;

  const update = (field: HostField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    form.edited(field);
  };
  const leave = form.touch;

  const submit = form.submit(async () => {
    const added = await add(toHostRequest(values));
    setValues(EMPTY_HOST_FORM);
    form.reset();
    useNotice.getState().show('info', `Added ${added.name}. Reading its host key…`);
    void useTrust.getState().check(added.name);
  });

  const text = (field: HostField, extra: { inputMode?: 'numeric' } = {}) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => update(field, e.target.value),
    onBlur: () => leave(field),
    spellCheck: false,
    autoComplete: 'off',
    ...extra,
  });

  return (
    <form ref={form.formRef} className="host-form" onSubmit={submit} noValidate aria-labelledby={labelledBy}>
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
        <button type="submit" className="button button--primary" disabled={form.busy}>
          {form.busy ? 'Adding…' : 'Add host'}
        </button>
      </div>
    </form>
  );
}
