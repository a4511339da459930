/** The inventory, one row per host, with what can be done to each. */
import type { HostView } from '../../../shared/contract';
import { ROLE_LABELS } from '../../../shared/hosts';
import { useConnection } from '../../store/connection-store';
import { useFacts } from '../../store/facts-store';
import { useHosts } from '../../store/hosts-store';
import { useTrust } from '../../store/trust-store';

interface HostTableProps {
  onFacts(name: string): void;
  onCredentials(host: HostView): void;
  onRemove(name: string): void;
  onEdit(host: HostView): void;
  onShowKey(host: HostView): void;
}

/** "password, sudo password" for the secrets given this session; never the secrets. */
export function secretsSet(host: HostView): string[] {
  const c = host.credentials;
  return [c.password && 'password', c.passphrase && 'key passphrase', c.sudoPassword && 'sudo password'].filter((x): x is string => !!x);
}

export function HostTable({ onFacts, onCredentials, onRemove, onEdit, onShowKey }: HostTableProps) {
  const hosts = useHosts((s) => s.hosts);
  const keyChanged = useHosts((s) => s.keyChanged);
  const fetching = useFacts((s) => s.fetching);
  const trustFlow = useTrust((s) => s.flow);
  const checkTrust = useTrust((s) => s.check);
  const testConnection = useConnection((s) => s.test);
  const testing = useConnection((s) => s.byHost);

  return (
    <table className="table host-table">
      <caption className="visually-hidden">Hosts in this inventory</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Address</th>
          <th scope="col">User</th>
          <th scope="col">Role</th>
          <th scope="col">Host key</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {hosts.map((h) => {
          const changed = h.name in keyChanged;
          const scanning = trustFlow?.phase === 'scanning' && trustFlow.name === h.name;
          return (
            <tr key={h.name}>
              <th scope="row">{h.name}</th>
              <td>
                <code>
                  {h.address}:{h.port}
                </code>
                {h.jump && <div className="muted">via {h.jump}</div>}
              </td>
              <td>
                {h.user}
                <div className="muted host-secrets" data-testid={`secrets-${h.name}`}>
                  {secretsSet(h).length ? `${secretsSet(h).join(', ')} set` : 'no secrets set'}
                </div>
              </td>
              <td>{ROLE_LABELS[h.role]}</td>
              <td>
                {changed ? (
                  <span className="badge badge--danger">Changed</span>
                ) : h.trusted ? (
                  <button type="button" className="badge-button" aria-label={`Trusted: show the key of ${h.name}`} title={h.fingerprint} onClick={() => onShowKey(h)}>
                    <span className="badge badge--ok">Trusted</span>
                  </button>
                ) : (
                  <span className="badge badge--warn">Not trusted</span>
                )}
              </td>
              <td>
                <div className="row-actions">
                  {!h.trusted && !changed && (
                    <button type="button" className="button button--small" aria-label={scanning ? `Reading the key of ${h.name}…` : `Trust ${h.name}…`} onClick={() => void checkTrust(h.name)} disabled={scanning}>
                      {scanning ? 'Reading key…' : 'Trust…'}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Test connection to ${h.name}`}
                    onClick={() => void testConnection(h.name)}
                    disabled={testing[h.name]?.status === 'testing'}
                  >
                    {testing[h.name]?.status === 'testing' ? 'Testing…' : 'Test'}
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={fetching === h.name ? `Reading facts for ${h.name}…` : `Facts for ${h.name}`}
                    onClick={() => onFacts(h.name)}
                    disabled={fetching !== null}
                  >
                    {fetching === h.name ? 'Reading…' : 'Facts'}
                  </button>
                  <button type="button" className="button button--small" aria-label={`Edit ${h.name}…`} onClick={() => onEdit(h)}>
                    Edit…
                  </button>
                  <button type="button" className="button button--small" aria-label={`Credentials for ${h.name}…`} onClick={() => onCredentials(h)}>
                    Credentials…
                  </button>
                  <button type="button" className="button button--small button--quiet" aria-label={`Remove ${h.name}…`} onClick={() => onRemove(h.name)}>
                    Remove…
                  </button>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
