/**
 * The layering rules in eslint.config.mjs must actually bite: each snippet
 * below crosses a layer the wrong way and has to be reported as "Bad
 * layering", the allowed imports must pass, and the real tree must be clean.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'eslint.config.mjs') });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  const fatal = result.messages.filter((m) => m.fatal);
  expect(fatal, 'snippet must parse').toEqual([]);
  return result.messages.filter((m) => m.message.includes('Bad layering')).map((m) => m.message);
}

const violations: Array<[file: string, code: string, why: RegExp]> = [
  ['shared/x.ts', "import { app } from 'electron';", /shared\/ may not import Electron/],
  ['shared/x.ts', "import type { BrowserWindow } from 'electron';", /Electron/],
  ['shared/x.ts', "import { ipcRenderer } from 'electron/renderer';", /Electron/],
  ['shared/x.ts', "import fs from 'fs';", /Node built-ins/],
  ['shared/x.ts', "import fs from 'node:fs';", /Node built-ins/],
  ['shared/x.ts', "import { readFile } from 'fs/promises';", /Node built-ins/],
  ['shared/x.ts', "import test from 'node:test';", /Node built-ins/],
  ['shared/x.ts', "export { join } from 'node:path';", /Node built-ins/],
  ['shared/x.ts', "import { Client } from 'ssh2';", /SSH/],
  ['shared/x.ts', "import forge from 'node-forge';", /SSH/],
  ['shared/x.ts', "export const load = () => import('node:crypto');", /Node built-ins/],
  ['shared/x.ts', "import os = require('os');", /Node built-ins/],
  ['shared/x.ts', "import { dispatch } from '../electron/engine/api/dispatch';", /shared\/ may import only from shared\//],
  ['shared/sub/x.ts', "import { App } from '../../renderer/app';", /shared\/ may import only/],
  ['renderer/x.tsx', "import { ipcRenderer } from 'electron';", /renderer\/ may not import Electron/],
  ['renderer/x.ts', "import path from 'node:path';", /Node built-ins/],
  ['renderer/x.ts', "import path from 'path';", /Node built-ins/],
  ['renderer/x.ts', "import { Client } from 'ssh2';", /SSH/],
  ['renderer/x.ts', "import _ from 'lodash';", /renderer\/ may import only react/],
  ['renderer/x.ts', "import { createEngine } from '../electron/engine';", /renderer\/ may import only from renderer\/ and shared\//],
  ['renderer/deep/x.ts', "import { startServer } from '../../electron/serve';", /renderer\/ may import only/],
  ['renderer/x.ts', "const m = await import('../electron/ipc');", /renderer\/ may import only/],
  ['electron/engine/x.ts', "import { app } from 'electron';", /electron\/engine\/ may not import Electron/],
  ['electron/engine/ssh/x.ts', "import { registerIpc } from '../../ipc';", /electron\/engine\/ may import only from electron\/engine\/ and shared\//],
  ['electron/engine/x.ts', "import { startServer } from '../serve';", /electron\/engine\/ may import only/],
  ['electron/engine/x.ts', "const { app } = require('electron');", /Electron/],
  ['electron/x.ts', "import { App } from '../renderer/app';", /electron\/ may not import from renderer\//],
  ['electron/preload.ts', "import fs from 'node:fs';", /the sandboxed preload may not import Node built-ins/],
  ['electron/preload.ts', "import { RENDERER_CSP } from './window-options';", /electron\/preload\.ts may import only from shared\//],
  ['electron/preload.ts', "import { Client } from 'ssh2';", /SSH/],
];

describe('layering rules', () => {
  it.each(violations)('%s: %s', async (file, code, why) => {
    const errors = await layeringErrors(file, code);
    expect(errors.length, `expected a layering error, got none`).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(why);
  });

  const allowed: Array<[file: string, code: string]> = [
    ['shared/x.ts', "import { z } from 'zod';\nimport { HostSchema } from './hosts';\nexport type E = import('./errors').ErrorPayload;"],
    ['renderer/x.tsx', "import { useState } from 'react';\nimport { createRoot } from 'react-dom/client';\nimport { create } from 'zustand';\nimport { z } from 'zod';\nimport { channels } from '../shared/contract';\nimport './styles.css';"],
    ['renderer/store/x.ts', "import { channels } from '../../shared/contract';\nimport { api } from '../api';"],
    ['electron/engine/x.ts', "import { Client } from 'ssh2';\nimport fs from 'node:fs';\nimport { channels } from '../../shared/contract';\nimport { dispatch } from './api/dispatch';"],
    ['electron/x.ts', "import { app } from 'electron';\nimport { createEngine } from './engine';\nimport { channels } from '../shared/contract';"],
    ['electron/preload.ts', "import { contextBridge } from 'electron';\nimport { z } from 'zod';\nimport { channels } from '../shared/contract';"],
  ];
  it.each(allowed)('allows %s', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });

  it('finds no layering violation in the real tree', async () => {
    const results = await eslint.lintFiles(['shared', 'renderer', 'electron', 'scripts', 'test']);
    const bad = results.flatMap((r) =>
      r.messages.filter((m) => m.message.includes('Bad layering')).map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(bad).toEqual([]);
  }, 60_000);
});
