/**
 * Opens the management console in its own window (main process only), with
 * the policy of console-window-options.ts: a certificate is accepted only
 * when it is the one pinned over SSH; never "ignore certificate errors".
 */
import { BrowserWindow, session, type WebContents } from 'electron';
import type { TunnelStateView } from '../shared/channels/console';
import { consoleCertificateVerdict, isTunnelledUrl, type PinnedOrigin } from '../shared/console/pin';
import { consolePartition, consoleWindowOptions, isConsoleRequest } from './console-window-options';

const consoleContents = new WeakMap<WebContents, PinnedOrigin[]>();
let consoleWindow: BrowserWindow | null = null;

/** For main.ts's navigation guard: may this console window go to url? */
export function consoleMayNavigate(contents: WebContents, url: string): boolean {
  const pins = consoleContents.get(contents);
  return !!pins && isTunnelledUrl(url, pins);
}

export function openConsoleWindow(tunnel: TunnelStateView): void {
  const url = new URL(tunnel.url);
  const pins: PinnedOrigin[] = [{ host: url.hostname, port: Number(url.port), sha256: tunnel.fingerprint }];
  if (consoleWindow && !consoleWindow.isDestroyed()) {
    consoleWindow.focus();
    return;
  }
  const partition = consolePartition(tunnel.localPort);
  const ses = session.fromPartition(partition);
  ses.setCertificateVerifyProc((request, callback) => callback(consoleCertificateVerdict({ hostname: request.hostname, fingerprint: request.certificate.fingerprint }, pins)));
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isConsoleRequest(details.url, pins) }));
  ses.setPermissionRequestHandler((_c, _p, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  const win = new BrowserWindow(consoleWindowOptions(partition));
  consoleContents.set(win.webContents, pins);
  win.on('closed', () => {
    if (consoleWindow === win) consoleWindow = null;
  });
  consoleWindow = win;
  void win.loadURL(`${tunnel.url}settings`);
}

export function closeConsoleWindow(): void {
  if (consoleWindow && !consoleWindow.isDestroyed()) consoleWindow.close();
  consoleWindow = null;
}
