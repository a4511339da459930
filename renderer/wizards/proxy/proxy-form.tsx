/**
 * Step 1 of the Proxy wizard: the proxy as the admin knows it. Every field
 * is checked as it is left (and all of them on submit) with the engine's own
 * rules; "Review changes" then reads every host's files and writes nothing.
 */
import type { ProxyPlan } from '../../../shared/channels/proxy';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useCheckedForm } from '../../components/use-checked-form';
import { proxyErrorsFromDetails, toProxyRequest, validateProxyForm, type ProxyFormField, type ProxyFormValues } from './proxy-form-model';

interface ProxyFormProps {
  values: ProxyFormValues;
  onChange(values: ProxyFormValues): void;
  onPlanned(plan: ProxyPlan): void;
}

export function ProxyForm({ values, onChange, onPlanned }: ProxyFormProps) {
  const form = useCheckedForm(validateProxyForm(values), proxyErrorsFromDetails);
  const { errorOf, failure, busy } = form;

  const set = <F extends ProxyFormField>(field: F, value: ProxyFormValues[F]) => {
    onChange({ ...values, [field]: value });
    form.edited(field);
  };
  const text = (field: Exclude<ProxyFormField, 'aws'>) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => set(field, e.target.value),
    onBlur: () => form.touch(field),
    spellCheck: false,
    autoComplete: 'off',
  });

  const submit = form.submit(async () => onPlanned(await call('proxy:plan', toProxyRequest(values))));

  return (
    <form ref={form.formRef} className="proxy-form" onSubmit={submit} noValidate aria-labelledby="proxy-form-heading">
      <h2 id="proxy-form-heading">Proxy settings</h2>
      <div className="proxy-form__grid">
        <Field label="Proxy URL" error={errorOf('proxy')} hint={<>As the guide insists: <code>&lt;protocol&gt;://&lt;host&gt;:&lt;port&gt;</code>, e.g. <code>http://10.0.0.33:3128</code>.</>}>
          {(control) => <input {...control} type="text" {...text('proxy')} />}
        </Field>
        <Field label="HTTPS proxy URL" optional error={errorOf('httpsProxy')} hint="Only when HTTPS goes through a different proxy; otherwise the proxy above is used.">
          {(control) => <input {...control} type="text" {...text('httpsProxy')} />}
        </Field>
        <Field label="Proxy user" optional error={errorOf('proxyUser')} hint="Drydock URL-encodes the user and password into the URLs.">
          {(control) => <input {...control} type="text" {...text('proxyUser')} />}
        </Field>
        <Field label="Proxy password" optional error={errorOf('proxyPassword')}>
          {(control) => <input {...control} type="password" {...text('proxyPassword')} autoComplete="new-password" />}
        </Field>
      </div>
      <Field
        label="No proxy for"
        optional
        error={errorOf('noProxy')}
        hint="Other hosts that must not go through the proxy, separated by commas or new lines (names, IPs, .domain). Drydock adds localhost, the Services machine, GitHub Enterprise and every Nomad client itself."
      >
        {(control) => <textarea {...control} {...text('noProxy')} rows={3} />}
      </Field>
      <label className="proxy-check">
        <input type="checkbox" checked={values.aws} onChange={(e) => set('aws', e.target.checked)} />
        <span>The installation runs on AWS (bypass the EC2 metadata address and S3)</span>
      </label>
      <Field label="Check URL" optional error={errorOf('verifyUrl')} hint="Fetched through the proxy from every host after applying. Defaults to the GitHub Enterprise host.">
        {(control) => <input {...control} type="text" {...text('verifyUrl')} />}
      </Field>
      {failure && <ErrorMessage error={failure} prefix="Could not read the hosts' files." />}
      <div className="actions actions--start">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Reading the hosts…' : 'Review changes'}
        </button>
      </div>
    </form>
  );
}
