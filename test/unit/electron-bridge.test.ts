/**
 * Both ends of the Electron transport, with a stand-in 'electron' module (the
 * binary is not installed here): the main side answers only trusted senders
 * and only contract channels; the preload exposes exactly `invoke` and
 * `onEvent`, refuses anything outside the contract and filters bad events.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES } from '../../shared/contract';
import type { Handlers } from '../../electron/engine/api/types';

const electron = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>(),
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, Set<(event: unknown, payload: unknown) => void>>(),
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: [] }) as unknown),
}));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) => {
      if (electron.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      electron.handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => electron.handlers.delete(channel),
  },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api) },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, fn: (event: unknown, payload: unknown) => void) => {
      if (!electron.listeners.has(channel)) electron.listeners.set(channel, new Set());
      electron.listeners.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (event: unknown, payload: unknown) => void) => electron.listeners.get(channel)?.delete(fn),
  },
}));

const { registerIpc, trustSender } = await import('../../electron/ipc');
await import('../../electron/preload');

const APP_URL = 'app://drydock/index.html';
const step = { type: 'step', runId: 'r1', operation: 'health', step: 'uptime', title: 'Uptime', status: 'running' } as const;

function fakeHandlers(): Handlers {
  const all = Object.fromEntries(CHANNEL_NAMES.map((c) => [c, async () => ({})]));
  return {
    ...all,
    'app:info': async () => ({ version: '0.1.0', home: '/tmp/h', transport: 'electron' as const }),
    'runs:list': async (_req: unknown, ctx: { emit(e: unknown): void }) => {
      ctx.emit(step);
      return [];
    },
  } as unknown as Handlers;
}

function sender() {
  return { send: vi.fn(), isDestroyed: () => false, once: vi.fn() };
}
function event(contents: ReturnType<typeof sender>, frame: { url: string; parent: unknown } | null = { url: APP_URL, parent: null }) {
  return { sender: contents, senderFrame: frame };
}

describe('main side (electron/ipc.ts)', () => {
  let dispose: () => void;
  beforeEach(() => {
    dispose?.();
    dispose = registerIpc(fakeHandlers(), APP_URL);
  });

  it('registers one handler per contract channel, prefixed, and nothing else', () => {
    expect([...electron.handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => `drydock:${c}`).sort());
  });

  it('answers a trusted window with the RpcResult envelope as is', async () => {
    const contents = sender();
    trustSender(contents as never);
    const call = electron.handlers.get('drydock:app:info')!;
    await expect(call(event(contents), {})).resolves.toEqual({ ok: true, value: { version: '0.1.0', home: '/tmp/h', transport: 'electron' } });
    await expect(call(event(contents), { extra: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('sends progress events to the caller as drydock:event', async () => {
    const contents = sender();
    trustSender(contents as never);
    await electron.handlers.get('drydock:runs:list')!(event(contents), {});
    expect(contents.send).toHaveBeenCalledWith('drydock:event', step);
  });

  it("with the engine's event stream, sends every run's events to every window, not only the caller", async () => {
    dispose();
    const listeners = new Set<(e: unknown) => void>();
    dispose = registerIpc(fakeHandlers(), APP_URL, { subscribe: (l) => (listeners.add(l as never), () => listeners.delete(l as never)) });
    const caller = sender();
    const other = sender();
    trustSender(caller as never);
    trustSender(other as never);
    await electron.handlers.get('drydock:runs:list')!(event(caller), {});
    // The call's own emit is not doubled: progress comes through the stream.
    expect(caller.send).not.toHaveBeenCalled();
    for (const l of listeners) l(step);
    expect(caller.send).toHaveBeenCalledWith('drydock:event', step);
    expect(other.send).toHaveBeenCalledWith('drydock:event', step);
    dispose();
    expect(listeners.size).toBe(0);
    dispose = registerIpc(fakeHandlers(), APP_URL);
  });

  it('refuses windows it did not create, subframes, other pages and frameless calls', async () => {
    const call = electron.handlers.get('drydock:app:info')!;
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const stranger = sender();
    await expect(call(event(stranger), {})).rejects.toThrow(/Refused/);
    const ours = sender();
    trustSender(ours as never);
    await expect(call(event(ours, { url: APP_URL, parent: {} }), {})).rejects.toThrow(/Refused/);
    await expect(call(event(ours, { url: 'https://example.com/', parent: null }), {})).rejects.toThrow(/Refused/);
    await expect(call(event(ours, null), {})).rejects.toThrow(/Refused/);
    expect(log).toHaveBeenCalledTimes(4);
    log.mockRestore();
  });

  it('can remove every handler again', () => {
    dispose();
    expect(electron.handlers.size).toBe(0);
    dispose = registerIpc(fakeHandlers(), APP_URL);
  });
});

describe('preload (electron/preload.ts)', () => {
  const bridge = electron.exposed.get('drydock') as {
    invoke(channel: string, request: unknown): Promise<unknown>;
    onEvent(cb: (e: unknown) => void): () => void;
  };
  beforeEach(() => electron.invoke.mockClear());

  it('exposes window.drydock with exactly invoke and onEvent', () => {
    expect([...electron.exposed.keys()]).toEqual(['drydock']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onEvent']);
  });

  it('sends a valid request on the prefixed channel', async () => {
    await expect(bridge.invoke('hosts:list', {})).resolves.toEqual({ ok: true, value: [] });
    expect(electron.invoke).toHaveBeenCalledWith('drydock:hosts:list', {});
  });

  it('refuses channels outside the contract without sending anything', async () => {
    for (const channel of ['shell:exec', 'event', '__proto__', 'hasOwnProperty']) {
      await expect(bridge.invoke(channel, {})).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('refuses a request that fails the contract, naming the fields, without sending it', async () => {
    const result = (await bridge.invoke('audit:tail', { limit: '10; rm -rf /' })) as { ok: false; error: { code: string; details: { fields: { path: string[] }[] } } };
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(result.error.details.fields.map((f) => f.path.join('.'))).toEqual(['limit']);
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('passes on valid events only, and stops when asked', () => {
    const seen: unknown[] = [];
    const stop = bridge.onEvent((e) => seen.push(e));
    const deliver = (payload: unknown) => electron.listeners.get('drydock:event')!.forEach((fn) => fn({}, payload));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    deliver(step);
    deliver({ type: 'step', runId: 'r1' });
    deliver({ type: 'exec', command: 'rm -rf /' });
    expect(seen).toEqual([step]);
    expect(warn).toHaveBeenCalledTimes(2);
    stop();
    deliver(step);
    expect(seen).toHaveLength(1);
    expect(electron.listeners.get('drydock:event')!.size).toBe(0);
    warn.mockRestore();
  });
});
