/**
 * The management console's own window, as plain data and pure functions (a
 * unit test pins them; the Electron binary cannot run in CI). The console is
 * a remote page: it gets its own in-memory session partition (no cookies or
 * cache shared with Drydock's window), no preload, no Node, a sandbox, and
 * may only stay on the tunnel's https origin, whose certificate must be the
 * pinned one (shared/console/pin.ts decides).
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { isTunnelledUrl, type PinnedOrigin } from '../shared/console/pin';
import { ISOLATED } from './window-options';

/** In-memory (no "persist:" prefix): nothing of the console's session outlives the window. */
export function consolePartition(port: number): string {
  return `drydock-console-${port}`;
}

export function consoleWindowOptions(partition: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 860,
    show: true,
    title: 'Replicated management console (through Drydock’s SSH tunnel)',
    autoHideMenuBar: true,
    webPreferences: {
      partition,
      // No preload: the console never sees Drydock's bridge.
      ...ISOLATED,
    },
  };
}

/** Requests of the console window: its own tunnelled origin only (and devtools-free blob/data of that page). */
export function isConsoleRequest(url: string, pins: PinnedOrigin[]): boolean {
  return isTunnelledUrl(url, pins) || /^(data|blob):/i.test(url);
}
