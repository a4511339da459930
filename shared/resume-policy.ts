/**
 * Operations that restart or stop services (Replicated, the app, Docker) are
 * resumed only after the admin has seen again what the resume will restart:
 * the restarts confirmed when the run started, read from its recorded input
 * (a resume never restarts anything else), less those its state records as
 * done (a done step is not run again). The Runbooks list shows them and
 * asks; `drydock runs resume` prints them and asks (or takes --yes).
 *
 * Operations whose steps say themselves what they stop, start, restart or
 * switch (the restore runbook: Step.disrupts) are not listed here: the
 * engine lists every such step still to run (electron/engine/runbook/disruptive.ts).
 */

/** The page where each such operation is started, for messages. */
export const RESUME_ON_PAGE: Readonly<Record<string, string>> = {
  'proxy-apply': 'Proxy',
  'proxy-rollback': 'Proxy',
  'proxy-restart': 'Proxy',
  'install-certificate': 'Certificates',
  'install-services': 'Install',
  'install-nomad': 'Install',
  'nomad-drain': 'Install',
};

/** What a resume of this run would restart, in the admin's words; null when the operation restarts nothing. */
export function restartsOnResume(operation: string, input: unknown, state?: unknown): string[] | null {
  if (!(operation in RESUME_ON_PAGE)) return null;
  // As its own confirmation says: the app is stopped and started again (downtime), whichever step the run stopped at.
  if (operation === 'install-certificate') return ['the CircleCI app on the Services machine (stopped, then started again: downtime)', 'replicated-ui on the Services machine (it serves the new certificate)'];
  if (operation === 'install-services' || operation === 'install-nomad' || operation === 'nomad-drain') return installStepsOnResume(operation, input, state);
  const consent = (input ?? {}) as { restartReplicated?: unknown; restartDocker?: unknown };
  // The proxy operations' restart steps record what they restarted (restart-steps.ts).
  const done = (state ?? {}) as { restartedReplicated?: unknown; restartedDocker?: unknown };
  const dockerDone = new Set(Array.isArray(done.restartedDocker) ? done.restartedDocker : []);
  const out: string[] = [];
  if (consent.restartReplicated === true && done.restartedReplicated !== true) out.push('Replicated on the Services machine');
  if (Array.isArray(consent.restartDocker)) for (const host of consent.restartDocker) if (typeof host === 'string' && !dockerDone.has(host)) out.push(`Docker on ${host}`);
  return out;
}

/** The install operations: what their steps not yet done install, start or drain (install/ operations record it in their state). */
function installStepsOnResume(operation: string, input: unknown, state: unknown): string[] {
  const st = (state ?? {}) as { host?: string; installerRan?: unknown; clients?: Record<string, { started?: unknown; dockerRestartOwed?: unknown; dockerRestarted?: unknown }>; stopped?: unknown };
  if (operation === 'install-services') return st.installerRan === true ? [] : [`the Replicated installer on ${st.host ?? 'the Services machine'} (installs Docker from the bundle if missing, then installs and starts Replicated)`];
  if (operation === 'nomad-drain') {
    const host = (input as { host?: unknown } | null)?.host;
    return st.stopped === true ? [] : [`the drain of ${typeof host === 'string' ? host : 'the client'} (its builds move to other clients), then nomad stopped there`];
  }
  const clients = Object.entries(st.clients ?? {});
  const out = clients.filter(([, c]) => c.dockerRestartOwed === true && c.dockerRestarted !== true).map(([h]) => `Docker on ${h} (restarted for userns-remap)`);
  const pending = clients.filter(([, c]) => c.started !== true).map(([h]) => h);
  if (pending.length || !clients.length) out.push(`nomad on ${pending.length ? pending.join(', ') : 'the Nomad clients'} (installed, enabled and started)`);
  return out;
}

/** The refusal when a resume that restarts services was not confirmed. */
export function restartsNeedConfirmation(runId: string, restarts: readonly string[]): string {
  return `Resuming run ${runId} restarts ${restarts.join(', ')}. Confirm it (Runbooks: Resume and restart; CLI: drydock runs resume ${runId} --yes).`;
}
