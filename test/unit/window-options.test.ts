/**
 * The window's security policy, pinned value by value: a change here should
 * be a deliberate decision, seen in review, not a side effect.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appPaths,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  menuTemplate,
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
      devTools: false,
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
    // A development build (not packaged) keeps DevTools.
    expect(webPreferences('/x/preload.js', false).devTools).toBe(true);
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

  it('is exactly the strict policy for an app:// renderer that talks only over IPC', () => {
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
    expect(appUrl).toBe('app://drydock/index.html');
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
    `file://${paths.index}`,
    'app://drydock/other.html',
    'app://evil/index.html',
    'app://drydock:1/index.html',
    'app://x@drydock/index.html',
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
    expect(isTrustedSender({ ...ours, url: `file://${paths.index}` }, appUrl)).toBe(false);
  });
});

describe('isAllowedRequest', () => {
  it('allows the app:// scheme and data: only', () => {
    expect(isAllowedRequest(appUrl)).toBe(true);
    expect(isAllowedRequest('app://drydock/assets/index-abc.js')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
  });

  it.each([
    'https://example.com/x.js',
    'http://localhost/',
    'ws://127.0.0.1:1/',
    'file:///etc/passwd',
    `file://${paths.index}`,
    `file://${path.join(electronDir, 'main.js')}`,
    'app://elsewhere/x.js',
    'app://drydock:8080/x.js',
  ])('refuses %s', (url) => {
    expect(isAllowedRequest(url)).toBe(false);
  });
});

describe('menuTemplate (issue 7 item 19)', () => {
  const roles = (items: ReturnType<typeof menuTemplate>): string[] =>
    items.flatMap((i) => [String(i.role ?? i.label ?? ''), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);

  it.each(['linux', 'darwin', 'win32'] as const)('has no DevTools and no reload in the packaged app on %s', (platform) => {
    const all = roles(menuTemplate(platform, true)).map((r) => r.toLowerCase());
    expect(all).not.toContain('toggledevtools');
    expect(all).not.toContain('viewmenu');
    expect(all.filter((r) => r.includes('reload'))).toEqual([]);
    expect(all).toContain('editmenu');
  });

  it("keeps Electron's View menu (with DevTools) in a development build", () => {
    expect(roles(menuTemplate('linux', false))).toContain('viewMenu');
  });
});

describe('permissionDecision', () => {
  it('denies', () => {
    expect(permissionDecision()).toBe(false);
  });
});
