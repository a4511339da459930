/**
 * Which host is "the Services machine", and what hostname CircleCI is
 * configured with there. Every certificate path checks its Common Name
 * against that hostname, because the guide's one hard rule is that they match.
 */
import type { Installation } from '../../../../shared/channels/certs';
import { DrydockError } from '../../../../shared/errors';
import { readVariable } from '../../../../shared/proxy/env-file';
import type { EngineServices } from '../operation';
import type { HostSession } from '../../ssh/session';

/** Where CIRCLE_URL lives (guide, "Properties of /etc/circle-installation-customizations"). */
export const CUSTOMIZATIONS_FILE = '/etc/circle-installation-customizations';

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
  let out: string;
  try {
    out = await session.check('replicatedctl app-config export --hidden', { asRoot: true, signal });
  } catch (err) {
    // 127 is the shell's "command not found": the host answered, Replicated is just not there.
    if (err instanceof DrydockError && err.details?.exitCode === 127) {
      throw new DrydockError('NOT_FOUND', `replicatedctl is not installed on ${session.host.name}: install CircleCI Server (Replicated) there first`, {
        host: session.host.name,
        exitCode: 127,
        missing: 'replicatedctl',
      });
    }
    throw err;
  }
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

/** True for the error exportAppConfig gives when the host answered but has no replicatedctl. */
export function isReplicatedMissing(err: unknown): boolean {
  return err instanceof DrydockError && err.details?.missing === 'replicatedctl';
}

/** The host part of CIRCLE_URL (`https://ci.example.com` → ci.example.com), or null. */
export function circleUrlHost(customizations: string | null): string | null {
  const value = readVariable(customizations, 'CIRCLE_URL');
  if (!value) return null;
  try {
    return new URL(value).hostname || null;
  } catch {
    return null;
  }
}

/**
 * What the certificate paths need to know about the installation: is
 * Replicated there, and which hostname is CircleCI set up for. The app
 * config's `hostname` is what install checks the CN against, so it wins;
 * CIRCLE_URL is the fallback (and reported, so a difference can be shown).
 */
export async function readInstallation(session: HostSession, signal?: AbortSignal): Promise<Installation> {
  const customizations = await session.run(`cat ${CUSTOMIZATIONS_FILE} 2>/dev/null`, { signal, timeoutMs: 30_000 }).then(
    (r) => (r.code === 0 ? r.stdout : null),
    () => null,
  );
  const fromCircleUrl = circleUrlHost(customizations);
  let fromAppConfig: string | null = null;
  let replicated = true;
  try {
    fromAppConfig = configuredHostname(await exportAppConfig(session, signal));
  } catch (err) {
    if (!isReplicatedMissing(err)) throw err;
    replicated = false;
  }
  const hostname = fromAppConfig ?? fromCircleUrl;
  return {
    services: session.host.name,
    replicated,
    hostname,
    hostnameFrom: fromAppConfig ? 'app-config' : fromCircleUrl ? 'CIRCLE_URL' : null,
    appConfigHostname: fromAppConfig,
    circleUrlHostname: fromCircleUrl,
  };
}
