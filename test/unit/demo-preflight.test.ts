import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary } from '../../demo/gui';
import { DEMO_PACKAGES, DemoExit, missingPackagesMessage, requireRoot, resolveUser } from '../../demo/preflight';

describe('demo preflight', () => {
  it('lists the missing Debian packages and the one apt-get line that installs them', () => {
    const message = missingPackagesMessage((p) => p !== 'pebble' && p !== 'jq');
    expect(message).toBe(
      'drydock demo: these Debian packages are missing: jq pebble\nInstall them with:\n  sudo apt-get install -y --no-install-recommends jq pebble',
    );
    expect(missingPackagesMessage(() => true)).toBeNull();
    expect(DEMO_PACKAGES).toEqual(expect.arrayContaining(['openssh-server', 'pebble', 'certbot', 'sudo', 'util-linux']));
  });

  it('needs root, and says why in one line', () => {
    expect(() => requireRoot(1000)).toThrow(DemoExit);
    try {
      requireRoot(1000);
    } catch (err) {
      expect((err as DemoExit).exitCode).toBe(2);
      expect((err as Error).message).not.toContain('\n');
      expect((err as Error).message).toMatch(/sudo.*namespaces.*overlay/);
    }
    expect(() => requireRoot(0)).not.toThrow();
  });

  it('opens the Electron window only where the electron package downloaded its binary', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'drydock-electron-'));
    try {
      const pkg = path.join(root, 'node_modules', 'electron');
      mkdirSync(path.join(pkg, 'dist'), { recursive: true });
      expect(electronBinary(root)).toBeNull(); // npm ci with allowScripts electron:false: no path.txt
      writeFileSync(path.join(pkg, 'path.txt'), 'electron');
      expect(electronBinary(root)).toBeNull(); // named but not there
      writeFileSync(path.join(pkg, 'dist', 'electron'), '');
      expect(electronBinary(root)).toBe(path.join(pkg, 'dist', 'electron'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs the app as the user who ran sudo or --user, never as root', () => {
    expect(resolveUser(undefined, { SUDO_USER: 'nobody' }).name).toBe('nobody');
    expect(resolveUser('nobody', {}).uid).toBe(65534);
    expect(() => resolveUser(undefined, {})).toThrow(/--user NAME/);
    expect(() => resolveUser('root', {})).toThrow(/not run as root/);
    expect(() => resolveUser('no-such-account-here', {})).toThrow(/no account named/);
  });
});
