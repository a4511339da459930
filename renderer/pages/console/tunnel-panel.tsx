/**
 * The management console through Drydock's SSH tunnel: open it, see its
 * state (pinned certificate, connections, refusals), close it. In Electron
 * the console opens in its own window that accepts only the pinned
 * certificate; in browser mode the admin's browser does its own TLS, so the
 * page links to the tunnel and shows the fingerprint to compare with the
 * browser's warning.
 */
import { useEffect, useState } from 'react';
import { RESET_CONSEQUENCE, type TunnelStateView } from '../../../shared/channels/console';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Fingerprint } from '../../components/fingerprint';

export function TunnelPanel() {
  const [tunnel, setTunnel] = useState<TunnelStateView | null>(null);
  const [address, setAddress] = useState('127.0.0.1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [resetting, setResetting] = useState(false);
  const [resetSaid, setResetSaid] = useState('');
  const electron = !!window.drydock;

  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const { tunnel: t } = await call('console:state', {});
        if (!stop) setTunnel(t);
      } catch {
        /* the next poll tries again */
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };
  const open = () => run(async () => setTunnel(await call('console:open', address.trim() && address.trim() !== '127.0.0.1' ? { address: address.trim() } : {})));
  const close = () =>
    run(async () => {
      await call('console:close', {});
      setTunnel((await call('console:state', {})).tunnel);
    });

  const isOpen = !!tunnel?.open;
  return (
    <section aria-labelledby="tunnel-heading" className="panel">
      <h2 id="tunnel-heading">Management console</h2>
      <p>
        Reaches the Services machine’s port 8800 through SSH (and its bastion, if it has one). Before the tunnel opens, and again for every new
        connection, Drydock compares the certificate arriving through the tunnel with the one the Services machine presents to itself; on a difference
        nothing is forwarded.
      </p>
      {!isOpen && (
        <div className="form-row">
          <label htmlFor="console-address">Console address, as the Services machine reaches it</label>
          <input id="console-address" value={address} onChange={(e) => setAddress(e.target.value)} spellCheck={false} />
        </div>
      )}
      <div className="toolbar">
        {!isOpen ? (
          <button type="button" className="button button--primary" onClick={() => void open()} disabled={busy}>
            {busy ? 'Opening…' : 'Open the console'}
          </button>
        ) : (
          <button type="button" className="button" onClick={() => void close()} disabled={busy}>
            Close the tunnel
          </button>
        )}
        <button type="button" className="button" onClick={() => setResetting(true)}>
          Reset the console password…
        </button>
      </div>
      {resetting && (
        <ConfirmDialog
          title="Reset the management console password?"
          confirmLabel="Reset the password"
          onClose={() => setResetting(false)}
          onConfirm={async () => setResetSaid((await call('console:reset-password', { confirmed: true })).said)}
        >
          <p>{RESET_CONSEQUENCE}</p>
        </ConfirmDialog>
      )}
      <div role="status" className="notice-slot">
        {resetSaid && <p className="message message--ok">{resetSaid}</p>}
        {error && <ErrorMessage error={error} prefix="The tunnel was not opened:" />}
        {tunnel && (
          <dl className="facts" data-testid="tunnel-state">
            <dt>State</dt>
            <dd>{isOpen ? `Open: ${tunnel.services} → ${tunnel.remote}` : 'Closed'}</dd>
            {isOpen && (
              <>
                <dt>Console</dt>
                <dd>
                  {electron ? (
                    'Open in its own window'
                  ) : (
                    <a href={`${tunnel.url}settings`} target="_blank" rel="noopener noreferrer" data-testid="tunnel-url">
                      {tunnel.url}settings
                    </a>
                  )}
                </dd>
              </>
            )}
            <dt>Pinned certificate (SHA-256)</dt>
            <dd>
              <Fingerprint value={tunnel.fingerprint} testId="tunnel-fingerprint" /> {tunnel.subject}
              {!electron && isOpen && <p>Your browser will warn about the console’s certificate: accept it only if it shows this fingerprint.</p>}
            </dd>
            <dt>Connections</dt>
            <dd>
              {tunnel.connections} ({tunnel.active} active), {tunnel.refused} refused
              {tunnel.lastRefusal && <span className="message message--error"> Last refused: {tunnel.lastRefusal}</span>}
            </dd>
          </dl>
        )}
      </div>
    </section>
  );
}
