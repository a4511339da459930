/**
 * Proxy: the guide's "Corporate Proxies" as one wizard. Settings with
 * inline checks → every host's diff → apply with its steps live →
 * verification through the proxy from every host; rollback and the
 * installation customizations editor below.
 */
import { useState } from 'react';
import type { ProxyApplyResult, ProxyPlan } from '../../../shared/channels/proxy';
import { call } from '../../api';
import { PageHeading } from '../../components/page-heading';
import { useRun } from '../../components/use-run';
import { ApplyPanel } from './apply-panel';
import { CustomizationsPanel } from './customizations-panel';
import { PlanReview } from './plan-review';
import { ProxyForm } from './proxy-form';
import { EMPTY_PROXY_FORM, toProxyRequest, type ProxyFormValues } from './proxy-form-model';
import type { RestartConsent } from './restart-choices';
import { RollbackPanel } from './rollback-panel';
import './proxy.css';

type Stage = 'settings' | 'review' | 'apply';

export function ProxyWizard() {
  const [values, setValues] = useState<ProxyFormValues>(EMPTY_PROXY_FORM);
  const [stage, setStage] = useState<Stage>('settings');
  const [plan, setPlan] = useState<ProxyPlan | null>(null);
  const [consent, setConsent] = useState<RestartConsent | null>(null);
  // Attached to the engine's runs: a refresh or a section switch mid-apply comes back to the apply, not to an empty form.
  const run = useRun<ProxyApplyResult>('proxy-apply', 'proxy-apply', { attach: true });
  const shown: Stage = run.run || run.busy ? 'apply' : stage;

  const apply = async (chosen: RestartConsent, fingerprint?: string) => {
    setConsent(chosen);
    setStage('apply');
    const verifyUrl = values.verifyUrl.trim();
    await run.start(
      () => call('proxy:apply', { settings: toProxyRequest(values), ...chosen, ...(verifyUrl ? { verifyUrl } : {}), ...(fingerprint ? { planFingerprint: fingerprint } : {}) }),
      (r) => r.runId,
    );
  };

  return (
    <>
      <PageHeading title="Proxy">
        The proxy settings CircleCI Server needs behind a corporate proxy, on the Services machine (<code>/etc/replicated.conf</code>,{' '}
        <code>/etc/circle-installation-customizations</code>) and every Nomad client (<code>/etc/environment</code>, Docker&rsquo;s drop-in), with
        NO_PROXY worked out from your hosts. Nothing is written before you have seen every change.
      </PageHeading>
      {shown === 'settings' && (
        <ProxyForm
          values={values}
          onChange={setValues}
          onPlanned={(p) => {
            setPlan(p);
            setStage('review');
          }}
        />
      )}
      {shown === 'review' && plan && <PlanReview plan={plan} onBack={() => setStage('settings')} onApply={(c) => apply(c, plan.fingerprint)} />}
      {shown === 'apply' && (
        <ApplyPanel
          busy={run.busy}
          run={run.run}
          steps={run.steps}
          error={run.error}
          result={run.result}
          // After a reload the settings (and the password) are gone: no one-click re-run then.
          onRetry={consent ? () => void apply(consent) : undefined}
          onStartOver={() => {
            run.reset();
            setStage('settings');
          }}
        />
      )}
      <RollbackPanel />
      <CustomizationsPanel />
    </>
  );
}
