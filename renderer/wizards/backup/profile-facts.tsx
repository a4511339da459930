/** What a saved backup profile says, field by field, as `drydock backup profile list` reads it. */
import type { BackupProfile } from '../../../shared/backup/profile';

export function ProfileFacts({ profile: p }: { profile: BackupProfile }) {
  const rows: [string, string | undefined][] =
    p.provider === 'aws'
      ? [
          ['Provider', 'AWS EBS'],
          ['Services instance', p.instance],
          ['Region', p.region],
          ['EC2 endpoint', p.endpoint],
          ['AWS profile', p.awsProfile],
          ['Tunnel through', p.tunnelVia],
          ['Spare instance', p.spareInstance ?? 'found by the spare’s address'],
          ['Installation', p.installationId],
        ]
      : [
          ['Provider', 'KVM / libvirt'],
          ['Hypervisor', p.hypervisor],
          ['Services domain', p.domain],
          ['libvirt URI', p.uri],
          ['Backup store', `${p.store.host}:${p.store.dir}`],
          ['Spare hypervisor', p.spareHypervisor ?? `${p.hypervisor} (the same)`],
          ['Spare domain', p.spareDomain ?? 'not set'],
          ['Installation', p.installationId],
        ];
  return (
    <dl className="backup-facts" aria-label={`Profile ${p.name}`}>
      {rows
        .filter((r): r is [string, string] => r[1] !== undefined)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}
