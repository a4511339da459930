/**
 * Step 1 of the Proxy wizard: the proxy as the admin knows it. Every field
 * is checked as it is left (and all of them on submit) with the engine's own
 * rules; "Review changes" then reads every host's files and writes nothing.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ProxyPlan } from '../../../shared/channels/proxy';
import { DrydockError, toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { proxyErrorsFromDetails, toProxyRequest, validateProxyForm, type ProxyFormErrors, type ProxyFormField, type ProxyFormValues } from './proxy-form-model';

interface ProxyFormProps {
  values: ProxyFormValues;
  onChange(values: ProxyFormValues): void;
  onPlanned(plan: ProxyPlan): void;
}

export function ProxyForm({ values, onChange, onPlanned }: ProxyFormProps) {
  const [touched, setTouched] = useState<Partial<Record<ProxyFormField, boolean>>>({});
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<ProxyFormErrors>({});
  const [failure, setFailure] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusInvalid, setFocusInvalid] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const localErrors = validateProxyForm(values);
  const errorOf = (field: ProxyFormField) => serverErrors[field] ?? (showAll || touched[field] ? localErrors[field] : undefined);

  useEffect(() => {
    if (focusInvalid) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusInvalid]);

  const set = <F extends ProxyFormField>(field: F, value: ProxyFormValues[F]) => {
    onChange({ ...values, [field]: value });
    setServerErrors((e) => ({ ...e, [field]: undefined }));
  };
  const text = (field: Exclude<ProxyFormField, 'aws'>) => ({
    value: values[field],
    onChange: (e: { target: { value: string } }) => set(field, e.target.value),
    onBlur: () => setTouched((t) => ({ ...t, [field]: true })),
    spellCheck: false,
    autoComplete: 'off',
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    if (Object.keys(localErrors).length) {
      setShowAll(true);
      setFocusInvalid((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      onPlanned(await call('proxy:plan', toProxyRequest(values)));
    } catch (err) {
      const fields = err instanceof DrydockError && err.code === 'INVALID_INPUT' ? proxyErrorsFromDetails(err.details) : {};
      if (Object.keys(fields).length) {
        setServerErrors(fields);
        setFocusInvalid((n) => n + 1);
      } else {
        setFailure(toErrorPayload(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} className="proxy-form" onSubmit={submit} noValidate aria-labelledby="proxy-form-heading">
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
