/**
 * Backup: provider and credentials → what will be snapshotted, with sizes →
 * mode, downtime explained → the run with live progress → done; and the
 * catalog with prune below. The plan is read again whenever a choice
 * changes, and the run is refused if the disks changed since it was shown.
 */
import { useState } from 'react';
import type { BackupProfile } from '../../../shared/backup/profile';
import type { BackupPlan, BackupRunResult } from '../../../shared/channels/backup';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { PageHeading } from '../../components/page-heading';
import { StepList } from '../../components/step-list';
import { useRun } from '../../components/use-run';
import { CatalogPanel } from './catalog-panel';
import { DisksStep, ModeStep } from './plan-steps';
import { ProfileStep } from './profile-step';
import './backup.css';

type Stage = 'profile' | 'plan' | 'run';

/** The slowest snapshot's percentage from the wait step's note ("snap-… 40% · snap-… 70%"). */
function progressOf(message: string | undefined): number | null {
  const all = [...(message ?? '').matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
  return all.length ? Math.min(...all) : null;
}

export function BackupWizard() {
  const [stage, setStage] = useState<Stage>('profile');
  const [profile, setProfile] = useState<BackupProfile | null>(null);
  const [plan, setPlan] = useState<BackupPlan | null>(null);
  const [mode, setMode] = useState<'live' | 'consistent'>('live');
  const [volumes, setVolumes] = useState<'root' | 'all'>('all');
  const [waitForBuilds, setWaitForBuilds] = useState(false);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<ErrorPayload | null>(null);
  const [refresh, setRefresh] = useState(0);
  const run = useRun<BackupRunResult>('backup-run', 'backup-run');

  const replan = async (name: string, m: 'live' | 'consistent', v: 'root' | 'all') => {
    setPlanning(true);
    setPlanError(null);
    try {
      setPlan(await call('backup:plan', { profile: name, mode: m, volumes: v }));
    } catch (err) {
      setPlanError(toErrorPayload(err));
      throw err;
    } finally {
      setPlanning(false);
    }
  };

  const chosen = async (p: BackupProfile) => {
    await replan(p.name, mode, volumes);
    setProfile(p);
    setStage('plan');
  };

  const start = async () => {
    if (!profile || !plan) return;
    setStage('run');
    await run.start(
      () => call('backup:run', { profile: profile.name, mode, volumes, wait: true, waitForBuilds, planFingerprint: plan.fingerprint }),
      (r) => r.runId,
    );
    setRefresh((n) => n + 1);
  };

  const waitStep = run.steps.find((s) => s.step === 'wait');
  const percent = waitStep?.status === 'done' ? 100 : progressOf(waitStep?.message);

  return (
    <>
      <PageHeading title="Backup">
        Snapshots of the Services machine&rsquo;s disks, as the operations guide recommends: live (no downtime) or consistent (the app stopped for the moment
        the snapshot is taken). Every snapshot is tagged, so the catalog below is read from the provider itself.
      </PageHeading>
      {stage === 'profile' && <ProfileStep onChosen={chosen} />}
      {stage === 'plan' && plan && profile && (
        <>
          <DisksStep
            plan={plan}
            volumes={volumes}
            onVolumes={(v) => {
              setVolumes(v);
              void replan(profile.name, mode, v).catch(() => undefined);
            }}
          />
          <ModeStep
            plan={plan}
            mode={mode}
            onMode={(m) => {
              setMode(m);
              void replan(profile.name, m, volumes).catch(() => undefined);
            }}
            waitForBuilds={waitForBuilds}
            onWaitForBuilds={setWaitForBuilds}
          />
          {planError && <ErrorMessage error={planError} prefix="Could not read the plan." />}
          <div className="actions actions--start">
            <button type="button" className="button" onClick={() => setStage('profile')}>
              Back
            </button>
            <button type="button" className="button button--primary" disabled={planning || !!planError || plan.mode !== mode} onClick={() => void start()}>
              {mode === 'consistent' ? 'Stop the app, snapshot, start it again' : 'Take the snapshot now'}
            </button>
          </div>
        </>
      )}
      {stage === 'run' && (
        <section className="section" aria-labelledby="backup-run-heading" aria-busy={run.busy}>
          <h2 id="backup-run-heading">4. Backing up</h2>
          {run.steps.length > 0 && <StepList steps={run.steps} label="Backup steps" />}
          {percent !== null && (
            <p>
              <progress max={100} value={percent} aria-label="Snapshot progress" /> <span data-testid="snapshot-percent">{percent}%</span>
            </p>
          )}
          {run.error && (
            <>
              <ErrorMessage error={run.error} prefix="The backup stopped." />
              <p>The run is kept in Audit → Runs; resuming it never takes a second snapshot.</p>
            </>
          )}
          {run.result && (
            <div role="status" className="message message--ok" data-testid="backup-summary">
              <p>{run.result.summary}</p>
              {run.result.downtimeMs !== undefined && <p>Downtime: {(run.result.downtimeMs / 1000).toFixed(1)} s.</p>}
              {run.result.warnings.map((w) => (
                <p key={w}>Warning: {w}</p>
              ))}
            </div>
          )}
          {!run.busy && (
            <div className="actions actions--start">
              <button
                type="button"
                className="button"
                onClick={() => {
                  run.reset();
                  setStage('plan');
                }}
              >
                Back to the plan
              </button>
            </div>
          )}
        </section>
      )}
      {profile && <CatalogPanel profile={profile.name} refreshKey={refresh} />}
    </>
  );
}
