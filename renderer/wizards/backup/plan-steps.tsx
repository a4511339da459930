/**
 * Steps 2 and 3: what will be snapshotted, with sizes (all volumes at once,
 * or the root alone), then the mode with its downtime explained. Changing a
 * choice re-reads the plan, so what runs is exactly what is shown.
 */
import type { BackupPlan } from '../../../shared/channels/backup';

export function DisksStep({ plan, volumes, onVolumes }: { plan: BackupPlan; volumes: 'root' | 'all'; onVolumes(v: 'root' | 'all'): void }) {
  const m = plan.machine;
  return (
    <section className="section" aria-labelledby="backup-disks-heading">
      <h2 id="backup-disks-heading">2. What will be snapshotted</h2>
      <p>
        {m.name ? `${m.name} ` : ''}
        <code>{m.id}</code> {m.privateAddress} — {m.state}
        {m.zone ? `, ${m.zone}` : ''}. {plan.credentials}.
      </p>
      <table className="table table--compact" aria-label="Volumes to snapshot">
        <thead>
          <tr>
            <th>Volume</th>
            <th>Device</th>
            <th className="num">Size</th>
            <th>Role</th>
          </tr>
        </thead>
        <tbody>
          {[...plan.disks, ...plan.skipped].map((d) => (
            <tr key={d.id} className={plan.skipped.includes(d) ? 'muted' : ''}>
              <td>
                <code>{d.id}</code>
              </td>
              <td>{d.device}</td>
              <td className="num">{d.sizeGiB} GiB</td>
              <td>{d.root ? 'root' : 'data'}{plan.skipped.includes(d) ? ' (left out)' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset className="backup-choice">
        <legend>Volumes</legend>
        <label>
          <input type="radio" name="volumes" checked={volumes === 'all'} onChange={() => onVolumes('all')} /> All volumes at once (crash-consistent across them)
        </label>
        <label>
          <input type="radio" name="volumes" checked={volumes === 'root'} onChange={() => onVolumes('root')} /> The root volume alone
        </label>
      </fieldset>
      <p className="muted">
        Addresses recorded for a restore: private {plan.addresses.private ?? '—'}, public {plan.addresses.public ?? '—'}
        {plan.servicesHost ? ` (read from ${plan.servicesHost})` : ''}.
      </p>
      {plan.warnings.length > 0 && (
        <div className="message" role="note" aria-label="Warnings">
          <ul>
            {plan.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

interface ModeStepProps {
  plan: BackupPlan;
  mode: 'live' | 'consistent';
  onMode(m: 'live' | 'consistent'): void;
  waitForBuilds: boolean;
  onWaitForBuilds(v: boolean): void;
}

export function ModeStep({ plan, mode, onMode, waitForBuilds, onWaitForBuilds }: ModeStepProps) {
  return (
    <section className="section" aria-labelledby="backup-mode-heading">
      <h2 id="backup-mode-heading">3. Mode</h2>
      <fieldset className="backup-choice">
        <legend>How</legend>
        <label>
          <input type="radio" name="mode" checked={mode === 'live'} onChange={() => onMode('live')} /> Live — no downtime
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'consistent'} onChange={() => onMode('consistent')} /> Consistent — the app stops while the snapshot is
          taken
        </label>
      </fieldset>
      <div className="message message--info" data-testid="mode-explanation">
        {plan.explanation.map((e) => (
          <p key={e}>{e}</p>
        ))}
      </div>
      {mode === 'consistent' && plan.runningBuilds !== undefined && (
        <div className={`message${plan.runningBuilds ? ' message--error' : ''}`}>
          <p>{plan.runningBuilds ? `${plan.runningBuilds} build(s) are running now.` : 'No build is running now.'}</p>
          <label className="backup-check">
            <input type="checkbox" checked={waitForBuilds} onChange={(e) => onWaitForBuilds(e.target.checked)} /> Wait until no build runs before stopping the app
          </label>
        </div>
      )}
    </section>
  );
}
