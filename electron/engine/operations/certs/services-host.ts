/**
 * Which host is "the Services machine", and what hostname CircleCI is
 * configured with there. Every certificate path checks its Common Name
 * against that hostname, because the guide's one hard rule is that they match.
 */
import { DrydockError } from '../../../../shared/errors';
import type { EngineServices } from '../operation';
import type { HostSession } from '../../ssh/session';

/** The named host, or the inventory's only Services machine. */
export function servicesHostName(services: Pick<EngineServices, 'inventory'>, name?: string): string {
  if (name) return services.inventory.get(name).name;
  const candidates = services.inventory.withRole('services');
  if (candidates.length === 1) return candidates[0].name;
  if (!candidates.length) throw new DrydockError('NOT_FOUND', 'No Services machine in the inventory: add one with role "services" (drydock hosts add … --role services)');
  throw new DrydockError('INVALID_INPUT', `Several Services machines (${candidates.map((h) => h.name).join(', ')}): name one (--services NAME)`);
}

export interface AppConfig {
  [item: string]: { value?: string; data?: string } | undefined;
}

/** `replicatedctl app-config export --hidden`: every setting, file items base64 in `data`. */
export async function exportAppConfig(session: HostSession, signal?: AbortSignal): Promise<AppConfig> {
  const out = await session.check('replicatedctl app-config export --hidden', { asRoot: true, signal });
  try {
    return JSON.parse(out) as AppConfig;
  } catch {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: replicatedctl app-config export did not print JSON (its output holds secrets, so it is not shown; run it on the host to see why)`);
  }
}

/** The `hostname` setting, or null when CircleCI has none yet (fresh install). */
export function configuredHostname(config: AppConfig): string | null {
  const value = config.hostname?.value?.trim();
  return value ? value : null;
}
