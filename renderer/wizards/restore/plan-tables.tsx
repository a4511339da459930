/**
 * The parts of the preview that are tables: the disks (volume created, root
 * swapped with the original kept), the lines of /etc/default/replicated*
 * that change (old → new), and the Nomad clients to re-point.
 */
import type { RestorePlan } from '../../../shared/channels/restore';

const VOLUME_ACTIONS: Record<RestorePlan['volumes'][number]['action'], string> = {
  'copy-snapshot': 'Copy the snapshot to the spare’s region',
  create: 'Create a volume from the snapshot',
  'detach-keep': 'Detach the spare’s root and keep it',
  'attach-root': 'Attach the new volume as root',
};

export function VolumeTable({ plan }: { plan: RestorePlan }) {
  if (plan.volumes.length === 0) return <p>No disk changes: {plan.spare.holds ? `the spare already holds ${plan.spare.holds.backup}.` : 'nothing to do on the disks.'}</p>;
  return (
    <table className="table table--compact" aria-label="Disk changes">
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">On</th>
          <th scope="col">What happens</th>
        </tr>
      </thead>
      <tbody>
        {plan.volumes.map((v) => (
          <tr key={`${v.action}-${v.subject}`}>
            <td>{VOLUME_ACTIONS[v.action]}</td>
            <td>
              <code>{v.subject}</code>
            </td>
            <td>{v.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LineChangesTable({ plan }: { plan: RestorePlan }) {
  if (plan.lineChanges.length === 0) return <p>No line of the Replicated settings changes.</p>;
  return (
    <table className="table table--compact restore-lines" aria-label="Line changes">
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Setting</th>
          <th scope="col">Now (from the backup)</th>
          <th scope="col">Becomes</th>
        </tr>
      </thead>
      <tbody>
        {plan.lineChanges.map((l) => (
          <tr key={`${l.host}-${l.file}-${l.key}`}>
            <td>
              <code>{l.file}</code> <span className="muted">on {l.host}</span>
            </td>
            <td>
              <code>{l.key}</code>
            </td>
            <td>{l.readAfterBoot ? <em>read on the spare after it boots</em> : <del className="restore-old">{l.old ?? '(not set)'}</del>}</td>
            <td>
              <ins className="restore-new">{l.new ?? '(removed)'}</ins>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function NomadTable({ plan }: { plan: RestorePlan }) {
  if (plan.mode === 'drill') return <p>A drill re-points nothing: the Nomad clients keep talking to the primary.</p>;
  if (plan.mode === 'refresh-spare') return <p>A refresh of the spare re-points nothing: the Nomad clients keep talking to the primary.</p>;
  if (plan.nomadClients.length === 0) return <p>No Nomad client is in the inventory: none is re-pointed.</p>;
  return (
    <table className="table table--compact" aria-label="Nomad clients to re-point">
      <thead>
        <tr>
          <th scope="col">Client</th>
          <th scope="col">File</th>
          <th scope="col">Servers now</th>
          <th scope="col">Becomes</th>
        </tr>
      </thead>
      <tbody>
        {plan.nomadClients.map((n) => (
          <tr key={n.host}>
            <td>
              {n.host} <span className="muted">{n.address}</span>
            </td>
            <td>
              <code>{n.file}</code>
            </td>
            <td>{n.from ? <del className="restore-old">{n.from}</del> : <em>read when the step runs</em>}</td>
            <td>
              <ins className="restore-new">{n.to}</ins>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
