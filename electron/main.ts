/**
 * The Electron main process: one instance, one window, one engine.
 *
 * The window shows only dist/renderer/index.html, served through the
 * app:// scheme (app-protocol.ts) with the strict CSP as a response header,
 * and reaches the engine only through the contract's IPC channels
 * (electron/ipc.ts). It loads no remote content and no file:// URL, opens no
 * other windows, attaches no webviews, gets no permissions, has no DevTools
 * when packaged, and nothing updates itself.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, protocol, session, type WebContents } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, rendererResponse } from './app-protocol';
import { createEngine, createHandlers } from './engine';
import { closeConsoleWindow, consoleMayNavigate, openConsoleWindow } from './console-window';
import { registerIpc, trustSender } from './ipc';
import {
  appPaths,
  isAllowedNavigation,
  isAllowedRequest,
  menuTemplate,
  permissionDecision,
  windowOptions,
} from './window-options';

// Before anything reads a path: userData is derived from the name.
app.setName('Drydock');
app.enableSandbox();
// Must happen before 'ready': app:// gets a real origin and a secure context.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const paths = appPaths(__dirname);
let mainWindow: BrowserWindow | null = null;

function hardenSession(): void {
  const ses = session.defaultSession;
  // Every renderer response comes from here, with the CSP header on it.
  ses.protocol.handle(APP_SCHEME, (request) => {
    const answer = rendererResponse(paths.rendererDir, { url: request.url, method: request.method });
    return new Response(answer.body.length ? new Uint8Array(Buffer.from(answer.body)) : null, { status: answer.status, headers: answer.headers });
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAllowedRequest(details.url);
    if (cancel) console.warn(`Drydock: blocked a request to ${details.url}`);
    callback({ cancel });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(permissionDecision()));
  ses.setPermissionCheckHandler(() => permissionDecision());
  ses.setDevicePermissionHandler(() => permissionDecision());
}

/** Applied to every WebContents, ours or not: no navigation, popups or webviews. */
function hardenContents(contents: WebContents): void {
  const stayHome = (event: Electron.Event, url: string) => {
    if (!isAllowedNavigation(url, paths.indexUrl) && !consoleMayNavigate(contents, url)) {
      event.preventDefault();
      console.warn(`Drydock: blocked navigation to ${url}`);
    }
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(paths.preload, app.isPackaged));
  trustSender(win.webContents);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  mainWindow = win;
  void win.loadURL(paths.indexUrl);
}

function start(): void {
  const home = process.env.DRYDOCK_HOME ? path.resolve(process.env.DRYDOCK_HOME) : app.getPath('userData');
  // The window asks for secrets in its own dialog; DRYDOCK_* variables are for the CLI.
  const engine = createEngine({ home, defaultSecrets: {} });
  const handlers = createHandlers(engine);
  // The console opens in its own window here; in browser mode the page links to the tunnel instead.
  const openTunnel = handlers['console:open'];
  const closeTunnel = handlers['console:close'];
  handlers['console:open'] = async (request, ctx) => {
    const tunnel = await openTunnel(request, ctx);
    openConsoleWindow(tunnel);
    return tunnel;
  };
  handlers['console:close'] = async (request, ctx) => {
    closeConsoleWindow();
    return closeTunnel(request, ctx);
  };
  registerIpc(handlers, paths.indexUrl, engine.events);
  hardenSession();
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, app.isPackaged)));
  createWindow();

  // Close SSH sessions and flush the audit log before the process goes.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    engine
      .close()
      .catch((err: unknown) => console.error('Drydock: engine did not close cleanly:', err))
      .finally(() => app.quit());
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.whenReady().then(start).catch((err: unknown) => {
    // E.g. DRYDOCK_HOME unwritable: say so in a window, not only on a console nobody sees.
    console.error('Drydock failed to start:', err);
    dialog.showErrorBox('Drydock could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
