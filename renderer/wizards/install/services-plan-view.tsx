/**
 * What a Services install will do, before anything happens: where each
 * bundle file is (already on the host with the same SHA-256, or to push),
 * Docker, the proxy passed to the installer, install.sh's arguments, the
 * LDAP answer with the guide's warning, the file diffs (password masked),
 * and why it cannot run when something blocks it.
 */
import type { ServicesInstallPlan } from '../../../shared/channels/install-services';
import { FileDiff } from '../proxy/diff-view';

export function ServicesPlanView({ plan }: { plan: ServicesInstallPlan }) {
  return (
    <div className="install-plan" data-testid="services-plan">
      <p>
        <strong>{plan.host}</strong> becomes <code>{plan.hostname}</code> (private address <code>{plan.privateAddress || '?'}</code>),{' '}
        {plan.mode === 'console' ? 'finished by you in the admin console.' : 'installed headless.'}
      </p>
      <table className="install-table">
        <caption className="visually-hidden">Bundle files</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">On the host</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {plan.files.map((f) => (
            <tr key={`${f.role}-${f.remote}`}>
              <td>
                <code>{f.remote}</code> <span className="muted">({f.role})</span>
              </td>
              <td>{f.onHost ? <span className="badge badge--ok">there, same hash</span> : <span className="badge badge--warn">to push</span>}</td>
              <td>
                <code>{f.sha256 ? `${f.sha256.slice(0, 16)}…` : '—'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="install-facts">
        <li>Docker: {plan.docker.installed ? `installed${plan.docker.version ? ` (${plan.docker.version})` : ''}, left as it is` : 'missing: installed from the bundle\'s .deb files'}</li>
        <li>Proxy: {plan.proxy ? <><code>{plan.proxy.url}</code> (from the proxy settings){plan.proxy.noProxy.length ? <>, bypassing <code>{plan.proxy.noProxy.join(',')}</code></> : null}</> : 'none (no-proxy)'}</li>
        <li>
          Installer: <code>install.sh {plan.installerArgs ? plan.installerArgs.join(' ') : 'airgap …'}</code>
        </li>
        <li>LDAP: {plan.ldap ? 'yes' : 'no'}</li>
      </ul>
      <p className="message message--warn">{plan.ldapWarning}</p>
      {plan.fileChanges.map((f) => (
        <FileDiff key={f.path} host={plan.host} file={f} />
      ))}
      {plan.warnings.map((w) => (
        <p key={w} className="message message--warn">
          {w}
        </p>
      ))}
      {plan.blockers.length > 0 && (
        <div role="alert" className="message message--error">
          <p>This install cannot run as it is:</p>
          <ul>
            {plan.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
