/**
 * The renderer's only way to reach the engine. It does not know or care which
 * transport carries a call: inside Electron the preload bridge
 * (`window.drydock`), in browser mode HTTP to `drydock serve` with the
 * session token from the URL. Either way a call is validated against the
 * shared contract before it leaves (bad input sends nothing) and after it
 * comes back, and a failure arrives as a DrydockError with its code.
 */
import type { z } from 'zod';
import type { DrydockBridge } from '../shared/bridge';
import { channels, type Channel, type RequestOf, type ResponseOf, type RpcResult } from '../shared/contract';
import { DrydockError, ERROR_CODES, fromErrorPayload, type ErrorPayload } from '../shared/errors';
import { DrydockEventSchema, type DrydockEvent } from '../shared/events';
import { describeIssues } from '../shared/validate';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    drydock?: DrydockBridge;
  }
}

interface Transport {
  invoke(channel: Channel, request: unknown): Promise<RpcResult<unknown>>;
  subscribe(listener: (event: unknown) => void): () => void;
}

/** Called each time the event stream (re)connects: events sent meanwhile were missed, so reload what they would have told. */
const connectedListeners = new Set<() => void>();

export function onConnected(callback: () => void): () => void {
  connectedListeners.add(callback);
  return () => connectedListeners.delete(callback);
}

let transport: Transport | undefined;

function currentTransport(): Transport {
  transport ??= window.drydock ? bridgeTransport(window.drydock) : httpTransport(sessionToken());
  return transport;
}

/** Call one channel of the contract; resolves with its validated response. */
export async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const spec = channels[channel] as { request: z.ZodType; response: z.ZodType };
  const parsed = spec.request.safeParse(request);
  if (!parsed.success) {
    throw new DrydockError('INVALID_INPUT', describeIssues(parsed.error), {
      fields: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  const result = await currentTransport().invoke(channel, parsed.data);
  if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
    throw new DrydockError('INTERNAL', `The engine answered ${channel} with something that is not a result envelope.`);
  }
  if (!result.ok) throw fromErrorPayload(asErrorPayload(result.error));
  const checked = spec.response.safeParse(result.value);
  if (!checked.success) throw new DrydockError('INTERNAL', `Malformed response on ${channel}: ${describeIssues(checked.error)}`);
  return checked.data as ResponseOf<C>;
}

/**
 * Progress events from the engine (steps of a run, remote output). Events
 * that do not match the contract are dropped rather than half-shown.
 * Returns the unsubscribe function.
 */
export function onEvent(callback: (event: DrydockEvent) => void): () => void {
  return currentTransport().subscribe((raw) => {
    const parsed = DrydockEventSchema.safeParse(raw);
    if (parsed.success) callback(parsed.data);
  });
}

function asErrorPayload(error: unknown): ErrorPayload {
  const e = (error ?? {}) as Partial<ErrorPayload>;
  const code = ERROR_CODES.includes(e.code as ErrorPayload['code']) ? (e.code as ErrorPayload['code']) : 'INTERNAL';
  const message = typeof e.message === 'string' && e.message ? e.message : `The engine reported ${code} without a message.`;
  const details = e.details && typeof e.details === 'object' ? e.details : undefined;
  return { code, message, ...(details ? { details } : {}) };
}

function bridgeTransport(bridge: DrydockBridge): Transport {
  return {
    invoke: (channel, request) => bridge.invoke(channel, request as never) as Promise<RpcResult<unknown>>,
    subscribe: (listener) => bridge.onEvent(listener),
  };
}

const TOKEN_KEY = 'drydock-session-token';
let memoryToken = '';

/**
 * `drydock serve` prints the URL with `?token=`; every request must carry
 * it. Taken out of the address bar at load (history, screenshots, a shared
 * screen) and kept for this tab only (sessionStorage survives a reload, not
 * the tab), so a refresh still works.
 */
export function sessionToken(): string {
  if (window.drydock) return '';
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    if (fromUrl) {
      try {
        window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
      } catch {
        // storage refused (private mode): the token still lives in memory for this page
      }
      memoryToken = fromUrl;
    }
  }
  if (memoryToken) return memoryToken;
  try {
    memoryToken = window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    memoryToken = '';
  }
  return memoryToken;
}

/** Browser mode only: the engine refused the session (a wrong or stale token, e.g. `drydock serve` was restarted). */
export function isSessionRefused(err: unknown): boolean {
  return err instanceof DrydockError && err.details?.httpStatus === 401;
}

/** Which way this page reaches the engine, for the start-up gate. */
export function transportKind(): 'desktop' | 'browser' {
  return window.drydock ? 'desktop' : 'browser';
}

function httpTransport(token: string): Transport {
  const listeners = new Set<(event: unknown) => void>();
  let source: EventSource | undefined;

  return {
    async invoke(channel, request) {
      if (!token) {
        throw new DrydockError('INVALID_INPUT', 'This page was opened without its session token. Open the full URL that `drydock serve` printed (it ends in ?token=…).');
      }
      let response: Response;
      try {
        response = await fetch(`/rpc/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-drydock-token': token },
          body: JSON.stringify(request),
          // The server checks Origin. Under the page's `Referrer-Policy:
          // no-referrer` the Fetch spec lets a POST carry `Origin: null`
          // (Chromium sends the real one anyway); ask for it explicitly.
          referrerPolicy: 'same-origin',
          cache: 'no-store',
        });
      } catch (err) {
        throw new DrydockError('INTERNAL', `Drydock's engine is not answering (${(err as Error).message}). Is \`drydock serve\` still running?`);
      }
      if (!response.ok) {
        const text = (await response.text().catch(() => '')).trim();
        const hint = response.status === 401 ? ' The session token is wrong: open the URL that `drydock serve` printed.' : '';
        throw new DrydockError('INTERNAL', `The engine refused ${channel}: HTTP ${response.status}${text ? ` (${text})` : ''}.${hint}`, { httpStatus: response.status });
      }
      return (await response.json()) as RpcResult<unknown>;
    },

    subscribe(listener) {
      listeners.add(listener);
      if (!source && token) {
        source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
        // EventSource reconnects by itself after the server or network blinked.
        source.onopen = () => connectedListeners.forEach((l) => l());
        source.onmessage = (message) => {
          let event: unknown;
          try {
            event = JSON.parse(message.data as string);
          } catch {
            return;
          }
          for (const l of listeners) l(event);
        };
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = undefined;
        }
      };
    },
  };
}
