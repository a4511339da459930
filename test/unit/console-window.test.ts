/**
 * The console window's policy (Electron cannot run here, so the options and
 * decisions main.ts applies are pinned as data): own in-memory partition,
 * no preload, no Node, sandboxed; requests only to the tunnelled origin.
 */
import { describe, expect, it } from 'vitest';
import { consolePartition, consoleWindowOptions, isConsoleRequest } from '../../electron/console-window-options';

describe('console window', () => {
  it('has its own in-memory session, no preload and no Node', () => {
    const partition = consolePartition(41800);
    expect(partition).not.toMatch(/^persist:/);
    const prefs = consoleWindowOptions(partition).webPreferences!;
    expect(prefs.partition).toBe(partition);
    expect(prefs.preload).toBeUndefined();
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, webviewTag: false, webSecurity: true, allowRunningInsecureContent: false });
  });

  it('lets the console load only from the tunnel', () => {
    const pins = [{ host: '127.0.0.1', port: 41800, sha256: 'AA'.repeat(32) }];
    expect(isConsoleRequest('https://127.0.0.1:41800/assets/app.js', pins)).toBe(true);
    expect(isConsoleRequest('https://cdn.example.com/app.js', pins)).toBe(false);
    expect(isConsoleRequest('http://127.0.0.1:41800/', pins)).toBe(false);
  });
});
