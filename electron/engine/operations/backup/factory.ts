/**
 * A provider for a profile, wired to the engine: the AWS SDK's connections
 * go through the tunnel host's SSH connection when the profile names one.
 */
import type { Duplex } from 'node:stream';
import type { BackupProfile } from '../../../../shared/backup/profile';
import type { EngineServices } from '../operation';
import type { Forwarder } from './aws/tunnel';
import { LibvirtProvider } from './libvirt/libvirt-provider';
import { sessionKeysFor } from './profiles';
import type { BackupProvider } from './provider';

export function sshForwarder(services: EngineServices, hostName: string, signal?: AbortSignal): Forwarder {
  return async (host, port) => {
    const session = await services.pool.session(hostName, signal);
    return new Promise<Duplex>((resolve, reject) =>
      session.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(new Error(`${hostName} could not open a channel to ${host}:${port}: ${err.message}`)) : resolve(stream))),
    );
  };
}

export async function providerFor(services: EngineServices, profile: BackupProfile, signal?: AbortSignal): Promise<BackupProvider> {
  if (profile.provider === 'aws') {
    // The EC2 client takes about half a second to load: only a run that uses an
    // AWS profile pays for it, not every `drydock` command nor the app's start.
    const { AwsProvider } = await import('./aws/aws-provider.js');
    const keys = sessionKeysFor(services.home, profile.name);
    return new AwsProvider({
      profile,
      ...(keys ? { keys } : {}),
      ...(profile.tunnelVia ? { forward: sshForwarder(services, profile.tunnelVia, signal) } : {}),
    });
  }
  const libvirt = new LibvirtProvider(services, profile);
  // Tests' domains have no OS to answer ACPI (like DRYDOCK_RESTORE_POLL_MS, an environment knob; the default is 2 min).
  if (process.env.DRYDOCK_LIBVIRT_STOP_GRACE_MS) libvirt.stopGraceMs = Math.max(500, Number(process.env.DRYDOCK_LIBVIRT_STOP_GRACE_MS) || 120_000);
  return libvirt;
}
