/**
 * Step 1: where the Services machine's disks live and how to reach them. An
 * existing profile (its fields shown), or a new one: AWS EBS or KVM/libvirt,
 * with the hot spare it restores onto. Each field shows its own problem by
 * the contract's schema; keys typed here stay in memory for this session
 * only (the profile on disk never holds a secret).
 */
import { useEffect, useState } from 'react';
import type { BackupProfile } from '../../../shared/backup/profile';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useCheckedForm } from '../../components/use-checked-form';
import { useHosts } from '../../store/hosts-store';
import { AwsFields } from './aws-fields';
import { LibvirtFields } from './libvirt-fields';
import { EMPTY_PROFILE_FORM, profileErrorsFromDetails, sessionKeys, toProfileRequest, validateProfile, type ProfileField, type ProfileFormValues, type Provider } from './profile-form-model';
import { ProfileFacts } from './profile-facts';

const PROVIDER_LABEL: Record<Provider, string> = { aws: 'AWS', libvirt: 'libvirt' };

export function ProfileStep({ onChosen }: { onChosen(profile: BackupProfile): Promise<void> }) {
  const { hosts, load } = useHosts();
  const [profiles, setProfiles] = useState<BackupProfile[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<ProfileFormValues>(EMPTY_PROFILE_FORM);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const form = useCheckedForm(validateProfile(values), (details) => profileErrorsFromDetails(details, values));

  useEffect(() => {
    void load();
    void call('backup:profiles', {})
      .then((list) => {
        setProfiles(list);
        setChosen(list[0]?.name ?? '');
      })
      .catch((err: unknown) => setError(toErrorPayload(err)));
  }, [load]);

  const update = (field: ProfileField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    form.edited(field);
  };

  const use = async (profile: BackupProfile) => {
    setBusy(true);
    setError(null);
    try {
      await onChosen(profile);
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = form.submit(async () => {
    const saved = await call('backup:profile-set', toProfileRequest(values));
    const keys = sessionKeys(values);
    if (keys) await call('backup:aws-keys', { profile: saved.name, keys });
    // Saved: listed above from now on, whatever the look at the machine finds.
    setProfiles((list) => [...(list ?? []).filter((p) => p.name !== saved.name), saved]);
    setChosen(saved.name);
    await use(saved);
  });

  const current = profiles?.find((p) => p.name === chosen);
  const provider = values.provider;
  return (
    <section className="section" aria-labelledby="backup-profile-heading">
      <h2 id="backup-profile-heading">1. Provider and credentials</h2>
      {profiles && profiles.length > 0 && (
        <div className="panel">
          <Field label="Backup profile">
            {(c) => (
              <select {...c} value={chosen} onChange={(e) => setChosen(e.target.value)}>
                {profiles.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name} — {p.provider === 'aws' ? `AWS ${p.instance} in ${p.region}` : `libvirt ${p.domain} on ${p.hypervisor}`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {current && <ProfileFacts profile={current} />}
          <div className="actions actions--start">
            <button type="button" className="button button--primary" disabled={busy || !current} onClick={() => current && void use(current)}>
              Use this profile
            </button>
          </div>
        </div>
      )}
      <form ref={form.formRef} className="panel backup-form" aria-label={`New ${PROVIDER_LABEL[provider]} backup profile`} onSubmit={submit} noValidate>
        <h3>New backup profile</h3>
        <fieldset className="backup-choice">
          <legend>Where the Services machine runs</legend>
          <label>
            <input type="radio" name="backup-provider" checked={provider === 'aws'} onChange={() => setValues((v) => ({ ...v, provider: 'aws' }))} /> AWS: EBS
            snapshots of an EC2 instance
          </label>
          <label>
            <input type="radio" name="backup-provider" checked={provider === 'libvirt'} onChange={() => setValues((v) => ({ ...v, provider: 'libvirt' }))} /> KVM /
            libvirt: disk images of a domain, kept on a store host
          </label>
        </fieldset>
        <div className="backup-form__grid">
          <Field label="Profile name" error={form.errorOf('name')}>
            {(c) => <input {...c} value={values.name} spellCheck={false} onChange={(e) => update('name', e.target.value)} onBlur={() => form.touch('name')} />}
          </Field>
        </div>
        {provider === 'aws' ? (
          <AwsFields values={values} errorOf={form.errorOf} update={update} leave={form.touch} onImds={(imds) => setValues((v) => ({ ...v, imds }))} />
        ) : (
          <LibvirtFields values={values} errorOf={form.errorOf} update={update} leave={form.touch} hosts={hosts} />
        )}
        {form.failure && <ErrorMessage error={form.failure} prefix="The profile was not saved." />}
        <div className="actions actions--start">
          <button type="submit" className="button button--primary" disabled={busy || form.busy}>
            {busy || form.busy ? 'Checking…' : provider === 'aws' ? 'Save and look at the instance' : 'Save and look at the domain'}
          </button>
        </div>
      </form>
      {error && <ErrorMessage error={error} prefix="Could not use this profile." />}
    </section>
  );
}
