/** One certificate as an admin checks it: who it is for, who signed it, until when, and its fingerprint. */
import type { CertificateInfo } from '../../../shared/channels/certs';
import { Fingerprint } from '../../components/fingerprint';

export function CertificateDetails({ cert, title, testId }: { cert: CertificateInfo; title?: string; testId?: string }) {
  const expiring = cert.daysLeft < 30;
  return (
    <div className="cert-details" data-testid={testId}>
      {title && <h3 className="cert-details__title">{title}</h3>}
      <dl className="facts">
        <dt>Subject</dt>
        <dd data-testid="cert-subject">{cert.subject}</dd>
        <dt>Issuer</dt>
        <dd>
          {cert.issuer} {cert.selfSigned && <span className="badge badge--warn">self-signed</span>} {cert.isCA && <span className="badge">CA</span>}
        </dd>
        <dt>Valid</dt>
        <dd>
          {cert.notBefore.slice(0, 10)} to {cert.notAfter.slice(0, 10)}{' '}
          <span className={`badge ${cert.daysLeft < 0 ? 'badge--danger' : expiring ? 'badge--warn' : 'badge--ok'}`}>
            {cert.daysLeft < 0 ? 'expired' : `${cert.daysLeft} days left`}
          </span>
        </dd>
        {cert.sans.length > 0 && (
          <>
            <dt>Names</dt>
            <dd data-testid="cert-names">{cert.sans.join(', ')}</dd>
          </>
        )}
        <dt>Key</dt>
        <dd>{cert.keyType}</dd>
        <dt>SHA-256</dt>
        <dd>
          <Fingerprint value={cert.sha256} testId="cert-sha256" />
        </dd>
      </dl>
    </div>
  );
}
