/**
 * Issue 7 item 19, the wiring in electron/main.ts, with a stand-in
 * 'electron' module (the binary cannot be downloaded here): app:// is
 * registered privileged before 'ready', the window loads app://drydock/
 * (not a file), every response of the scheme handler main.ts installs
 * carries the strict CSP header, and the packaged app's menu has no DevTools.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

type Handler = (request: Request) => Response | Promise<Response>;

const electron = vi.hoisted(() => ({
  privileged: [] as unknown[],
  schemeHandlers: new Map<string, Handler>(),
  loaded: [] as string[],
  windowOptions: [] as Record<string, unknown>[],
  menu: null as unknown,
  ready: null as null | (() => void),
}));

vi.mock('electron', () => {
  const app = {
    isPackaged: true,
    setName: () => undefined,
    enableSandbox: () => undefined,
    requestSingleInstanceLock: () => true,
    getPath: () => '/nonexistent',
    on: () => app,
    quit: () => undefined,
    exit: () => undefined,
    isReady: () => true,
    whenReady: () => new Promise<void>((resolve) => (electron.ready = resolve)),
  };
  class BrowserWindow {
    webContents = { on: () => undefined, once: () => undefined, setWindowOpenHandler: () => undefined, send: () => undefined, isDestroyed: () => false };
    constructor(options: Record<string, unknown>) {
      electron.windowOptions.push(options);
    }
    static getAllWindows = () => [];
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      electron.loaded.push(url);
      return Promise.resolve();
    }
    loadFile(file: string) {
      electron.loaded.push(`file:${file}`);
      return Promise.resolve();
    }
  }
  const ses = {
    protocol: { handle: (scheme: string, fn: Handler) => electron.schemeHandlers.set(scheme, fn) },
    webRequest: { onBeforeRequest: () => undefined, onHeadersReceived: () => undefined },
    setPermissionRequestHandler: () => undefined,
    setPermissionCheckHandler: () => undefined,
    setDevicePermissionHandler: () => undefined,
  };
  return {
    app,
    BrowserWindow,
    dialog: { showErrorBox: () => undefined },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (menu: unknown) => (electron.menu = menu) },
    protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => electron.privileged.push(...schemes), handle: (scheme: string, fn: Handler) => electron.schemeHandlers.set(scheme, fn) },
    session: { defaultSession: ses },
    ipcMain: { handle: () => undefined, removeHandler: () => undefined },
  };
});

const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-main-'));
process.env.DRYDOCK_HOME = home;
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('electron/main.ts', () => {
  it('registers app:// as standard + secure before ready, then serves the window from it with the CSP header', async () => {
    await import('../../electron/main');
    expect(electron.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(electron.schemeHandlers.size).toBe(0); // handlers come once the app is ready
    electron.ready!();
    await new Promise((r) => setTimeout(r, 50));

    expect(electron.loaded).toEqual(['app://drydock/index.html']);
    const handler = electron.schemeHandlers.get('app')!;
    expect(handler).toBeDefined();
    for (const url of ['app://drydock/index.html', 'app://drydock/../electron/main.ts', 'app://drydock/missing.js']) {
      const res = await handler(new Request(url));
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, url).toContain("connect-src 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
    }
    const index = await handler(new Request('app://drydock/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<div id="root">');
    expect((await handler(new Request('app://drydock/../electron/main.ts'))).status).toBe(404);
  });

  it('gives the packaged window no DevTools, in its preferences or its menu', () => {
    expect((electron.windowOptions[0].webPreferences as Record<string, unknown>).devTools).toBe(false);
    const flat = (items: { role?: string; submenu?: unknown }[]): string[] => items.flatMap((i) => [String(i.role ?? ''), ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);
    const roles = flat((electron.menu as { template: { role?: string }[] }).template).map((r) => r.toLowerCase());
    expect(roles).not.toContain('toggledevtools');
    expect(roles).not.toContain('viewmenu');
  });
});
