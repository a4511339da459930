/**
 * Add a host to the inventory, then go straight on to confirming its key
 * (and, once trusted, testing the login). Each field shows its own problem
 * beside it (after the admin leaves it, or on submit), by the same rules the
 * engine applies; the key path and role of the previous add are offered again.
 */
import { useState } from 'react';
import type { HostRole } from '../../../shared/hosts';
import { ErrorMessage } from '../../components/error-message';
import { useCheckedForm } from '../../components/use-checked-form';
import { useHosts, type LastAdd } from '../../store/hosts-store';
import { useNotice } from '../../store/notice-store';
import { useTrust } from '../../store/trust-store';
import { HostFields } from './host-fields';
import { EMPTY_HOST_FORM, fieldErrorsFromDetails, hostWarnings, toHostRequest, validateHost, type HostField, type HostFormValues } from './host-form-model';

/** A fresh form with what the previous add used; a second Services machine is not offered. */
function startingValues(last: LastAdd | null, hasServices: boolean): HostFormValues {
  if (!last) return { ...EMPTY_HOST_FORM, role: hasServices ? 'nomad' : 'services' };
  const role: HostRole = last.role === 'services' && hasServices ? 'nomad' : last.role;
  return { ...EMPTY_HOST_FORM, keyPath: last.keyPath, role };
}

export function AddHostForm({ labelledBy }: { labelledBy: string }) {
  const hosts = useHosts((s) => s.hosts);
  const loaded = useHosts((s) => s.loaded);
  const add = useHosts((s) => s.add);
  const lastAdd = useHosts((s) => s.lastAdd);
  const hasServices = hosts.some((h) => h.role === 'services');
  const [edited, setEdited] = useState<HostFormValues | null>(null);
  // Until the admin types, the form follows the inventory (loaded after the first render).
  const values = edited ?? startingValues(lastAdd, loaded && hasServices);
  const form = useCheckedForm(validateHost(values, hosts), fieldErrorsFromDetails);
  const { errorOf, failure } = form;

  const update = (field: HostField, value: string) => {
    setEdited({ ...values, [field]: value });
    form.edited(field);
  };

  const submit = form.submit(async () => {
    const added = await add(toHostRequest(values));
    setEdited(null);
    form.reset();
    const warned = added.warnings.length ? ` Note: ${added.warnings.join('; ')}.` : '';
    useNotice.getState().show('info', `Added ${added.name}. Reading its host key…${warned}`);
    void useTrust.getState().check(added.name);
  });

  return (
    <form ref={form.formRef} className="host-form" onSubmit={submit} noValidate aria-labelledby={labelledBy}>
      <HostFields values={values} hosts={hosts} warnings={hostWarnings(values, hosts)} errorOf={errorOf} update={update} leave={form.touch} />
      {lastAdd && !edited && (
        <p className="muted host-form__note">
          The key path and role of the host you added last are filled in; change them if this host differs.
        </p>
      )}
      {failure && <ErrorMessage error={failure} prefix="The host was not added." />}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={form.busy}>
          {form.busy ? 'Adding…' : 'Add host'}
        </button>
      </div>
    </form>
  );
}
