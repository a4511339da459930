/**
 * The one moment an admin vouches for a host key. The fingerprint is shown
 * exactly as `ssh-keygen -lf` prints it, with the command to run on the
 * host's own console to compare; Trust stores that key and no other.
 */
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { Fingerprint } from '../../components/fingerprint';
import { useTrust } from '../../store/trust-store';

export function TrustDialog() {
  const flow = useTrust((s) => s.flow);
  const confirm = useTrust((s) => s.confirm);
  const cancel = useTrust((s) => s.cancel);
  if (flow?.phase !== 'confirm') return null;
  const { scan, trusting, error } = flow;

  return (
    <Dialog title={`Confirm the host key of ${scan.name}`} onClose={cancel} wide>
      <p>
        <strong>{scan.knownAs}</strong> presented this {scan.keyType} key. Drydock has never seen it before.
      </p>
      <div className="fingerprint-box">
        <Fingerprint value={scan.fingerprint} testId="presented-fingerprint" />
      </div>
      <p>
        Before you trust it, compare it with what the host itself reports. On the host&rsquo;s console (not over this network), run:
      </p>
      <pre className="command">
        <code>ssh-keygen -lf {hostKeyFile(scan.keyType)}</code>
      </pre>
      <p>
        Trust it only if the fingerprint there is exactly the same. If it differs, someone may be intercepting the connection: cancel and find
        out why.
      </p>
      {error && <ErrorMessage error={error} prefix="Nothing was trusted." />}
      <div className="actions">
        <button type="button" className="button" onClick={cancel} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button--primary" onClick={() => void confirm()} disabled={trusting}>
          {trusting ? 'Trusting…' : 'Trust'}
        </button>
      </div>
    </Dialog>
  );
}

/** Where OpenSSH keeps the public host key of this type: ssh-ed25519 → ssh_host_ed25519_key.pub. */
function hostKeyFile(keyType: string): string {
  const kind = keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType.replace(/^ssh-/, '');
  return `/etc/ssh/ssh_host_${kind}_key.pub`;
}
