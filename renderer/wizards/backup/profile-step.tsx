/**
 * Step 1: where the Services machine's disks live and how to reach them. An
 * existing profile, or a new AWS one; keys typed here stay in memory for
 * this session only (the profile on disk never holds a secret).
 */
import { useEffect, useState } from 'react';
import type { BackupProfile } from '../../../shared/backup/profile';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';

export interface AwsForm {
  name: string;
  instance: string;
  region: string;
  endpoint: string;
  awsProfile: string;
  tunnelVia: string;
  imds: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}

const EMPTY: AwsForm = { name: 'prod', instance: '', region: 'us-east-1', endpoint: '', awsProfile: '', tunnelVia: '', imds: false, accessKeyId: '', secretAccessKey: '' };

export function ProfileStep({ onChosen }: { onChosen(profile: BackupProfile): Promise<void> }) {
  const [profiles, setProfiles] = useState<BackupProfile[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [form, setForm] = useState<AwsForm>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    void call('backup:profiles', {}).then((list) => {
      setProfiles(list);
      setChosen(list[0]?.name ?? '');
    });
  }, []);

  const set = <K extends keyof AwsForm>(key: K, value: AwsForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const go = async (work: () => Promise<BackupProfile>) => {
    setBusy(true);
    setError(null);
    try {
      await onChosen(await work());
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };

  const pickExisting = () => go(async () => profiles!.find((p) => p.name === chosen)!);
  const saveNew = () =>
    go(async () => {
      const f = form;
      const saved = await call('backup:profile-set', {
        name: f.name.trim(),
        provider: 'aws',
        instance: f.instance.trim(),
        region: f.region.trim(),
        imds: f.imds,
        ...(f.endpoint.trim() ? { endpoint: f.endpoint.trim() } : {}),
        ...(f.awsProfile.trim() ? { awsProfile: f.awsProfile.trim() } : {}),
        ...(f.tunnelVia.trim() ? { tunnelVia: f.tunnelVia.trim() } : {}),
      });
      if (f.accessKeyId.trim() || f.secretAccessKey) {
        await call('backup:aws-keys', { profile: saved.name, keys: { accessKeyId: f.accessKeyId.trim(), secretAccessKey: f.secretAccessKey } });
      }
      return saved;
    });

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
          <div className="actions actions--start">
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void pickExisting()}>
              Use this profile
            </button>
          </div>
        </div>
      )}
      <form
        className="panel backup-form"
        aria-label="New AWS backup profile"
        onSubmit={(e) => {
          e.preventDefault();
          void saveNew();
        }}
      >
        <h3>New AWS EBS profile</h3>
        <div className="backup-form__grid">
          <Field label="Profile name">{(c) => <input {...c} value={form.name} onChange={(e) => set('name', e.target.value)} />}</Field>
          <Field label="Services instance" hint="Instance id (i-…), private IP address or Name tag">
            {(c) => <input {...c} value={form.instance} onChange={(e) => set('instance', e.target.value)} />}
          </Field>
          <Field label="Region">{(c) => <input {...c} value={form.region} onChange={(e) => set('region', e.target.value)} />}</Field>
          <Field label="EC2 endpoint" optional hint="VPC endpoint, GovCloud or an isolated region">
            {(c) => <input {...c} value={form.endpoint} onChange={(e) => set('endpoint', e.target.value)} />}
          </Field>
          <Field label="AWS profile in ~/.aws" optional hint="SSO, credential_process and assume-role profiles work">
            {(c) => <input {...c} value={form.awsProfile} onChange={(e) => set('awsProfile', e.target.value)} />}
          </Field>
          <Field label="Tunnel through host" optional hint="An inventory host that can reach the EC2 API (TLS stays end to end)">
            {(c) => <input {...c} value={form.tunnelVia} onChange={(e) => set('tunnelVia', e.target.value)} />}
          </Field>
          <Field label="Access key id" optional hint="Kept in memory for this session only">
            {(c) => <input {...c} autoComplete="off" value={form.accessKeyId} onChange={(e) => set('accessKeyId', e.target.value)} />}
          </Field>
          <Field label="Secret access key" optional>
            {(c) => <input {...c} type="password" autoComplete="off" value={form.secretAccessKey} onChange={(e) => set('secretAccessKey', e.target.value)} />}
          </Field>
        </div>
        <label className="backup-check">
          <input type="checkbox" checked={form.imds} onChange={(e) => set('imds', e.target.checked)} /> Drydock runs on an EC2 instance: also ask the instance metadata service
        </label>
        <div className="actions actions--start">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Checking…' : 'Save and look at the instance'}
          </button>
        </div>
      </form>
      {error && <ErrorMessage error={error} prefix="Could not use this profile." />}
    </section>
  );
}
