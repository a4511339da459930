/**
 * One ipcMain.handle per contract channel, all through one wrapper: the
 * sender must be the top frame of a window this app created, showing the
 * app's own page. The call then takes the same path as browser mode
 * (`dispatch`), and its RpcResult envelope goes back untouched.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CHANNEL_NAMES, type RpcResult } from '../shared/contract';
import { ipcChannel, IPC_EVENT_CHANNEL } from '../shared/bridge';
import type { DrydockEvent } from '../shared/events';
import { dispatch } from './engine/api/dispatch';
import type { Handlers } from './engine/api/types';
import { isTrustedSender } from './window-options';

/** WebContents of the windows main.ts created; nothing else may call in. */
const trustedContents = new Set<WebContents>();

export function trustSender(contents: WebContents): void {
  trustedContents.add(contents);
  contents.once('destroyed', () => trustedContents.delete(contents));
}

/** An engine event to every window (a reloaded one included: its WebContents stays). */
function sendToWindows(event: DrydockEvent): void {
  for (const contents of trustedContents) if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
}

function checkSender(event: IpcMainInvokeEvent, channel: string, appUrl: string): void {
  const frame = event.senderFrame;
  const trusted =
    frame !== null &&
    isTrustedSender(
      { url: frame.url, isMainFrame: frame.parent === null, isOurWindow: trustedContents.has(event.sender) },
      appUrl,
    );
  if (!trusted) {
    console.error(`Drydock: refused ${channel} from an untrusted sender (${frame?.url ?? 'no frame'})`);
    throw new Error('Refused: IPC from a page that is not Drydock');
  }
}

/**
 * Registers every channel; returns the function that removes them again.
 * With the engine's event stream, every run's progress goes to every window;
 * without it, a call's progress goes to the window that made it.
 */
export function registerIpc(handlers: Handlers, appUrl: string, events?: { subscribe(listener: (event: DrydockEvent) => void): () => void }): () => void {
  const names = CHANNEL_NAMES.map(ipcChannel);
  const unsubscribe = events?.subscribe(sendToWindows);
  CHANNEL_NAMES.forEach((channel, i) => {
    ipcMain.handle(names[i], async (event, payload: unknown): Promise<RpcResult<unknown>> => {
      checkSender(event, channel, appUrl);
      const sender = event.sender;
      const emit = (progress: DrydockEvent) => {
        if (!events && !sender.isDestroyed()) sender.send(IPC_EVENT_CHANNEL, progress);
      };
      return dispatch(handlers, channel, payload, { emit });
    });
  });
  return () => {
    unsubscribe?.();
    names.forEach((name) => ipcMain.removeHandler(name));
  };
}
