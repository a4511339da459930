/**
 * The packaged app never reaches for the internet by itself (README "Air
 * gap"): electron-builder publishes nowhere (so no update feed is baked in),
 * the main process uses neither autoUpdater nor crashReporter nor Electron's
 * own network stack, no update/crash/telemetry package ships, and the window
 * loads nothing but its own files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../electron/window-options';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

function sources(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, entry);
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sources(rel, ext));
    else if (ext.test(entry)) out.push(rel);
  }
  return out;
}

/** Code without comments, so a comment explaining what is absent does not count as using it. */
function code(file: string): string {
  return read(file).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('the packaged app and the air gap', () => {
  it('electron-builder publishes nowhere: publish is null at the top and set nowhere else', () => {
    const yml = read('electron-builder.yml');
    const publish = yml.split('\n').filter((line) => /^\s*publish\s*:/.test(line));
    expect(publish).toEqual(['publish: null']);
    // No update feed or provider configured under any platform either.
    expect(yml).not.toMatch(/^\s*(provider|releaseType|updaterCacheDirName)\s*:/m);
  });

  it('the main process has no autoUpdater, no crash reporter and no network of its own', () => {
    const main = sources('electron', /\.ts$/).filter((f) => !f.startsWith(path.join('electron', 'engine')));
    expect(main).toContain(path.join('electron', 'main.ts'));
    for (const file of main) {
      const text = code(file);
      expect(text, file).not.toMatch(/\bautoUpdater\b|\bcrashReporter\b|electron-updater|update-electron-app/);
      // Electron's own HTTP client (net.request / net.fetch) would bypass the engine's SSH-only paths.
      expect(text, file).not.toMatch(/\bimport\s*\{[^}]*\bnet\b[^}]*\}\s*from\s*'electron'/);
    }
  });

  it('no update, crash-reporting or telemetry package is a dependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const suspicious = Object.keys(pkg.dependencies).filter((name) =>
      /updater|update-electron|sentry|bugsnag|crash|telemetry|analytics|rollbar|raygun|mixpanel|segment|amplitude|posthog/i.test(name),
    );
    expect(suspicious).toEqual([]);
  });

  it('the window loads only its own files: CSP allows no remote origin, the page links nothing remote', () => {
    for (const directive of RENDERER_CSP.split(';')) expect(directive, directive).not.toMatch(/https?:|\*|wss?:/);
    const html = read('renderer/index.html');
    expect(html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//);
    for (const css of sources('renderer', /\.css$/)) expect(read(css), css).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
  });
});
