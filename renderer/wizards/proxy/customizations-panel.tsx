/**
 * The installation customizations editor: CIRCLE_URL and JVM_HEAP_SIZE for
 * the whole installation, or JVM_HEAP_SIZE for one container, written on the
 * Services machine through the same backup and read-back engine. CircleCI
 * reads them when the app starts.
 */
import { useState, type FormEvent } from 'react';
import type { CustomizePlan } from '../../../shared/channels/proxy';
import { customizeIssues, KNOWN_CUSTOMIZATIONS, type CustomizeRequest } from '../../../shared/proxy/customizations';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { FileDiff } from './diff-view';
import { useRun } from '../../components/use-run';

interface Values {
  container: string;
  CIRCLE_URL: string;
  JVM_HEAP_SIZE: string;
}

/** Only the fields given are changed; the others keep their lines. */
function toRequest(v: Values): CustomizeRequest {
  const vars: Record<string, string> = {};
  if (!v.container && v.CIRCLE_URL.trim()) vars.CIRCLE_URL = v.CIRCLE_URL.trim();
  if (v.JVM_HEAP_SIZE.trim()) vars.JVM_HEAP_SIZE = v.JVM_HEAP_SIZE.trim();
  return { vars, ...(v.container.trim() ? { container: v.container.trim() } : {}) };
}

export function CustomizationsPanel() {
  const [values, setValues] = useState<Values>({ container: '', CIRCLE_URL: '', JVM_HEAP_SIZE: ''});
  const [submitted, setSubmitted] = useState(false);
  const [plan, setPlan] = useState<CustomizePlan | null>(null);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [confirming, setConfirming] = useState(false);
  const run = useRun<{ runId: string; summary: string }>('customize', 'customize');

  const request = toRequest(values);
  const issues = customizeIssues(request);
  const errorOf = (field: string) => (submitted ? issues.find((i) => i.path[0] === field || i.path[1] === field)?.message : undefined);

  const review = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setPlan(null);
    setPlanError(null);
    run.reset();
    if (issues.length) return;
    try {
      setPlan(await call('customize:plan', request));
    } catch (err) {
      setPlanError(toErrorPayload(err));
    }
  };

  const update = (patch: Partial<Values>) => {
    setValues((v) => ({ ...v, ...patch }));
    setPlan(null);
  };

  return (
    <section className="panel" aria-labelledby="customize-heading">
      <h2 id="customize-heading">Installation customizations</h2>
      <form onSubmit={review} noValidate aria-labelledby="customize-heading">
        <Field label="Container" optional error={errorOf('container')} hint="Leave empty for /etc/circle-installation-customizations; a name such as frontend edits /etc/circleconfig/frontend/customizations.">
          {(control) => <input {...control} value={values.container} onChange={(e) => update({ container: e.target.value })} spellCheck={false} autoComplete="off" />}
        </Field>
        {!values.container.trim() && (
          <Field label="CIRCLE_URL" optional error={errorOf('CIRCLE_URL')} hint={KNOWN_CUSTOMIZATIONS.CIRCLE_URL.help}>
            {(control) => <input {...control} value={values.CIRCLE_URL} onChange={(e) => update({ CIRCLE_URL: e.target.value })} spellCheck={false} autoComplete="off" />}
          </Field>
        )}
        <Field label="JVM_HEAP_SIZE" optional error={errorOf('JVM_HEAP_SIZE')} hint={KNOWN_CUSTOMIZATIONS.JVM_HEAP_SIZE.help}>
          {(control) => <input {...control} className="input--short" value={values.JVM_HEAP_SIZE} onChange={(e) => update({ JVM_HEAP_SIZE: e.target.value })} spellCheck={false} autoComplete="off" />}
        </Field>
        {submitted && issues.some((i) => i.path[0] === 'vars' && i.path.length === 1) && <p className="field__error">Give at least one value.</p>}
        <div className="actions actions--start">
          <button type="submit" className="button">
            Review customizations
          </button>
        </div>
      </form>
      {planError && <ErrorMessage error={planError} prefix="Could not read the file." />}
      {plan && (
        <>
          <FileDiff host={plan.host} file={{ path: plan.path, action: plan.action, diff: plan.diff }} />
          {plan.action !== 'unchanged' && (
            <div className="actions actions--start">
              <button type="button" className="button button--primary" onClick={() => setConfirming(true)} disabled={run.busy}>
                Write…
              </button>
            </div>
          )}
        </>
      )}
      {run.error && <ErrorMessage error={run.error} prefix="Not written." />}
      {run.result && (
        <div role="status" className="message message--ok">
          <p>{run.result.summary}</p>
        </div>
      )}
      {confirming && plan && (
        <ConfirmDialog
          title={`Write ${plan.path}?`}
          confirmLabel="Back up and write"
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            const done = await run.start(() => call('customize:apply', { change: request, planFingerprint: plan.fingerprint }), (r) => r.runId);
            if (done) setPlan(null);
          }}
        >
          <p>
            The current file is backed up on {plan.host}. CircleCI reads it when the app starts: restart the app when convenient.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
