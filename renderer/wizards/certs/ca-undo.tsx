/**
 * Undo the internal CA's trust on the Nomad clients: the newest trust-ca
 * change on each client is restored from its on-host backup and the system
 * bundle rebuilt. Asked first, naming the clients.
 */
import { useState } from 'react';
import type { ResponseOf } from '../../../shared/contract';
import { call } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';

type Undone = ResponseOf<'certs:untrust-ca'>;

export function CaUndo({ clients }: { clients: string[] }) {
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<Undone | null>(null);
  // Errors stay in the dialog, which shows them.
  const undo = async () => setResult(await call('certs:untrust-ca', { hosts: clients }));

  return (
    <div className="cert-gap">
      <button type="button" className="button button--small" onClick={() => setAsking(true)}>
        Undo the CA trust on the Nomad clients…
      </button>
      {asking && (
        <ConfirmDialog title="Undo the CA trust on the Nomad clients?" confirmLabel="Restore the CA files" onClose={() => setAsking(false)} onConfirm={undo}>
          <p>
            On {clients.join(', ')}, the CA file the last trust installed is removed (or what it replaced is put back) and{' '}
            <code>update-ca-certificates</code> runs. Builds there stop trusting certificates that CA issued.
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
