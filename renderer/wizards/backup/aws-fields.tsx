/**
 * The AWS half of a new backup profile: the Services instance and how to
 * reach the EC2 API, the hot spare's instance, and keys typed for this
 * session only (the profile on disk never holds a secret).
 */
import { Field } from '../../components/field';
import type { FieldsProps } from './libvirt-fields';

export function AwsFields({ values, errorOf, update, leave, onImds }: FieldsProps & { onImds(value: boolean): void }) {
  const text = (field: Parameters<FieldsProps['update']>[0]) => ({
    value: values[field] as string,
    onChange: (e: { target: { value: string } }) => update(field, e.target.value),
    onBlur: () => leave(field),
    spellCheck: false,
  });
  return (
    <>
      <div className="backup-form__grid">
        <Field label="Services instance" error={errorOf('instance')} hint="Instance id (i-…), private IP address or Name tag">
          {(c) => <input {...c} {...text('instance')} />}
        </Field>
        <Field label="Region" error={errorOf('region')}>
          {(c) => <input {...c} {...text('region')} />}
        </Field>
        <Field label="EC2 endpoint" optional error={errorOf('endpoint')} hint="VPC endpoint, GovCloud or an isolated region">
          {(c) => <input {...c} {...text('endpoint')} />}
        </Field>
        <Field label="AWS profile in ~/.aws" optional error={errorOf('awsProfile')} hint="SSO, credential_process and assume-role profiles work">
          {(c) => <input {...c} {...text('awsProfile')} />}
        </Field>
        <Field label="Tunnel through host" optional error={errorOf('tunnelVia')} hint="An inventory host that can reach the EC2 API (TLS stays end to end)">
          {(c) => <input {...c} {...text('tunnelVia')} />}
        </Field>
        <Field label="Spare instance" optional error={errorOf('spareInstance')} hint="The hot spare’s instance (id, private IP or Name tag); blank: found by the spare’s address">
          {(c) => <input {...c} {...text('spareInstance')} />}
        </Field>
        <Field label="Access key id" optional error={errorOf('accessKeyId')} hint="Kept in memory for this session only">
          {(c) => <input {...c} autoComplete="off" {...text('accessKeyId')} />}
        </Field>
        <Field label="Secret access key" optional error={errorOf('secretAccessKey')}>
          {(c) => <input {...c} type="password" autoComplete="off" {...text('secretAccessKey')} />}
        </Field>
      </div>
      <label className="backup-check">
        <input type="checkbox" checked={values.imds} onChange={(e) => onImds(e.target.checked)} /> Drydock runs on an EC2 instance: also ask the instance metadata service
      </label>
    </>
  );
}
