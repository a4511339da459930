/** Terminal text for `drydock backup …`: the plan, the catalog with progress bars, prune decisions. */
import type { BackupView, PruneDecision } from '../../shared/backup/catalog';
import type { BackupProfile } from '../../shared/backup/profile';
import type { BackupPlan } from '../../shared/channels/backup';
import { table } from './format';

export function progressBar(percent: number, width = 20): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(percent)).padStart(3)}%`;
}

export function age(iso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function formatProfiles(profiles: BackupProfile[]): string[] {
  if (!profiles.length) return ['No backup profiles (drydock backup profile set NAME --provider aws --instance …).'];
  return table([
    ['NAME', 'PROVIDER', 'TARGET', 'WHERE', 'INSTALLATION'],
    ...profiles.map((p) =>
      p.provider === 'aws'
        ? [p.name, 'aws', p.instance, [p.region, p.endpoint, p.tunnelVia ? `via ${p.tunnelVia}` : '', p.imds ? 'imds' : ''].filter(Boolean).join(' '), p.installationId]
        : [p.name, 'libvirt', p.domain, `${p.hypervisor} ${p.uri} → ${p.store.host}:${p.store.dir}`, p.installationId],
    ),
  ]).split('\n');
}

export function formatPlan(plan: BackupPlan): string[] {
  const m = plan.machine;
  return [
    `Backup plan — profile ${plan.profile.name} (${plan.profile.provider}), ${plan.mode} mode`,
    `  Credentials: ${plan.credentials}`,
    `  Machine: ${m.name ? `${m.name} ` : ''}(${m.id}) ${m.privateAddress ?? ''} ${m.state}${m.zone ? `, ${m.zone}` : ''}, root ${m.rootDevice}`,
    '  Disks to snapshot:',
    ...plan.disks.map((d) => `    ${d.id}  ${d.device}  ${d.sizeGiB} GiB${d.root ? '  (root)' : ''}`),
    `  Addresses recorded for restore: private ${plan.addresses.private ?? '-'}, public ${plan.addresses.public ?? '-'}${plan.servicesHost ? ` (from ${plan.servicesHost})` : ''}`,
    ...(plan.runningBuilds !== undefined ? [`  Running builds: ${plan.runningBuilds}`] : []),
    ...plan.warnings.map((w) => `  warning: ${w}`),
    ...plan.explanation.map((e) => `  ${e}`),
  ];
}

export function formatCatalog(backups: BackupView[], now: number): string[] {
  if (!backups.length) return ['No backups yet.'];
  const rows = [['BACKUP', 'STATE', 'PROGRESS', 'SIZE', 'AGE', 'MODE', 'SNAPSHOTS', 'NOTE']];
  for (const b of backups) {
    const note = [b.ours ? '' : 'not Drydock’s', b.inUse ? 'in use by a restore' : '', b.message ?? ''].filter(Boolean).join('; ');
    rows.push([b.id, b.state, progressBar(b.progress, 10), `${b.sizeGiB} GiB`, age(b.startedAt, now), b.mode ?? '-', b.snapshots.map((s) => s.id).join(','), note]);
  }
  return table(rows).split('\n');
}

export function formatPrune(decisions: PruneDecision[]): string[] {
  if (!decisions.length) return ['The catalog is empty.'];
  return table([['ACTION', 'BACKUP', 'STATE', 'STARTED', 'WHY'], ...decisions.map((d) => [d.action === 'delete' ? 'DELETE' : 'keep', d.backup.id, d.backup.state, d.backup.startedAt, d.why])]).split('\n');
}
