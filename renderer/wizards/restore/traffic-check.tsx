/**
 * After the admin changed DNS or the load balancer: ask again where the
 * hostname leads (from this computer), or record the admin's word that the
 * change is made when the laptop cannot see it (split DNS, a load balancer
 * by address). Both are written to the run and the audit log.
 */
import { useState } from 'react';
import type { TrafficCheck } from '../../../shared/channels/restore';
import { toErrorPayload, type ErrorPayload } from '../../../shared/errors';
import { call } from '../../api';
import { ErrorMessage } from '../../components/error-message';

export function TrafficCheckPanel({ runId }: { runId: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TrafficCheck | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [made, setMade] = useState(false);
  const check = async (confirmed: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await call('restore:check-traffic', { runId, ...(confirmed ? { confirmed } : {}) }));
    } catch (err) {
      setError(toErrorPayload(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel restore-traffic-check">
      <div className="actions actions--start">
        <button type="button" className="button" disabled={busy} onClick={() => void check(false)}>
          {busy ? 'Checking…' : 'Check where the hostname leads now'}
        </button>
      </div>
      <label className="check-line">
        <input type="checkbox" checked={made} onChange={(e) => setMade(e.target.checked)} />
        <span>I have made the DNS or load-balancer change (this computer may not see it)</span>
      </label>
      <div className="actions actions--start">
        <button type="button" className="button" disabled={busy || !made} onClick={() => void check(true)}>
          Record that the change is made
        </button>
      </div>
      <div role="status" className="notice-slot" data-testid="traffic-check-result">
        {result && <p className={`message ${result.ok || result.confirmedByAdmin ? 'message--ok' : 'message--warn'}`}>{result.message}</p>}
      </div>
      {error && <ErrorMessage error={error} prefix="Could not check." />}
    </div>
  );
}
