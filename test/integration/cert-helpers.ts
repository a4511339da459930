/** Calling channels the way the GUI and CLI do (through dispatch and the contract's schemas). */
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import type { Engine } from '../../electron/engine/engine';

export function caller(engine: Engine, events: DrydockEvent[] = []) {
  const handlers = createHandlers(engine, 'http');
  return async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await dispatch(handlers, channel, request, { emit: (e) => events.push(e) });
    if (!result.ok) throw fromErrorPayload(result.error);
    return result.value as ResponseOf<C>;
  };
}
