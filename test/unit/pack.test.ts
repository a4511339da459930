/**
 * Packaging, offline: scripts/check-pack.mjs packs a stand-in project (the
 * real package.json and node_modules, a small fake dist/ littered with things
 * that must not ship) and inspects app.asar.
 *
 * - With the real electron-builder.yml the litter is filtered out and the
 *   check passes: the allow-list works.
 * - With a careless config that ships everything, the check fails and names
 *   each offending path: the check itself bites.
 *
 * node_modules is hard-linked (cp -al; a full copy across filesystems): a
 * symlink would not do, since electron-builder asks npm for the dependency tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
let project: string;

function put(file: string, text: string) {
  const full = path.join(project, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
}

function checkPack(): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts/check-pack.mjs'), '--project', project], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'drydock-pack-test-'));
  copyFileSync(path.join(root, 'package.json'), path.join(project, 'package.json'));
  copyFileSync(path.join(root, 'electron-builder.yml'), path.join(project, 'electron-builder.yml'));
  mkdirSync(path.join(project, 'resources'));
  copyFileSync(path.join(root, 'resources/icon.png'), path.join(project, 'resources/icon.png'));
  const modules = [path.join(root, 'node_modules'), path.join(project, 'node_modules')];
  try {
    execFileSync('cp', ['-al', ...modules], { stdio: 'ignore' }); // hard links: instant
  } catch {
    rmSync(modules[1], { recursive: true, force: true });
    execFileSync('cp', ['-a', ...modules]); // another filesystem: a real copy
  }

  put('dist/electron/main.js', "require('electron');\n");
  put('dist/electron/main.js.map', '{}');
  put('dist/electron/preload.js', '"use strict";\nvar import_electron = require("electron");\n');
  put('dist/electron/engine/engine.js', 'module.exports = {};\n');
  put('dist/electron/engine/engine.test.js', 'test();\n');
  put('dist/shared/contract.js', 'module.exports = {};\n');
  put('dist/shared/contract.d.ts', 'export {};\n');
  put('dist/renderer/assets/index.js.map', '{}');
  put('dist/renderer/index.html', '<!doctype html><title>Drydock</title>\n');
  put('dist/renderer/assets/index.js', 'console.log(1);\n');
  put('README.md', '# Drydock\n');
  put('tsconfig.json', '{}\n');
  put('electron/main.ts', 'export {};\n');
  put('test/unit/a.test.ts', 'export {};\n');
  put('.github/workflows/ci.yml', 'on: push\n');
  put('CHANGELOG.md', '# Changes\n');
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('check-pack', () => {
  it('passes with electron-builder.yml, which leaves sources, tests, maps and docs out', () => {
    const { status, output } = checkPack();
    expect(output).toMatch(/check-pack: OK: app\.asar [\d.]+ MiB, \d+ files/);
    expect(output).toMatch(/ssh2/);
    // Issue 7 item 19: the wire as flipped on the stand-in binary, in
    // @electron/fuses order: runAsNode off, cookie encryption on, NODE_OPTIONS
    // off, inspector off, asar integrity on, asar only on, V8 snapshot as
    // Electron ships it (off), grantFileProtocolExtraPrivileges off (the
    // renderer is served from app://, not file://).
    expect(/fuses ([01]{8})/.exec(output)?.[1]).toBe('01001100');
    expect(status).toBe(0);
  }, 120_000);

  it('fails, naming each offending path, when a config lets everything in', () => {
    put('electron-builder.yml', ['appId: io.drydock.careless', 'productName: Drydock', 'electronVersion: 39.8.10', 'npmRebuild: false',
      'publish: null', 'files: ["**/*"]', 'electronFuses:', '  runAsNode: true', 'linux:', '  executableName: drydock', ''].join('\n'));
    put('dist/electron/preload.js', 'require("../shared/contract");\n');

    const { status, output } = checkPack();
    expect(output).toMatch(/check-pack: FAILED: \d+ problem\(s\) in .*app\.asar/);
    expect(status).toBe(1);
    const lines = output.split('\n').map((line) => line.trim());
    const reported = (file: string) => lines.find((line) => line.startsWith(`${file}: `)) ?? `(${file} not reported in:\n${output})`;
    expect(reported('dist/electron/main.js.map')).toContain('source map');
    expect(reported('dist/electron/engine/engine.test.js')).toContain('test file');
    expect(reported('electron/main.ts')).toContain('TypeScript source');
    expect(reported('electron/main.ts')).toContain('stray file outside dist/');
    expect(reported('README.md')).toContain('documentation');
    expect(reported('tsconfig.json')).toContain('TypeScript config');
    expect(reported('test/unit/a.test.ts')).toContain('test folder');
    expect(reported('dist/electron/preload.js')).toContain('not bundled (requires ../shared/contract)');
    expect(reported('fuse runAsNode')).toContain('on, want off');
    expect(reported('fuse onlyLoadAppFromAsar')).toContain('off, want on');
    expect(lines).toContain('fuse grantFileProtocolExtraPrivileges: on, want off (electron-builder.yml electronFuses)');
  }, 120_000);
});
