/**
 * The restarts an apply, a rollback or the restart of what is still owed
 * would make, each one the admin's choice: both interrupt something (the
 * admin console and app; builds on a client). Nothing is ticked until the
 * admin ticks it, and the request carries exactly what was shown and
 * ticked, host by host: a restart this dialog did not list is never sent.
 */
import type { RestartConsent as RestartRequest } from '../../../shared/channels/proxy';

/** The boxes as ticked. */
export interface RestartConsent {
  replicated: boolean;
  docker: boolean;
}

export const NO_CONSENT: RestartConsent = { replicated: false, docker: false };

export interface RestartsShown {
  replicated: boolean;
  docker: string[];
}

/** What the engine is asked to restart: only what this dialog listed and the admin ticked. */
export function restartRequest(shown: RestartsShown, consent: RestartConsent): RestartRequest {
  return { restartReplicated: shown.replicated && consent.replicated, restartDocker: consent.docker ? [...shown.docker] : [] };
}

/** One sentence: what will be restarted, and what stays owed. */
export function restartOutcome(shown: RestartsShown, consent: RestartConsent): string {
  const req = restartRequest(shown, consent);
  const will = [req.restartReplicated ? 'Replicated on the Services machine' : '', req.restartDocker.length ? `Docker on ${req.restartDocker.join(', ')}` : ''].filter(Boolean);
  const left = [shown.replicated && !req.restartReplicated ? 'Replicated' : '', shown.docker.length && !req.restartDocker.length ? `Docker on ${shown.docker.join(', ')}` : ''].filter(Boolean);
  if (!shown.replicated && !shown.docker.length) return 'No service is restarted.';
  return [
    will.length ? `Will restart ${will.join(' and ')}.` : 'No service is restarted.',
    left.length ? `Not restarted: ${left.join(' and ')}, which run the old settings until restarted (the Proxy page says so until then).` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

interface RestartChoicesProps {
  restarts: RestartsShown;
  consent: RestartConsent;
  onChange(consent: RestartConsent): void;
  /** Restarts owed from an earlier run, as the engine describes them. */
  owed?: string[];
}

export function RestartChoices({ restarts, consent, onChange, owed = [] }: RestartChoicesProps) {
  if (!restarts.replicated && restarts.docker.length === 0) return <p>No restart is needed.</p>;
  return (
    <fieldset className="proxy-restarts">
      <legend>Restarts, so the files take effect</legend>
      {owed.length > 0 && <p className="muted">Still owed from an earlier run: {owed.join(', ')}.</p>}
      {restarts.replicated && (
        <label className="proxy-check">
          <input type="checkbox" checked={consent.replicated} onChange={(e) => onChange({ ...consent, replicated: e.target.checked })} />
          <span>
            Restart Replicated on the Services machine in the guide&rsquo;s order. The admin console and CircleCI are <strong>unavailable</strong> for
            a few minutes.
          </span>
        </label>
      )}
      {restarts.docker.length > 0 && (
        <label className="proxy-check">
          <input type="checkbox" checked={consent.docker} onChange={(e) => onChange({ ...consent, docker: e.target.checked })} />
          <span>
            Reload systemd and restart Docker on {restarts.docker.join(', ')}. Builds <strong>running on those clients fail</strong>.
          </span>
        </label>
      )}
      <p role="status" data-testid="restart-outcome">
        {restartOutcome(restarts, consent)}
      </p>
    </fieldset>
  );
}
