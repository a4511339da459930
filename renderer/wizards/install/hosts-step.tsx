/**
 * Which machines the install covers (the inventory's Services machine, Nomad
 * clients and spare) and the names every host must resolve: the hostname
 * CircleCI will serve and GitHub Enterprise's.
 */
import { useEffect } from 'react';
import { ROLE_LABELS } from '../../../shared/hosts';
import { PREFLIGHT_ROLES } from '../../../shared/install/requirements';
import { ErrorMessage } from '../../components/error-message';
import { useHosts } from '../../store/hosts-store';
import { useNavigation } from '../../store/navigation-store';

export interface HostsChoice {
  hosts: string[];
  circleHostname: string;
  gheHostname: string;
  bundleDir: string;
}

export function HostsStep({ choice, onChange, onNext }: { choice: HostsChoice; onChange(c: HostsChoice): void; onNext(): void }) {
  const { hosts, loaded, loadError, load } = useHosts();
  const go = useNavigation((s) => s.go);
  useEffect(() => {
    if (!loaded) void load();
  }, [loaded, load]);
  const eligible = hosts.filter((h) => PREFLIGHT_ROLES.includes(h.role));
  const ghe = hosts.find((h) => h.role === 'ghe');
  const chosen = (name: string) => !choice.hosts.length || choice.hosts.includes(name);
  const toggle = (name: string) => {
    const current = choice.hosts.length ? choice.hosts : eligible.map((h) => h.name);
    const next = current.includes(name) ? current.filter((n) => n !== name) : [...current, name];
    // At least one host: an empty list would mean "all" to the engine.
    if (!next.length) return;
    onChange({ ...choice, hosts: next.length === eligible.length ? [] : next });
  };
  return (
    <section className="section" aria-labelledby="install-hosts-heading">
      <h2 id="install-hosts-heading">Hosts</h2>
      {loadError && <ErrorMessage error={loadError} prefix="Could not read the inventory." />}
      {loaded && !eligible.length && (
        <div className="message message--info">
          <p>
            No Services machine or Nomad client in the inventory yet.{' '}
            <button type="button" className="button button--small" onClick={() => go('hosts')}>
              Add hosts
            </button>
          </p>
        </div>
      )}
      {eligible.length > 0 && (
        <table className="table table--compact">
          <caption>Machines the preflight checks</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Host</th>
              <th scope="col">Role</th>
              <th scope="col">Address</th>
            </tr>
          </thead>
          <tbody>
            {eligible.map((h) => (
              <tr key={h.name}>
                <td>
                  <input type="checkbox" aria-label={`Check ${h.name}`} checked={chosen(h.name)} onChange={() => toggle(h.name)} />
                </td>
                <th scope="row">{h.name}</th>
                <td>{ROLE_LABELS[h.role]}</td>
                <td>{h.address}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="host-form__grid">
        <label className="field">
          <span className="field__label">CircleCI hostname</span>
          <input className="input" value={choice.circleHostname} placeholder="ci.example.com" onChange={(e) => onChange({ ...choice, circleHostname: e.target.value.trim() })} />
          <span className="field__hint">The name users will open; every host must resolve it.</span>
        </label>
        <label className="field">
          <span className="field__label">GitHub Enterprise hostname</span>
          <input className="input" value={choice.gheHostname} placeholder={ghe?.address ?? 'github.example.com'} onChange={(e) => onChange({ ...choice, gheHostname: e.target.value.trim() })} />
          <span className="field__hint">{ghe ? `Default: ${ghe.address} (the inventory's ${ghe.name}).` : 'Resolved and probed (22, 80, 443) from every host.'}</span>
        </label>
        <label className="field">
          <span className="field__label">Bundle folder on the hosts</span>
          <input className="input" value={choice.bundleDir} onChange={(e) => onChange({ ...choice, bundleDir: e.target.value.trim() })} />
        </label>
      </div>
      <div className="actions">
        <button type="button" className="button button--primary" disabled={!eligible.length} onClick={onNext}>
          Next: preflight
        </button>
      </div>
    </section>
  );
}
