/**
 * Which backup a hot spare holds (refresh-spare), read from the tags of the
 * spare's root disk itself: that is what the spare will boot, so a failover
 * trusts nothing else (no laptop cache). A restored disk carries the backup
 * and installation it came from (tagged when it is created); a refresh that
 * finished marks it ready; any run that starts the app on it marks it used,
 * because its data has moved on from the backup since. Only a ready, unused
 * disk of this installation holding the chosen backup lets a failover skip the
 * volume steps. (EBS: volume tags; libvirt: the restored image's manifest.)
 */
export const SPARE_TAG = {
  backup: 'drydock:backup',
  installation: 'drydock:installation',
  /** Set when a refresh-spare run finished (identity fixed, app left stopped). */
  readyAt: 'drydock:spare-ready-at',
  /** Set by any run that started the app on the disk. */
  usedAt: 'drydock:spare-used-at',
} as const;

export interface SpareHolds {
  /** The backup the disk holds (absent: not a disk Drydock restored). */
  backup?: string;
  /** The volume steps may be skipped for `wanted`. */
  usable: boolean;
  /** Why not, for the preview (empty when usable or when it holds nothing). */
  reasons: string[];
}

export function spareHolds(tags: Record<string, string> | undefined, installationId: string, wanted: string | undefined): SpareHolds {
  const t = tags ?? {};
  const backup = t[SPARE_TAG.backup];
  if (!backup) return { usable: false, reasons: [] };
  const reasons: string[] = [];
  if (t[SPARE_TAG.installation] && t[SPARE_TAG.installation] !== installationId) reasons.push(`its disk holds a backup of installation ${t[SPARE_TAG.installation]}`);
  if (!t[SPARE_TAG.readyAt]) reasons.push('the refresh that wrote it did not finish (or it was a restore, not a refresh)');
  if (t[SPARE_TAG.usedAt]) reasons.push(`the app was started on it at ${t[SPARE_TAG.usedAt]}: its data has moved on from the backup`);
  if (wanted && backup !== wanted) reasons.push(`it holds backup ${backup}, not ${wanted}`);
  return { backup, usable: !!wanted && reasons.length === 0, reasons };
}
