/** Handlers for shared/channels/proxy.ts. */
import type { Engine } from '../../engine';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function proxyHandlers(engine: Engine) {
  return {};
}
