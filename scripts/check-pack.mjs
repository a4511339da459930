#!/usr/bin/env node
// Packs the already-built app (dist/) with electron-builder, offline, and
// checks what app.asar would ship to admins.
//
//   node scripts/check-pack.mjs [--project DIR] [--list] [--keep]
//
// The Electron binary is not needed: a stand-in Electron folder (a stub
// `electron` executable carrying a fuse wire, LICENSE, version, resources/)
// is passed as electronDist, so `electron-builder --linux --dir` only copies
// it and writes app.asar. The fuses from electron-builder.yml are flipped on
// the stub's wire, and checked too. Exits 1 naming every offending path.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const project = path.resolve(option('--project') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const require = createRequire(path.join(project, 'package.json'));
const asar = await import(require.resolve('@electron/asar'));

const REQUIRED = ['package.json', 'dist/electron/main.js', 'dist/electron/preload.js', 'dist/renderer/index.html'];

let work = null;
function fail(title, lines = []) {
  const kept = work && args.includes('--keep') ? [`check-pack: kept ${work}`] : [];
  // One synchronous write: console.error to a pipe is async, and exit() would cut it short.
  writeSync(2, [`check-pack: FAILED: ${title}`, ...lines.map((line) => `  ${line}`), ...kept, ''].join('\n'));
  if (work && !kept.length) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

const missingBuild = REQUIRED.filter((file) => !existsSync(path.join(project, file)));
if (missingBuild.length) fail('build the app first (npm run build)', missingBuild.map((f) => `missing ${f}`));

// --- The stand-in Electron distribution --------------------------------------
// @electron/fuses finds the wire after this sentinel: version 1, length, then
// one byte per fuse ('0' off, '1' on). Electron's own defaults:
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', 'loadBrowserProcessSpecificV8Snapshot', 'grantFileProtocolExtraPrivileges'];
const ELECTRON_DEFAULTS = '10110001';
/**
 * What the packed app must have: no Node mode, no NODE_OPTIONS, no inspector,
 * app only from the asar, no extra privileges for file:// pages (the renderer
 * is served from app://).
 */
const WANTED_FUSES = { runAsNode: '0', enableNodeOptionsEnvironmentVariable: '0', enableNodeCliInspectArguments: '0', onlyLoadAppFromAsar: '1', grantFileProtocolExtraPrivileges: '0' };

work = mkdtempSync(path.join(os.tmpdir(), 'drydock-pack-'));
const stub = path.join(work, 'electron-dist');
mkdirSync(path.join(stub, 'resources'), { recursive: true });
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
writeFileSync(
  path.join(stub, 'electron'),
  Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in Electron from scripts/check-pack.mjs: not runnable" >&2\nexit 1\n# '),
    Buffer.from(SENTINEL),
    Buffer.from([1, ELECTRON_DEFAULTS.length]),
    Buffer.from(ELECTRON_DEFAULTS),
    Buffer.from('\n'),
  ]),
);
chmodSync(path.join(stub, 'electron'), 0o755);
writeFileSync(path.join(stub, 'LICENSE'), 'stand-in\n');
writeFileSync(path.join(stub, 'version'), `${electronVersion}\n`);

// --- Pack ---------------------------------------------------------------------
const output = path.join(work, 'release');
const builderPkg = require.resolve('electron-builder/package.json');
const builderCli = path.join(path.dirname(builderPkg), JSON.parse(readFileSync(builderPkg, 'utf8')).bin['electron-builder']);
const built = spawnSync(
  process.execPath,
  [builderCli, '--linux', '--dir', '--x64', '--projectDir', project, `-c.electronDist=${stub}`, `-c.directories.output=${output}`],
  { encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_ALLOW_UNRESOLVED_DEPENDENCIES: 'false' } },
);
if (built.status !== 0) fail(`electron-builder exited with ${built.status}`, `${built.stdout}\n${built.stderr}`.trim().split('\n'));

const appOut = path.join(output, 'linux-unpacked');
const archive = path.join(appOut, 'resources', 'app.asar');
if (!existsSync(archive)) fail(`no app.asar in ${appOut}`);

// --- Check the archive --------------------------------------------------------
const normalize = (p) => p.replace(/\\/g, '/').replace(/^\/+/, '');
const entries = asar.listPackage(archive, { isPack: false }).map(normalize);
const files = entries.filter((p) => !asar.statFile(archive, p).files);
const unpackedDir = `${archive}.unpacked`;
const unpacked = existsSync(unpackedDir) ? walk(unpackedDir).map((p) => normalize(path.relative(unpackedDir, p))) : [];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8'));
const devOnly = Object.keys(pkg.devDependencies ?? {}).filter((name) => !(name in (pkg.dependencies ?? {})));

/** Each rule names why a path must not ship. */
const rules = [
  [/(^|\/)(test|tests|__tests__|__mocks__)\//, 'test folder'],
  [/\.(test|spec)\.[cm]?js$/, 'test file'],
  [/\.map$/, 'source map'],
  [/\.(ts|mts|cts|tsx)$/, 'TypeScript source or declaration'],
  [/(^|\/)\.[^/]+/, 'dot-file or dot-folder'],
  [/(^|\/)(README|CHANGELOG|HISTORY|CONTRIBUTING)[^/]*$/i, 'documentation'],
  [/\.(md|markdown)$/i, 'documentation'],
  [/(^|\/)tsconfig[^/]*\.json$/, 'TypeScript config'],
  [/(^|\/)(eslint|jest|vitest|vite|rollup|webpack|karma)\.conf(ig)?\.[cm]?[jt]s$/, 'tooling config'],
  [/\.node$/, 'native add-on (built for Node, not Electron)'],
  [/\.(c|cc|cpp|h|hpp|gyp|gypi)$/, 'native source'],
];
const problems = [];
for (const file of [...files, ...unpacked.map((p) => `(unpacked) ${p}`)]) {
  const clean = file.replace(/^\(unpacked\) /, '');
  const reasons = rules.filter(([pattern]) => pattern.test(clean)).map(([, why]) => why);
  const [top, second] = clean.split('/');
  if (!['package.json', 'dist', 'node_modules'].includes(top)) reasons.push('stray file outside dist/ and node_modules/');
  if (top === 'dist' && !['electron', 'shared', 'renderer'].includes(second)) reasons.push('stray file in dist/');
  const dep = clean.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
  if (dep && devOnly.includes(dep)) reasons.push(`devDependency ${dep} shipped`);
  if (reasons.length) problems.push(`${file}: ${[...new Set(reasons)].join(', ')}`);
}
for (const file of REQUIRED) if (!files.includes(file)) problems.push(`${file}: missing`);

// Every production dependency must be there, found the way Node's require
// would find it (nested node_modules first, then each parent's).
const packageDirs = new Set(files.filter((f) => /(^|\/)node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test(f)).map((f) => path.posix.dirname(f)));
function findDependency(fromDir, name) {
  for (let dir = fromDir; ; dir = path.posix.dirname(dir)) {
    const candidate = dir === '.' || dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packageDirs.has(candidate)) return candidate;
    if (dir === '.' || dir === '') return null;
  }
}
for (const [dir, manifest] of [['.', pkg], ...[...packageDirs].map((d) => [d, JSON.parse(asar.extractFile(archive, `${d}/package.json`).toString('utf8'))])]) {
  const optional = manifest.optionalDependencies ?? {};
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!(name in optional) && !findDependency(dir, name)) problems.push(`${dir === '.' ? 'package.json' : dir}: dependency ${name} is missing`);
  }
}

// A sandboxed preload can require only 'electron': it must be one bundle.
if (files.includes('dist/electron/preload.js')) {
  const preload = asar.extractFile(archive, 'dist/electron/preload.js').toString('utf8');
  const local = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]).filter((m) => m !== 'electron');
  if (local.length) problems.push(`dist/electron/preload.js: not bundled (requires ${[...new Set(local)].join(', ')}); run npm run build:preload`);
}

// The fuses electron-builder flipped on the stub.
const builderYml = readFileSync(path.join(project, 'electron-builder.yml'), 'utf8');
const executable = builderYml.match(/^\s+executableName:\s*(\S+)/m)?.[1] ?? pkg.name;
const binary = readFileSync(path.join(appOut, executable));
const at = binary.indexOf(SENTINEL) + SENTINEL.length;
const wire = binary.subarray(at + 2, at + 2 + binary[at + 1]).toString('latin1');
for (const [fuse, want] of Object.entries(WANTED_FUSES)) {
  const got = wire[FUSES.indexOf(fuse)];
  if (got !== want) problems.push(`fuse ${fuse}: ${got === '1' ? 'on' : 'off'}, want ${want === '1' ? 'on' : 'off'} (electron-builder.yml electronFuses)`);
}

if (problems.length) fail(`${problems.length} problem(s) in ${archive}`, problems);

if (args.includes('--list')) for (const file of files) console.log(file);
const count = (prefix) => files.filter((f) => f.startsWith(prefix)).length;
const packages = new Set(files.map((f) => f.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1]).filter(Boolean));
const mib = (statSync(archive).size / 1024 / 1024).toFixed(1);
console.log(
  `check-pack: OK: app.asar ${mib} MiB, ${files.length} files (dist/electron ${count('dist/electron/')}, dist/shared ${count('dist/shared/')}, ` +
    `dist/renderer ${count('dist/renderer/')}, node_modules ${count('node_modules/')} in ${packages.size} packages: ${[...packages].sort().join(' ')}), ` +
    `${unpacked.length} unpacked, fuses ${wire}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (args.includes('--keep')) console.log(`check-pack: kept ${work}`);
else rmSync(work, { recursive: true, force: true });
