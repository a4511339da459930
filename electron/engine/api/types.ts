/**
 * The engine's side of the IPC contract: one handler per channel, typed from
 * shared/contract.ts. Electron's ipcMain and the browser-mode HTTP server
 * both call these through `dispatch`, so the two transports cannot disagree.
 */
import type { Channel, ParsedRequestOf, ResponseOf } from '../../../shared/contract';
import type { ProgressEvent } from '../../../shared/events';

export interface CallContext {
  /** Push progress to whoever made the call (window or browser tab). */
  emit(event: ProgressEvent): void;
  signal?: AbortSignal;
}

export type Handler<C extends Channel> = (request: ParsedRequestOf<C>, ctx: CallContext) => Promise<ResponseOf<C>>;
export type Handlers = { [C in Channel]: Handler<C> };
