/**
 * Operations that restart or stop services (Replicated, the app, Docker) are
 * never resumed from the runbooks, where what they would restart is not
 * shown: the page named here lists it and asks again before anything runs,
 * and the operation continues under its first backups.
 */
export const RESUME_ON_PAGE: Readonly<Record<string, string>> = {
  'proxy-apply': 'Proxy',
  'proxy-rollback': 'Proxy',
  'proxy-restart': 'Proxy',
  'install-certificate': 'Certificates',
};

/** Why a run is not resumed from the runbooks, or null when it may be. */
export function resumeElsewhere(operation: string): string | null {
  const page = RESUME_ON_PAGE[operation];
  return page
    ? `${operation} restarts services, so it is not resumed from the runbooks: start it again from the ${page} page (or the same drydock command), where what it will restart is shown and confirmed first.`
    : null;
}
