/**
 * The only door between the sandboxed renderer and the main process.
 *
 * Bundled by esbuild into dist/electron/preload.js (a sandboxed preload can
 * require 'electron' and nothing local). It exposes `window.drydock` and
 * nothing else: never ipcRenderer, never a channel outside the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { z } from 'zod';
import { channels, isChannel, type RpcResult } from '../shared/contract';
import { DrydockEventSchema, type DrydockEvent } from '../shared/events';
import { describeIssues } from '../shared/validate';
import { IPC_CHANNEL_PREFIX, IPC_EVENT_CHANNEL, type DrydockBridge } from '../shared/bridge';

// The page's CSP forbids eval; keep zod from trying its compiled fast path.
z.config({ jitless: true });

async function invoke(channel: string, request: unknown): Promise<RpcResult<unknown>> {
  if (typeof channel !== 'string' || !isChannel(channel)) {
    return { ok: false, error: { code: 'NOT_FOUND', message: `No such channel: ${String(channel)}` } };
  }
  const payload = request ?? {};
  const parsed = channels[channel].request.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: describeIssues(parsed.error),
        details: { fields: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      },
    };
  }
  // The request as given (dispatch parses it again, so schemas that
  // transform or default see their input, not their own output).
  return ipcRenderer.invoke(IPC_CHANNEL_PREFIX + channel, payload) as Promise<RpcResult<unknown>>;
}

function onEvent(listener: (event: DrydockEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
  const relay = (_event: IpcRendererEvent, payload: unknown) => {
    const parsed = DrydockEventSchema.safeParse(payload);
    if (parsed.success) listener(parsed.data);
    else console.warn(`Drydock: dropped a malformed event: ${describeIssues(parsed.error)}`);
  };
  ipcRenderer.on(IPC_EVENT_CHANNEL, relay);
  return () => {
    ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay);
  };
}

const bridge: DrydockBridge = { invoke, onEvent } as DrydockBridge;
contextBridge.exposeInMainWorld('drydock', bridge);
