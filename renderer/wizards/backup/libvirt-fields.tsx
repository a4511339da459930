/**
 * The libvirt half of a new backup profile: the Services machine's domain
 * and the hypervisor it runs on, the store where the backup images are
 * kept (an inventory host and an absolute folder), and the hot spare's
 * domain (on its own hypervisor, or the same one). Hosts are chosen from
 * the inventory, as the engine accepts no other.
 */
import type { HostView } from '../../../shared/contract';
import { ROLE_LABELS } from '../../../shared/hosts';
import { Field } from '../../components/field';
import type { ProfileField, ProfileFormValues } from './profile-form-model';

export interface FieldsProps {
  values: ProfileFormValues;
  errorOf(field: ProfileField): string | undefined;
  update(field: ProfileField, value: string): void;
  leave(field: ProfileField): void;
}

/** Hypervisors first: they are what the admin looks for here. */
function byRole(hosts: readonly HostView[]): HostView[] {
  return [...hosts].sort((a, b) => Number(b.role === 'hypervisor') - Number(a.role === 'hypervisor') || a.name.localeCompare(b.name));
}

export function LibvirtFields({ values, errorOf, update, leave, hosts }: FieldsProps & { hosts: readonly HostView[] }) {
  const text = (field: ProfileField) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => update(field, e.target.value),
    onBlur: () => leave(field),
    spellCheck: false,
    autoComplete: 'off',
  });
  const options = byRole(hosts).map((h) => (
    <option key={h.name} value={h.name}>
      {h.name} ({ROLE_LABELS[h.role]}, {h.address})
    </option>
  ));
  const noHosts = hosts.length === 0 ? 'No host in the inventory yet: add the hypervisor on the Hosts page.' : undefined;
  return (
    <div className="backup-form__grid">
      <Field label="Hypervisor" error={errorOf('hypervisor')} hint={noHosts ?? 'The inventory host that runs the Services machine’s domain.'}>
        {(c) => (
          <select {...c} {...text('hypervisor')}>
            <option value="">— choose a host —</option>
            {options}
          </select>
        )}
      </Field>
      <Field label="Services domain" error={errorOf('domain')} hint="The libvirt domain of the Services machine (virsh list --all)">
        {(c) => <input {...c} {...text('domain')} />}
      </Field>
      <Field label="libvirt URI" error={errorOf('uri')} hint="As virsh -c takes it on the hypervisor">
        {(c) => <input {...c} {...text('uri')} />}
      </Field>
      <Field label="Backup store host" error={errorOf('storeHost')} hint="The inventory host that keeps the backup images">
        {(c) => (
          <select {...c} {...text('storeHost')}>
            <option value="">— choose a host —</option>
            {options}
          </select>
        )}
      </Field>
      <Field label="Backup store folder" error={errorOf('storeDir')} hint="An absolute path on the store host, e.g. /srv/drydock-backups">
        {(c) => <input {...c} {...text('storeDir')} />}
      </Field>
      <Field label="Spare hypervisor" optional error={errorOf('spareHypervisor')} hint="Where the hot spare’s domain runs; blank: the same hypervisor">
        {(c) => (
          <select {...c} {...text('spareHypervisor')}>
            <option value="">The same hypervisor</option>
            {options}
          </select>
        )}
      </Field>
      <Field label="Spare domain" optional error={errorOf('spareDomain')} hint="The hot spare’s libvirt domain, restored onto in a failover or a refresh">
        {(c) => <input {...c} {...text('spareDomain')} />}
      </Field>
    </div>
  );
}
