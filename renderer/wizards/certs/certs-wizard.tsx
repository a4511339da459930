/**
 * Certificates: the four ways an admin gets TLS right for CircleCI Server
 * (a self-signed or internal-CA certificate, trusting GHE's CA, certbot's
 * DNS challenge, installing one they have), renewal reminders for what
 * Drydock holds, and the ELB checklist.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Bundle } from '../../../shared/channels/certs';
import { call } from '../../api';
import { PageHeading } from '../../components/page-heading';
import { CertbotPath } from './certbot-path';
import { ElbChecklist } from './elb-checklist';
import { ExistingPath } from './existing-path';
import { GhePath } from './ghe-path';
import { useInstallation } from './installation-store';
import { SelfSignedPath } from './self-signed-path';
import './certs.css';

const PATHS = [
  { id: 'self-signed', label: 'Self-signed or internal CA', hint: 'Made on this laptop; no network needed.' },
  { id: 'ghe', label: 'Trust GitHub Enterprise’s certificate', hint: 'When GHE uses a self-signed or private-CA certificate.' },
  { id: 'certbot', label: 'certbot (DNS challenge)', hint: 'A CA-signed certificate via a DNS TXT record.' },
  { id: 'existing', label: 'Install an existing certificate', hint: 'One you have, or one Drydock made earlier.' },
  { id: 'elb', label: 'ELB checklist', hint: 'Listeners and security group when an ELB holds the certificate.' },
] as const;
type PathId = (typeof PATHS)[number]['id'];

export function CertificatesWizard() {
  const [path, setPath] = useState<PathId>('self-signed');
  const [bundles, setBundles] = useState<Bundle[]>([]);
  const reload = useCallback(() => void call('certs:bundles', {}).then(setBundles, () => undefined), []);
  useEffect(reload, [reload]);
  // What the installation says (Replicated there, configured hostname) steers every path.
  const loadInstallation = useInstallation((s) => s.load);
  useEffect(() => {
    void loadInstallation();
  }, [loadInstallation]);
  const due = bundles.filter((b) => b.source === 'certbot' || Date.now() > new Date(b.renewBy).getTime());

  return (
    <>
      <PageHeading title="Certificates">
        TLS for CircleCI Server: the certificate&rsquo;s Common Name must be the hostname configured in CircleCI, and the key must be unencrypted
        PEM.
      </PageHeading>
      {due.length > 0 && (
        <div className="message message--info cert-reminder" data-testid="renewal-reminders">
          <p>
            <strong>Renewal reminders.</strong>
          </p>
          <ul>
            {due.map((b) => (
              <li key={b.id}>
                {b.hostname} ({b.source === 'certbot' ? 'certbot: manual certificates do not renew themselves' : b.source}) expires{' '}
                {b.chain[0].notAfter.slice(0, 10)}; renew before {b.renewBy.slice(0, 10)}.
              </li>
            ))}
          </ul>
        </div>
      )}
      <fieldset className="cert-paths">
        <legend>What do you want to do?</legend>
        {PATHS.map((p) => (
          <label key={p.id} className="cert-paths__option">
            <input type="radio" name="cert-path" value={p.id} checked={path === p.id} onChange={() => setPath(p.id)} />
            <span>
              {p.label} <span className="cert-paths__hint">{p.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {path === 'self-signed' && <SelfSignedPath onMade={reload} />}
      {path === 'ghe' && <GhePath />}
      {path === 'certbot' && <CertbotPath onMade={reload} />}
      {path === 'existing' && <ExistingPath bundles={bundles} onChanged={reload} />}
      {path === 'elb' && <ElbChecklist />}
    </>
  );
}
