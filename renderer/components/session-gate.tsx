/**
 * Browser mode: the console is shown only once the engine accepts the
 * session token; without one (or with a stale one) the page says how to open
 * Drydock. The desktop app needs no token and passes straight through.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { call, isSessionRefused, sessionToken, transportKind } from '../api';
import { OpenDrydockPage } from '../pages/open-drydock-page';

type Session = 'checking' | 'ok' | 'missing' | 'refused';

export function SessionGate({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>(() => (transportKind() === 'desktop' ? 'ok' : sessionToken() ? 'checking' : 'missing'));

  useEffect(() => {
    if (session !== 'checking') return;
    let live = true;
    // Any other failure (engine down) is the console's to show, in its footer.
    call('app:info', {}).then(
      () => live && setSession('ok'),
      (err: unknown) => live && setSession(isSessionRefused(err) ? 'refused' : 'ok'),
    );
    return () => {
      live = false;
    };
  }, [session]);

  if (session === 'ok') return children;
  if (session === 'checking') return null;
  return <OpenDrydockPage refused={session === 'refused'} />;
}
