/**
 * The backup plan: what will be snapshotted (with sizes), how, and what the
 * admin should know first. Read-only: the provider is asked, the Services
 * machine is read, nothing is changed.
 */
import { createHash } from 'node:crypto';
import type { BackupMode, BackupProfile } from '../../../../shared/backup/profile';
import type { BackupPlan } from '../../../../shared/channels/backup';
import { DrydockError } from '../../../../shared/errors';
import type { EngineServices } from '../operation';
import { providerFor } from './factory';
import type { BackupProvider, Disk, Machine } from './provider';
import { offDiskWarnings, replicatedAddresses, runningBuilds, servicesHostFor } from './services-host';

export const LIVE_CAVEAT = 'Live: no downtime. A snapshot taken while the app runs carries a small risk of corruption (the guide); choose consistent mode for a clean copy.';
export const CONSISTENT_EXPLAINED = [
  'Consistent: running builds are reported first; then the app is stopped (replicatedctl app stop), Drydock waits for "stopped", flushes the disks (sync) and takes the snapshot.',
  'An EBS snapshot is point-in-time when it is created: the app is started again right then (replicatedctl app start, wait for "started"), not when the snapshot completes. The downtime is measured and reported.',
  'If anything fails after the stop, the app is started again.',
];

export function planFingerprint(machine: Machine, disks: Disk[], mode: BackupMode): string {
  return createHash('sha256').update(JSON.stringify([machine.id, machine.rootDevice, disks.map((d) => [d.id, d.device, d.sizeGiB]), mode])).digest('hex');
}

export function chooseDisks(all: Disk[], volumes: 'root' | 'all'): { disks: Disk[]; skipped: Disk[] } {
  const root = all.filter((d) => d.root);
  if (!root.length) throw new DrydockError('COMMAND_FAILED', 'The machine has no disk at its root device: nothing to back up as its root volume');
  return volumes === 'root' ? { disks: root, skipped: all.filter((d) => !d.root) } : { disks: all, skipped: [] };
}

const diskView = (d: Disk) => ({ id: d.id, device: d.device, root: d.root, sizeGiB: d.sizeGiB });

export interface HostReading {
  servicesHost?: string;
  addresses: { private?: string; public?: string };
  runningBuilds?: number;
  warnings: string[];
}

/** What the Services machine says (by SSH), or why it could not be asked. */
export async function readServicesHost(services: EngineServices, machine: Machine, mode: BackupMode, rootOnly: boolean, signal?: AbortSignal): Promise<HostReading> {
  const name = servicesHostFor(services.inventory, machine);
  if (!name) {
    if (mode === 'consistent') throw new DrydockError('INVALID_INPUT', `Consistent mode stops the app over SSH: add the Services machine (${machine.privateAddress ?? machine.id}) to the inventory with role services`);
    return { addresses: {}, warnings: ['No Services machine in the inventory: its addresses are not recorded with the backup, and data off the snapshotted disks (NFS, other disks) was not checked'] };
  }
  const session = await services.pool.session(name, signal);
  const addresses = await replicatedAddresses(session, signal);
  const warnings = await offDiskWarnings(session, rootOnly, signal);
  if (!addresses.private) warnings.push(`${name}: no PRIVATE_ADDRESS in /etc/default/replicated*; a restore will read the addresses after boot`);
  const builds = mode === 'consistent' ? await runningBuilds(session, signal) : undefined;
  return { servicesHost: name, addresses, ...(builds !== undefined ? { runningBuilds: builds } : {}), warnings };
}

export async function planBackup(services: EngineServices, profile: BackupProfile, mode: BackupMode, volumes: 'root' | 'all', signal?: AbortSignal): Promise<BackupPlan> {
  const provider: BackupProvider = await providerFor(services, profile, signal);
  try {
    const credentials = await provider.identity({ signal });
    const ref = profile.provider === 'aws' ? profile.instance : profile.domain;
    const machine = await provider.findMachine(ref, { signal });
    const { disks, skipped } = chooseDisks(await provider.disks(machine, { signal }), volumes);
    const host = await readServicesHost(services, machine, mode, volumes === 'root', signal);
    const steps = [
      'Find the Services machine and the disks to snapshot',
      ...(mode === 'consistent' ? ['Report running builds', 'Stop the app and wait for "stopped"', 'Flush the disks (sync) and take the snapshot', 'Start the app and wait for "started"'] : ['Take the snapshot']),
      'Follow the snapshot to completed (when asked to wait)',
    ];
    return {
      profile,
      mode,
      credentials,
      machine: { id: machine.id, ...(machine.name ? { name: machine.name } : {}), ...(machine.privateAddress ? { privateAddress: machine.privateAddress } : {}), state: machine.state, ...(machine.zone ? { zone: machine.zone } : {}), rootDevice: machine.rootDevice },
      disks: disks.map(diskView),
      skipped: skipped.map(diskView),
      ...(host.servicesHost ? { servicesHost: host.servicesHost } : {}),
      addresses: host.addresses,
      ...(host.runningBuilds !== undefined ? { runningBuilds: host.runningBuilds } : {}),
      warnings: [...(skipped.length ? [`Root volume only: ${skipped.map((d) => `${d.id} (${d.device}, ${d.sizeGiB} GiB)`).join(', ')} not included`] : []), ...host.warnings],
      explanation: [
        ...(mode === 'live'
          ? [LIVE_CAVEAT]
          : provider.capabilities.pointInTimeAtCreate
            ? CONSISTENT_EXPLAINED
            : [CONSISTENT_EXPLAINED[0], 'On libvirt the app is started again once the disk images are copied into the store and the domain runs on its base images again (wait for "started"); the downtime includes the copy and is reported.', CONSISTENT_EXPLAINED[2]]),
        ...(profile.provider === 'libvirt' && profile.store.host !== profile.hypervisor
          ? [
              `The store is on ${profile.store.host}: each image is converted on ${profile.hypervisor} into ${profile.store.dir}/staging (root's, 0700), the domain goes back onto its base images, then the image is copied to ${profile.store.host}:${profile.store.dir} through this computer (resumable, checked against its SHA-256) and the staged file removed.`,
            ]
          : []),
      ],
      steps,
      fingerprint: planFingerprint(machine, disks, mode),
    };
  } finally {
    await provider.close();
  }
}
