// ESLint 9 flat config: typescript-eslint's recommended rules (no stylistic
// ones) plus the layering rules that keep each process's code where it can
// run. A "Bad layering" error fails `npm run lint`.
//
//   shared/           pure: runs in the main process, the preload and the
//                     renderer; no Electron, no Node built-ins, no SSH.
//   renderer/         a sandboxed browser page: react, react-dom, zustand,
//                     zod, its own files and shared/; nothing else.
//   electron/engine/  the engine, also used by the CLI and browser mode:
//                     never Electron, nothing outside engine/ but shared/.
//   electron/preload.ts  runs in the renderer's sandbox: electron, zod, shared/.
//   electron/         the main process: anything but renderer/.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = '*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const bareBuiltins = builtinModules.filter((m) => !m.startsWith('node:'));
/** Matches a package and its subpaths: `pkg`, `pkg/sub`. */
const packages = (...names) => `^(${names.map(escape).join('|')})(/|$)`;

const ban = {
  electron: (layer) => ({
    regex: packages('electron'),
    message: `Bad layering: ${layer} may not import Electron; only the main process (electron/*.ts outside engine/) and the preload may.`,
  }),
  builtins: (layer) => [
    { regex: packages(...bareBuiltins), message: `Bad layering: ${layer} may not import Node built-ins.` },
    { regex: '^node:', message: `Bad layering: ${layer} may not import Node built-ins.` },
  ],
  ssh: (layer) => ({
    regex: packages('ssh2', 'node-forge', 'ssh-config', 'cpu-features'),
    message: `Bad layering: ${layer} may not import SSH or crypto packages; that is the engine's job.`,
  }),
};

/**
 * The specific bans, then one catch-all for anything that is neither allowed
 * nor already banned (so each bad import is reported once).
 */
function withOnly(banned, allowed, message) {
  const alternatives = [...allowed, ...banned.map((b) => b.regex)].map((re) => re.replace(/^\^/, ''));
  return [...banned, { regex: `^(?!${alternatives.join('|')})`, message }];
}

/**
 * One definition per layer; both no-restricted-imports (bare package names
 * in static imports) and drydock/layering (relative paths, and dynamic
 * import()/require()) are generated from it.
 */
const layers = [
  {
    name: 'shared/',
    files: [`shared/**/${SOURCE}`],
    banned: [ban.electron('shared/'), ...ban.builtins('shared/'), ban.ssh('shared/')],
    allowedDirs: ['shared/'],
  },
  {
    name: 'renderer/',
    files: [`renderer/**/${SOURCE}`],
    // Tests are not shipped; they may import vitest and testing helpers.
    ignores: ['renderer/**/*.{test,spec}.*'],
    banned: withOnly(
      [ban.electron('renderer/'), ...ban.builtins('renderer/'), ban.ssh('renderer/')],
      [packages('react', 'react-dom', 'zustand', 'zod'), '^\\.{1,2}(/|$)'],
      'Bad layering: renderer/ may import only react, react-dom, zustand, zod, and relative paths into renderer/ or shared/.',
    ),
    allowedDirs: ['renderer/', 'shared/'],
  },
  {
    name: 'electron/engine/',
    files: [`electron/engine/**/${SOURCE}`],
    banned: [ban.electron('electron/engine/')],
    allowedDirs: ['electron/engine/', 'shared/'],
  },
  {
    // Bundled by esbuild and run in the renderer's sandbox, where only
    // 'electron' can be required: no Node built-ins, no main-process code.
    name: 'electron/preload.ts',
    files: ['electron/preload.ts'],
    banned: withOnly(
      [...ban.builtins('the sandboxed preload'), ban.ssh('the sandboxed preload')],
      [packages('electron', 'zod'), '^\\.{1,2}(/|$)'],
      'Bad layering: the sandboxed preload may import only electron, zod and shared/.',
    ),
    allowedDirs: ['shared/'],
  },
  {
    name: 'electron/',
    files: [`electron/**/${SOURCE}`],
    ignores: ['electron/engine/**', 'electron/preload.ts'],
    banned: [],
    deniedDirs: ['renderer/'],
  },
];

function specifierOf(node) {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
      return { source: node.source, dynamic: node.type === 'ImportExpression' };
    case 'TSImportEqualsDeclaration':
      return node.moduleReference.type === 'TSExternalModuleReference' ? { source: node.moduleReference.expression, dynamic: true } : null;
    case 'TSImportType':
      return { source: node.argument?.type === 'TSLiteralType' ? node.argument.literal : null, dynamic: true };
    case 'CallExpression':
      return node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1
        ? { source: node.arguments[0], dynamic: true }
        : null;
    default:
      return null;
  }
}

/** Where a relative import lands, as a repo-relative posix path. */
function landing(filename, spec) {
  return path.relative(root, path.resolve(path.dirname(filename), spec)).split(path.sep).join('/');
}

const within = (target, dir) => target + '/' === dir || target.startsWith(dir);

const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports inside the layer a file runs in.' },
    schema: false,
    messages: { bad: '{{message}}' },
  },
  create(context) {
    const layer = layers.find((l) => l.name === context.options[0]?.layer);
    if (!layer) return {};
    const check = (node) => {
      const found = specifierOf(node);
      const source = found?.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (spec.startsWith('.') || path.isAbsolute(spec)) {
        const target = landing(context.filename, spec);
        const outside = layer.allowedDirs && !layer.allowedDirs.some((dir) => within(target, dir));
        const denied = layer.deniedDirs?.find((dir) => within(target, dir));
        if (outside) {
          const message = `Bad layering: ${layer.name} may import only from ${layer.allowedDirs.join(' and ')} ('${spec}' is ${target}).`;
          context.report({ node: source, messageId: 'bad', data: { message } });
        } else if (denied) {
          const message = `Bad layering: ${layer.name} may not import from ${denied} ('${spec}' is ${target}).`;
          context.report({ node: source, messageId: 'bad', data: { message } });
        }
        return;
      }
      // Static imports of packages are no-restricted-imports' job.
      if (!found.dynamic) return;
      const hit = layer.banned.find((b) => new RegExp(b.regex).test(spec));
      if (hit) context.report({ node: source, messageId: 'bad', data: { message: hit.message } });
    };
    return {
      ImportDeclaration: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
      ImportExpression: check,
      TSImportEqualsDeclaration: check,
      TSImportType: check,
      CallExpression: check,
    };
  },
};

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**', 'playwright-report/**', '.lab/**', '.demo/**', 'coverage/**'] },
  { files: ['**/*.{ts,tsx,mts,cts}'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { drydock: { rules: { layering: layeringRule } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Drydock reads terminal output and refuses control characters in
      // what it writes to hosts: such regexes are deliberate here.
      'no-control-regex': 'off',
    },
  },
  {
    // Plain Node scripts: CommonJS (.js, .cjs) or ES modules (.mjs).
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layers.map((layer) => ({
    files: layer.files,
    ...(layer.ignores ? { ignores: layer.ignores } : {}),
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: layer.banned.map(({ regex, message }) => ({ regex, message })) }],
      'drydock/layering': ['error', { layer: layer.name }],
    },
  })),
);
