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
const trustedContents = new WeakSet<WebContents>();

export function trustSender(contents: WebContents): void {
  trustedContents.add(contents);
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

/** Registers every channel; returns the function that removes them again. */
export function registerIpc(handlers: Handlers, appUrl: string): () => void {
  const names = CHANNEL_NAMES.map(ipcChannel);
  CHANNEL_NAMES.forEach((channel, i) => {
    ipcMain.handle(names[i], async (event, payload: unknown): Promise<RpcResult<unknown>> => {
      checkSender(event, channel, appUrl);
      const sender = event.sender;
      const emit = (progress: DrydockEvent) => {
        if (!sender.isDestroyed()) sender.send(IPC_EVENT_CHANNEL, progress);
      };
      return dispatch(handlers, channel, payload, { emit });
    });
  });
  return () => names.forEach((name) => ipcMain.removeHandler(name));
}
