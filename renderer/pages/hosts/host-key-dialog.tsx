/**
 * The key Drydock trusts for a host, to read again at any time (to compare
 * with the console once more, or to give a colleague).
 */
import type { HostView } from '../../../shared/contract';
import { knownHostsName } from '../../../shared/hosts';
import { Dialog } from '../../components/dialog';
import { Fingerprint } from '../../components/fingerprint';

export function HostKeyDialog({ host, onClose }: { host: HostView; onClose(): void }) {
  return (
    <Dialog title={`Trusted key of ${host.name}`} onClose={onClose} wide>
      <p>
        Drydock trusts this key for <code>{knownHostsName(host.address, host.port)}</code> and refuses to talk to that address if it presents another:
      </p>
      <div className="fingerprint-box">
        <Fingerprint value={host.fingerprint ?? 'not reported'} testId="trusted-fingerprint" />
      </div>
      <p>To compare it on the host&rsquo;s console:</p>
      <pre className="command">
        <code>for key in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf &quot;$key&quot;; done</code>
      </pre>
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
