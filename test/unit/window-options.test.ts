/**
 * The window's security policy, pinned value by value: a change here should
 * be a deliberate decision, seen in review, not a side effect.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  appPaths,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  permissionDecision,
  RENDERER_CSP,
  webPreferences,
  windowOptions,
} from '../../electron/window-options';

const electronDir = path.resolve('/opt/Drydock/resources/app.asar/dist/electron');
const paths = appPaths(electronDir);
const appUrl = paths.indexUrl;

describe('webPreferences', () => {
  const prefs = windowOptions(paths.preload).webPreferences!;

  it('sets every security-relevant preference explicitly', () => {
    expect(prefs).toEqual({
      preload: path.join(electronDir, 'preload.js'),
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
    });
    expect(webPreferences('/x/preload.js').preload).toBe('/x/preload.js');
  });

  it('shows the window only once painted', () => {
    expect(windowOptions(paths.preload).show).toBe(false);
  });
});

describe('RENDERER_CSP', () => {
  const directives = Object.fromEntries(
    RENDERER_CSP.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );

  it('is exactly the strict policy for a file:// renderer that talks only over IPC', () => {
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('never allows inline code, eval or remote origins', () => {
    expect(RENDERER_CSP).not.toMatch(/unsafe-|https?:|\*|blob:/);
  });
});

describe('appPaths', () => {
  it('finds the preload beside main.js and the renderer in dist/renderer', () => {
    expect(paths.preload).toBe(path.join(electronDir, 'preload.js'));
    expect(paths.index).toBe(path.resolve(electronDir, '../renderer/index.html'));
    expect(appUrl).toBe(pathToFileURL(paths.index).href);
  });
});

describe('isAllowedNavigation', () => {
  it('allows only the app page itself', () => {
    expect(isAllowedNavigation(appUrl, appUrl)).toBe(true);
    expect(isAllowedNavigation(`${appUrl}#/hosts`, appUrl)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    pathToFileURL(path.join(paths.rendererDir, 'other.html')).href,
    `${appUrl}?evil=1`,
    'javascript:alert(1)',
    'data:text/html,<h1>x</h1>',
    'about:blank',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url, appUrl)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const ours = { url: appUrl, isMainFrame: true, isOurWindow: true };
  it('trusts the top frame of our window on our page', () => {
    expect(isTrustedSender(ours, appUrl)).toBe(true);
  });
  it('refuses other windows, subframes and other pages', () => {
    expect(isTrustedSender({ ...ours, isOurWindow: false }, appUrl)).toBe(false);
    expect(isTrustedSender({ ...ours, isMainFrame: false }, appUrl)).toBe(false);
    expect(isTrustedSender({ ...ours, url: 'https://example.com/' }, appUrl)).toBe(false);
    expect(isTrustedSender({ ...ours, url: 'file:///tmp/index.html' }, appUrl)).toBe(false);
  });
});

describe('isAllowedRequest', () => {
  it('allows the renderer folder and data: only', () => {
    expect(isAllowedRequest(appUrl, paths.rendererDir)).toBe(true);
    expect(isAllowedRequest(pathToFileURL(path.join(paths.rendererDir, 'assets/index-abc.js')).href, paths.rendererDir)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA', paths.rendererDir)).toBe(true);
  });

  it.each([
    'https://example.com/x.js',
    'http://localhost/',
    'ws://127.0.0.1:1/',
    'file:///etc/passwd',
    pathToFileURL(path.join(electronDir, 'main.js')).href,
    pathToFileURL(`${paths.rendererDir}-evil/x.js`).href,
    `file://${paths.rendererDir}/../electron/main.js`,
  ])('refuses %s', (url) => {
    expect(isAllowedRequest(url, paths.rendererDir)).toBe(false);
  });
});

describe('permissionDecision', () => {
  it('denies', () => {
    expect(permissionDecision()).toBe(false);
  });
});
