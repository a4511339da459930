/**
 * The fields of a host, shared by Add a host and Edit: each shows its own
 * problem beside it, and a warning that does not stop the save (the same
 * address under another name) shows beside the address.
 */
import type { HostView } from '../../../shared/contract';
import { HOST_ROLES, ROLE_LABELS } from '../../../shared/hosts';
import { Field } from '../../components/field';
import type { HostField, HostFormValues } from './host-form-model';

interface HostFieldsProps {
  values: HostFormValues;
  hosts: readonly HostView[];
  /** The host being edited: its name is fixed and it cannot jump through itself. */
  editing?: string;
  warnings: string[];
  errorOf(field: HostField): string | undefined;
  update(field: HostField, value: string): void;
  leave(field: HostField): void;
}

export function HostFields({ values, hosts, editing, warnings, errorOf, update, leave }: HostFieldsProps) {
  const text = (field: HostField, extra: { inputMode?: 'numeric' } = {}) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => update(field, e.target.value),
    onBlur: () => leave(field),
    spellCheck: false,
    autoComplete: 'off',
    ...extra,
  });
  const addressHint = 'DNS name or IP address, as you would give it to ssh.';

  return (
    <div className="host-form__grid">
      {!editing && (
        <Field label="Name" error={errorOf('name')} hint="How Drydock and its log refer to this host, e.g. services or nomad-1.">
          {(control) => <input {...control} type="text" {...text('name')} />}
        </Field>
      )}
      <Field
        label="Address"
        error={errorOf('address')}
        hint={
          warnings.length ? (
            <>
              {addressHint}{' '}
              <span className="field__warning" data-testid="address-warning">
                {warnings.join('; ')}.
              </span>
            </>
          ) : (
            addressHint
          )
        }
      >
        {(control) => <input {...control} type="text" {...text('address')} />}
      </Field>
      <Field label="Port" error={errorOf('port')}>
        {(control) => <input {...control} type="text" className="input--short" {...text('port', { inputMode: 'numeric' })} />}
      </Field>
      <Field label="User" error={errorOf('user')} hint="The login name, e.g. ubuntu.">
        {(control) => <input {...control} type="text" {...text('user')} />}
      </Field>
      <Field label="Role" error={errorOf('role')} hint="An installation has one Services machine.">
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
            {hosts
              .filter((h) => h.name !== editing)
              .map((h) => (
                <option key={h.name} value={h.name}>
                  {h.name} ({ROLE_LABELS[h.role]})
                </option>
              ))}
          </select>
        )}
      </Field>
    </div>
  );
}
