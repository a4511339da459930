/**
 * The red warning for a host whose key is not the one Drydock trusted. It
 * names both fingerprints and offers no way to trust the new key here:
 * replacing a trusted key must be a deliberate act (check the new key on the
 * host's console, forget the old one, then confirm the new one as for a new
 * host), never a click-through.
 */
import type { HostView } from '../../../shared/contract';
import { Fingerprint } from '../../components/fingerprint';
import type { KeyChange } from '../../store/hosts-store';

interface KeyChangedAlertProps {
  name: string;
  host?: HostView;
  change: KeyChange;
  onForgetKey(): void;
  onRemove(): void;
}

export function KeyChangedAlert({ name, host, change, onForgetKey, onRemove }: KeyChangedAlertProps) {
  const where = host ? `${host.address}:${host.port}` : name;
  return (
    <section role="alert" className="danger-panel" aria-labelledby={`key-changed-${name}`}>
      <h2 id={`key-changed-${name}`} className="danger-panel__title">
        Host key changed — possible man-in-the-middle
      </h2>
      <p>
        <strong>{name}</strong> ({where}) answered with a different key from the one Drydock trusted. Nothing was run on it.
      </p>
      <dl className="danger-panel__keys">
        <dt>Trusted key</dt>
        <dd>{change.stored ? <Fingerprint value={change.stored} testId="stored-fingerprint" /> : 'not reported'}</dd>
        <dt>Presented now</dt>
        <dd>{change.presented ? <Fingerprint value={change.presented} testId="changed-fingerprint" /> : 'not reported'}</dd>
      </dl>
      <p>
        If you know the host was rebuilt or its keys were regenerated, read the new fingerprint on its console (not over this network):
      </p>
      <pre className="command">
        <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>
      </pre>
      <p>
        If it matches the one presented now, forget the old key and confirm the new one. If you don&rsquo;t know why the key changed, stop and
        find out who is answering at {where}.
      </p>
      <div className="actions">
        <button type="button" className="button button--danger" onClick={onForgetKey}>
          Forget the old key…
        </button>
        <button type="button" className="button" onClick={onRemove}>
          Remove host…
        </button>
      </div>
    </section>
  );
}
