/**
 * The hostname fields of the certificate paths start from the installation's
 * own (app config, else CIRCLE_URL); another name is questioned right at the
 * field, with a one-click way back, since CircleCI only accepts a
 * certificate whose Common Name is its configured hostname.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { sameHostname } from '../../../shared/certs/hostname';
import { useInstallation, whereConfigured } from './installation-store';

/** Fill `setHostname` once from the installation, unless the admin typed first. */
export function usePrefilledHostname(hostname: string, setHostname: (name: string) => void): void {
  const view = useInstallation((s) => s.view);
  const filled = useRef(false);
  useEffect(() => {
    if (filled.current || view.status !== 'ok' || !view.installation.hostname) return;
    filled.current = true;
    if (!hostname) setHostname(view.installation.hostname);
  }, [view, hostname, setHostname]);
}

/** What to say beside a hostname field, or null when the name is the configured one (or nothing is known). */
export function useHostnameQuestion(hostname: string, onUse: (name: string) => void): ReactNode | null {
  const view = useInstallation((s) => s.view);
  if (view.status !== 'ok' || !view.installation.hostname || !hostname) return null;
  const i = view.installation;
  const configured = i.hostname!;
  const disagree = i.appConfigHostname && i.circleUrlHostname && !sameHostname(i.appConfigHostname, i.circleUrlHostname);
  if (sameHostname(hostname, configured)) {
    return disagree ? (
      <p>
        Note: CIRCLE_URL on {i.services} names {i.circleUrlHostname}, while the app config says {i.appConfigHostname}.
      </p>
    ) : null;
  }
  return (
    <>
      <p>
        Is <strong>{hostname}</strong> right? CircleCI on {i.services} is configured for <strong>{configured}</strong> ({whereConfigured(i)}), and it
        only accepts a certificate for that name.
      </p>
      <button type="button" className="button button--small" onClick={() => onUse(configured)}>
        Use {configured}
      </button>
    </>
  );
}
