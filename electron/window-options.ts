/**
 * The window's security policy as plain data and pure functions, so a unit
 * test can pin every value without starting Electron. main.ts applies it;
 * nothing here imports 'electron' at run time.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * Content-Security-Policy for the file:// renderer. In Electron the renderer
 * talks to the engine only over IPC, so it needs no network at all:
 * `connect-src 'none'` (browser mode, served over HTTP, has its own policy
 * with `connect-src 'self'` in electron/serve.ts).
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Renderer privileges: none beyond the preload bridge. The renderer gets no
 * Node, runs sandboxed in an isolated world and cannot host webviews.
 */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

/** The main window: hidden until the first paint so it never flashes white. */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Drydock',
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1b2d',
    autoHideMenuBar: true,
    webPreferences: webPreferences(preloadPath),
  };
}

/** Where the built files sit relative to dist/electron/main.js. */
export interface AppPaths {
  preload: string;
  index: string;
  rendererDir: string;
  /** file:// URL of the renderer's index.html, the only page the app shows. */
  indexUrl: string;
}

export function appPaths(electronDir: string): AppPaths {
  const rendererDir = path.resolve(electronDir, '..', 'renderer');
  const index = path.join(rendererDir, 'index.html');
  return { preload: path.join(electronDir, 'preload.js'), index, rendererDir, indexUrl: pathToFileURL(index).href };
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
  if (!candidate || !app || candidate.protocol !== 'file:' || app.protocol !== 'file:') return false;
  return candidate.host === app.host && candidate.pathname === app.pathname && candidate.search === '';
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
 * Requests the renderer may make at all: its own files (file:// inside the
 * renderer folder, which CSP 'self' alone does not confine) and data: images.
 * Everything else, remote or local, is cancelled.
 */
export function isAllowedRequest(url: string, rendererDir: string): boolean {
  const candidate = parse(url);
  if (!candidate) return false;
  if (candidate.protocol === 'data:' || candidate.protocol === 'devtools:') return true;
  if (candidate.protocol !== 'file:') return false;
  let file: string;
  try {
    file = path.resolve(fileURLToPath(candidate));
  } catch {
    return false;
  }
  const root = path.resolve(rendererDir);
  return file === root || file.startsWith(root + path.sep);
}

/** Camera, microphone, notifications, geolocation, HID, serial…: never. */
export function permissionDecision(): false {
  return false;
}
