/**
 * Undo a GHE trust: the CA files trust-ghe replaced are restored from their
 * on-host backups on the Services machine and every Nomad client, and the
 * system bundle is rebuilt. Asked first: GitHub Enterprise then fails TLS
 * checks again until it is trusted anew.
 */
import { useState } from 'react';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';

type Undone = ResponseOf<'certs:trust-ghe-rollback'>;

export function GheUndo() {
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<Undone | null>(null);
  // Errors stay in the dialog, which shows them.
  const undo = async () => setResult(await call('certs:trust-ghe-rollback', {}));

  return (
    <div className="section">
      <button type="button" className="button" onClick={() => setAsking(true)}>
        Undo the GHE trust…
      </button>
      {asking && (
        <ConfirmDialog title="Undo the GHE trust?" confirmLabel="Restore the CA files" onClose={() => setAsking(false)} onConfirm={undo}>
          <p>
            The CA files the last trust replaced are restored from their backups on the Services machine and every Nomad client. Until GHE is
            trusted again, CircleCI&rsquo;s calls to it fail their TLS checks.
          </p>
        </ConfirmDialog>
      )}
      {result && (
        <ul role="status" className="message message--ok">
          {result.hosts.map((h) => (
            <li key={h.host}>{h.set ? `${h.host}: restored ${h.files.length} file(s) from ${h.set}` : `${h.host}: nothing to undo`}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
