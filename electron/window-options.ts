/**
 * The window's security policy as plain data and pure functions, so a unit
 * test can pin every value without starting Electron. main.ts applies it;
 * nothing here imports 'electron' at run time.
 */
import path from 'node:path';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, WebPreferences } from 'electron';
import { APP_HOST, APP_INDEX_URL, APP_SCHEME } from './app-protocol';

export { RENDERER_CSP } from './app-protocol';

/** What every Drydock window's page gets: no Node, a sandbox, an isolated world, no webviews. */
export const ISOLATED = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

/**
 * Renderer privileges: none beyond the preload bridge. The renderer gets no
 * Node, runs sandboxed in an isolated world and cannot host webviews. The
 * packaged app has no DevTools at all (menu, shortcut or API); a development
 * build keeps them.
 */
export function webPreferences(preloadPath: string, packaged = true): WebPreferences {
  return {
    preload: preloadPath,
    devTools: !packaged,
    ...ISOLATED,
    spellcheck: false,
  };
}

/** The main window: hidden until the first paint so it never flashes white. */
export function windowOptions(preloadPath: string, packaged = true): BrowserWindowConstructorOptions {
  return {
    title: 'Drydock',
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1b2d',
    autoHideMenuBar: true,
    webPreferences: webPreferences(preloadPath, packaged),
  };
}

/** Where the built files sit relative to dist/electron/main.js. */
export interface AppPaths {
  preload: string;
  index: string;
  rendererDir: string;
  /** app:// URL of the renderer's index.html (app-protocol.ts), the only page the app shows. */
  indexUrl: string;
}

export function appPaths(electronDir: string): AppPaths {
  const rendererDir = path.resolve(electronDir, '..', 'renderer');
  const index = path.join(rendererDir, 'index.html');
  return { preload: path.join(electronDir, 'preload.js'), index, rendererDir, indexUrl: APP_INDEX_URL };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True only for the app's own index.html (any #fragment, no query). Used for
 * both navigation and IPC senders: a page that is not ours gets neither.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  const candidate = parse(url);
  const app = parse(appUrl);
  if (!candidate || !app || candidate.protocol !== `${APP_SCHEME}:` || app.protocol !== `${APP_SCHEME}:`) return false;
  return candidate.host === app.host && candidate.pathname === app.pathname && candidate.search === '' && candidate.username === '' && candidate.port === '';
}

/** `will-navigate` / `will-redirect`: the app never leaves its own page. */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  return isAppUrl(url, appUrl);
}

/**
 * IPC is answered only for the top frame of a window this app created, and
 * only while that frame shows the app's own page.
 */
export function isTrustedSender(sender: { url: string; isMainFrame: boolean; isOurWindow: boolean }, appUrl: string): boolean {
  return sender.isOurWindow && sender.isMainFrame && isAppUrl(sender.url, appUrl);
}

/**
 * Requests the renderer may make at all: its own files (app://drydock/…,
 * answered from the renderer folder only, app-protocol.ts) and data: images;
 * devtools: only where DevTools exist (a development build). Everything
 * else, remote or local, file:// included, is cancelled.
 */
export function isAllowedRequest(url: string): boolean {
  const candidate = parse(url);
  if (!candidate) return false;
  if (candidate.protocol === 'data:' || candidate.protocol === 'devtools:') return true;
  return candidate.protocol === `${APP_SCHEME}:` && candidate.host === APP_HOST && candidate.username === '' && candidate.port === '';
}

/**
 * The application menu. The packaged app's has no DevTools and no reload
 * (a reload would drop a running operation's view); a development build
 * keeps Electron's View menu.
 */
export function menuTemplate(platform: NodeJS.Platform, packaged: boolean): MenuItemConstructorOptions[] {
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  const window: MenuItemConstructorOptions = { role: 'windowMenu' };
  const view: MenuItemConstructorOptions = packaged
    ? { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] }
    : { role: 'viewMenu' };
  return [...(platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : [{ role: 'fileMenu' } as MenuItemConstructorOptions]), edit, view, window];
}

/** Camera, microphone, notifications, geolocation, HID, serial…: never. */
export function permissionDecision(): false {
  return false;
}
