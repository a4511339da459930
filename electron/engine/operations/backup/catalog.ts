/**
 * The catalog read from the provider (tags are the source of truth): this
 * installation's backups, plus other snapshots of the same disks so the admin
 * sees them and prune can say why it leaves them alone.
 */
import { groupBackups, type BackupView } from '../../../../shared/backup/catalog';
import { TAG, type BackupProfile } from '../../../../shared/backup/profile';
import type { RunStore } from '../../runbook/run-store';
import type { BackupProvider, Snapshot } from './provider';

/**
 * Snapshot ids an unfinished restore run refers to (its input or state), so
 * prune never deletes what a restore is using. Restore runs are named
 * `restore-…` (issue 11); a snapshot tagged `drydock:in-use-by` counts too.
 */
export function snapshotsInUse(store: RunStore, snapshots: Snapshot[]): Set<string> {
  const busy = new Set<string>(snapshots.filter((s) => s.tags['drydock:in-use-by']).map((s) => s.id));
  const unfinished = store.list().filter((r) => r.operation.startsWith('restore') && r.status !== 'done');
  if (!unfinished.length) return busy;
  const text = unfinished.map((r) => JSON.stringify([r.input, r.state])).join('\n');
  for (const s of snapshots) if (text.includes(s.id)) busy.add(s.id);
  return busy;
}

export async function readCatalog(provider: BackupProvider, profile: BackupProfile, store: RunStore, signal?: AbortSignal): Promise<BackupView[]> {
  const ours = await provider.listSnapshots({ tags: { [TAG.installation]: profile.installationId } }, { signal });
  let others: Snapshot[] = [];
  try {
    const machine = await provider.findMachine(profile.provider === 'aws' ? profile.instance : profile.domain, { signal });
    const disks = await provider.disks(machine, { signal });
    const all = await provider.listSnapshots({}, { signal });
    others = all.filter((s) => disks.some((d) => d.id === s.disk) && !ours.some((o) => o.id === s.id));
  } catch {
    // The machine may be gone (that is when backups matter most): the catalog still lists ours.
  }
  const snapshots = [...ours, ...others];
  return groupBackups(snapshots, profile.installationId, snapshotsInUse(store, snapshots));
}
