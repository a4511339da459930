/**
 * Operations that restart or stop services (Replicated, the app, Docker) are
 * resumed only after the admin has seen again what the resume will restart:
 * the restarts confirmed when the run started, read from its recorded input
 * (a resume never restarts anything else), less those its state records as
 * done (a done step is not run again). The Runbooks list shows them and
 * asks; `drydock runs resume` prints them and asks (or takes --yes).
 */

/** The page where each such operation is started, for messages. */
export const RESUME_ON_PAGE: Readonly<Record<string, string>> = {
  'proxy-apply': 'Proxy',
  'proxy-rollback': 'Proxy',
  'proxy-restart': 'Proxy',
  'install-certificate': 'Certificates',
};

/** What a resume of this run would restart, in the admin's words; null when the operation restarts nothing. */
export function restartsOnResume(operation: string, input: unknown, state?: unknown): string[] | null {
  if (!(operation in RESUME_ON_PAGE)) return null;
  // As its own confirmation says: the app is stopped and started again (downtime), whichever step the run stopped at.
  if (operation === 'install-certificate') return ['the CircleCI app on the Services machine (stopped, then started again: downtime)', 'replicated-ui on the Services machine (it serves the new certificate)'];
  const consent = (input ?? {}) as { restartReplicated?: unknown; restartDocker?: unknown };
  // The proxy operations' restart steps record what they restarted (restart-steps.ts).
  const done = (state ?? {}) as { restartedReplicated?: unknown; restartedDocker?: unknown };
  const dockerDone = new Set(Array.isArray(done.restartedDocker) ? done.restartedDocker : []);
  const out: string[] = [];
  if (consent.restartReplicated === true && done.restartedReplicated !== true) out.push('Replicated on the Services machine');
  if (Array.isArray(consent.restartDocker)) for (const host of consent.restartDocker) if (typeof host === 'string' && !dockerDone.has(host)) out.push(`Docker on ${host}`);
  return out;
}

/** The refusal when a resume that restarts services was not confirmed. */
export function restartsNeedConfirmation(runId: string, restarts: readonly string[]): string {
  return `Resuming run ${runId} restarts ${restarts.join(', ')}. Confirm it (Runbooks: Resume and restart; CLI: drydock runs resume ${runId} --yes).`;
}
