/** Handlers for shared/channels/certs.ts. */
import type { Engine } from '../../engine';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function certHandlers(engine: Engine) {
  return {};
}
