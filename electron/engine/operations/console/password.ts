/**
 * `replicated auth reset` (admin-commands.md §1): removes the management
 * console's password. Offered with its consequence, because until a new
 * password is set, whoever reaches port 8800 first sets it.
 */
import type { EngineServices } from '../operation';
import { servicesHostName } from '../certs/services-host';

export { RESET_CONSEQUENCE } from '../../../../shared/channels/console';

export async function resetConsolePassword(services: Pick<EngineServices, 'pool' | 'inventory'>, options: { services?: string; signal?: AbortSignal } = {}): Promise<{ services: string; said: string }> {
  const session = await services.pool.session(servicesHostName(services, options.services), options.signal);
  const said = await session.check('replicated auth reset', { asRoot: true, signal: options.signal });
  return { services: session.host.name, said: said.trim() };
}
