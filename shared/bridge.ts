/**
 * What the preload script puts on `window.drydock`, typed from the contract,
 * so the renderer can use the Electron transport without importing Electron.
 */
import type { Channel, RequestOf, ResponseOf, RpcResult } from './contract';
import type { DrydockEvent } from './events';

/** Every contract channel travels over ipc as `drydock:<channel>`. */
export const IPC_CHANNEL_PREFIX = 'drydock:';
/** Progress events from the main process to the window. */
export const IPC_EVENT_CHANNEL = 'drydock:event';

export function ipcChannel(channel: Channel): string {
  return IPC_CHANNEL_PREFIX + channel;
}

export interface DrydockBridge {
  /**
   * Call one contract channel. Never rejects for an application error: the
   * envelope says `ok: false` with a coded error (a request that fails the
   * contract's schema is refused before it leaves the window).
   */
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<RpcResult<ResponseOf<C>>>;
  /** Listen to progress events; returns the function that stops listening. */
  onEvent(listener: (event: DrydockEvent) => void): () => void;
}
