/**
 * Install: hosts → preflight → capacity → bundle → install → Nomad clients →
 * done. The shell keeps the admin's place and what the steps share (the
 * hosts chosen, the last preflight); each step is its own component. Steps
 * built elsewhere come from steps.ts; one not plugged in yet is shown as
 * "next" with what it will do, and the admin may skip past it.
 */
import { useState } from 'react';
import type { PreflightReport } from '../../../shared/install/preflight';
import { DEFAULT_BUNDLE_DIR } from '../../../shared/install/requirements';
import { PageHeading } from '../../components/page-heading';
import { CapacityStep } from './capacity-step';
import { HostsStep, type HostsChoice } from './hosts-step';
import { PreflightStep } from './preflight-step';
import { INSTALL_STEPS, LATER_STEP_COMPONENTS, isLaterStep, type InstallStepId } from './steps';
import './install.css';

export function InstallWizard() {
  const [current, setCurrent] = useState<InstallStepId>('hosts');
  const [visited, setVisited] = useState<Set<InstallStepId>>(new Set(['hosts']));
  const [choice, setChoice] = useState<HostsChoice>({ hosts: [], circleHostname: '', gheHostname: '', bundleDir: DEFAULT_BUNDLE_DIR });
  const [report, setReport] = useState<PreflightReport | null>(null);

  const index = INSTALL_STEPS.findIndex((s) => s.id === current);
  const goTo = (id: InstallStepId) => {
    setVisited((v) => new Set(v).add(id));
    setCurrent(id);
  };
  const next = () => goTo(INSTALL_STEPS[Math.min(index + 1, INSTALL_STEPS.length - 1)].id);
  const step = INSTALL_STEPS[index];

  return (
    <>
      <PageHeading title="Install">
        A first-time, air-gapped install of CircleCI Server 2.x: every host checked at once, the offline bundle pushed and verified, Replicated installed
        headless, then the Nomad clients joined. Nothing changes on a host until you start a step that says so.
      </PageHeading>
      <nav aria-label="Install steps">
        <ol className="install-steps">
          {INSTALL_STEPS.map((s, i) => {
            const pending = isLaterStep(s.id) && !LATER_STEP_COMPONENTS[s.id];
            return (
              <li key={s.id} className={`install-steps__item${s.id === current ? ' install-steps__item--current' : ''}`}>
                <button type="button" className="button button--quiet" aria-current={s.id === current ? 'step' : undefined} disabled={!visited.has(s.id) && i > index + 1} onClick={() => goTo(s.id)}>
                  {i + 1}. {s.title}
                  {pending && <span className="muted"> (next)</span>}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {current === 'hosts' && <HostsStep choice={choice} onChange={setChoice} onNext={next} />}
      {current === 'preflight' && <PreflightStep choice={choice} report={report} onReport={setReport} onNext={next} />}
      {current === 'capacity' && <CapacityStep reportAt={report?.checkedAt ?? null} onNext={next} />}
      {isLaterStep(current) && <LaterStep id={current} title={step.title} about={step.about} onDone={next} />}
      {current === 'done' && (
        <section className="section" aria-labelledby="install-done-heading">
          <h2 id="install-done-heading">Done</h2>
          <p>
            {report ? `Last preflight: ${report.summary}.` : 'No preflight has run in this window.'} Check the installation on the Health page once the app has
            started.
          </p>
        </section>
      )}
    </>
  );
}

function LaterStep({ id, title, about, onDone }: { id: 'bundle' | 'install' | 'nomad'; title: string; about: string; onDone(): void }) {
  const Component = LATER_STEP_COMPONENTS[id];
  if (Component) return <Component onDone={onDone} />;
  return (
    <section className="section" aria-labelledby={`install-${id}-heading`}>
      <h2 id={`install-${id}-heading`}>{title}</h2>
      <div className="message">
        <p>
          <strong>Next: {title}.</strong> {about} This step is not in this build of Drydock yet; do it by hand (admin-commands §1–2) and skip ahead.
        </p>
      </div>
      <div className="actions">
        <button type="button" className="button" onClick={onDone}>
          Skip to the next step
        </button>
      </div>
    </section>
  );
}
