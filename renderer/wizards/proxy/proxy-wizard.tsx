/**
 * Proxy: the guide's "Corporate Proxies" as one wizard. Settings with
 * inline checks → every host's diff → apply with its steps live →
 * verification from every host as its programs read the files; restarts
 * still owed as a banner until done; rollback and the installation
 * customizations editor below. When any proxy run ends (apply, rollback,
 * restart), what the other panels show is read again or put away, so no
 * button acts on a state that has gone.
 */
import { useState } from 'react';
import type { ProxyApplyResult, ProxyPlan, RestartConsent } from '../../../shared/channels/proxy';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { PageHeading } from '../../components/page-heading';
import { useRun } from '../../components/use-run';
import { ApplyPanel } from './apply-panel';
import { CustomizationsPanel } from './customizations-panel';
import { PendingRestartsBanner } from './pending-restarts-banner';
import { PlanReview } from './plan-review';
import { ProxyForm } from './proxy-form';
import { EMPTY_PROXY_FORM, toProxyRequest, type ProxyFormValues } from './proxy-form-model';
import { RollbackPanel } from './rollback-panel';
import './proxy.css';

type Stage = 'settings' | 'review' | 'apply';

export function ProxyWizard() {
  const [values, setValues] = useState<ProxyFormValues>(EMPTY_PROXY_FORM);
  const [stage, setStage] = useState<Stage>('settings');
  const [plan, setPlan] = useState<ProxyPlan | null>(null);
  const [again, setAgain] = useState(false);
  const [replanning, setReplanning] = useState(false);
  const [replanError, setReplanError] = useState<ErrorPayload | null>(null);
  /** Bumped when a proxy run ends: the banner and the rollback panel read the hosts again. */
  const [generation, setGeneration] = useState(0);
  const [rollbackBusy, setRollbackBusy] = useState(false);
  // Attached to the engine's runs: a refresh or a section switch mid-apply comes back to the apply, not to an empty form.
  const run = useRun<ProxyApplyResult>('proxy-apply', 'proxy-apply', { attach: true });
  const shown: Stage = run.run || run.busy ? 'apply' : stage;

  /** Whether this page started the run shown, so its form still holds the settings (not after a reload or a section switch). */
  const [startedHere, setStartedHere] = useState(false);

  const apply = async (restarts: RestartConsent, fingerprint: string) => {
    setStage('apply');
    setStartedHere(true);
    const verifyUrl = values.verifyUrl.trim();
    await run.start(
      () => call('proxy:apply', { settings: toProxyRequest(values), ...restarts, ...(verifyUrl ? { verifyUrl } : {}), planFingerprint: fingerprint }),
      (r) => r.runId,
    );
    setGeneration((g) => g + 1);
  };

  /** A second attempt: the hosts as they are now, the same review and confirmation as the first time. */
  const reviewAgain = async () => {
    setReplanning(true);
    setReplanError(null);
    try {
      const fresh = await call('proxy:plan', toProxyRequest(values));
      setPlan(fresh);
      setAgain(true);
      run.reset();
      setStage('review');
    } catch (err) {
      setReplanError(toErrorPayload(err));
    } finally {
      setReplanning(false);
    }
  };

  const startOver = () => {
    run.reset();
    setAgain(false);
    setReplanError(null);
    setStage('settings');
  };

  return (
    <>
      <PageHeading title="Proxy">
        The proxy settings CircleCI Server needs behind a corporate proxy, on the Services machine (<code>/etc/replicated.conf</code>,{' '}
        <code>/etc/circle-installation-customizations</code>) and every Nomad client (<code>/etc/environment</code>, Docker&rsquo;s drop-in), with
        NO_PROXY worked out from your hosts. Nothing is written before you have seen every change.
      </PageHeading>
      <PendingRestartsBanner refreshKey={generation} busy={run.busy || rollbackBusy} onRan={() => setGeneration((g) => g + 1)} />
      {shown === 'settings' && (
        <ProxyForm
          values={values}
          onChange={setValues}
          onPlanned={(p) => {
            setPlan(p);
            setAgain(false);
            setStage('review');
          }}
        />
      )}
      {shown === 'review' && plan && <PlanReview plan={plan} again={again} onBack={startOver} onApply={(r) => apply(r, plan.fingerprint)} />}
      {shown === 'apply' && (
        <ApplyPanel
          busy={run.busy}
          run={run.run}
          steps={run.steps}
          error={run.error}
          result={run.result}
          replanning={replanning}
          replanError={replanError}
          onReviewAgain={startedHere ? () => void reviewAgain() : undefined}
          onStartOver={startOver}
        />
      )}
      <RollbackPanel
        staleKey={generation}
        applyBusy={run.busy}
        onBusyChange={setRollbackBusy}
        onRan={() => {
          // What the apply panel showed (a stopped apply, its result, a reviewed plan) no longer describes the hosts.
          startOver();
          setGeneration((g) => g + 1);
        }}
      />
      <CustomizationsPanel />
    </>
  );
}
