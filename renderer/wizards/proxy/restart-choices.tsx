/**
 * The restarts an apply or rollback would make, each one the admin's choice:
 * both interrupt something (the admin console and app; builds on a client).
 */
export interface RestartConsent {
  restartReplicated: boolean;
  restartDocker: boolean;
}

interface RestartChoicesProps {
  restarts: { replicated: boolean; docker: string[] };
  consent: RestartConsent;
  onChange(consent: RestartConsent): void;
}

export function RestartChoices({ restarts, consent, onChange }: RestartChoicesProps) {
  if (!restarts.replicated && restarts.docker.length === 0) return <p>No restart is needed.</p>;
  return (
    <fieldset className="proxy-restarts">
      <legend>Restarts, so the new files take effect</legend>
      {restarts.replicated && (
        <label className="proxy-check">
          <input type="checkbox" checked={consent.restartReplicated} onChange={(e) => onChange({ ...consent, restartReplicated: e.target.checked })} />
          <span>
            Restart Replicated on the Services machine in the guide&rsquo;s order. The admin console and CircleCI are <strong>unavailable</strong> for
            a few minutes.
          </span>
        </label>
      )}
      {restarts.docker.length > 0 && (
        <label className="proxy-check">
          <input type="checkbox" checked={consent.restartDocker} onChange={(e) => onChange({ ...consent, restartDocker: e.target.checked })} />
          <span>
            Reload systemd and restart Docker on {restarts.docker.join(', ')}. Builds <strong>running on those clients fail</strong>.
          </span>
        </label>
      )}
      <p className="muted">Leave a restart unticked to do it later: the next apply finishes it.</p>
    </fieldset>
  );
}
