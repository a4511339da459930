// `npm start` (after `npm run build`): the Electron window if the Electron
// binary is installed, otherwise browser mode (`drydock serve`, which prints
// the URL to open).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function electronBinary() {
  try {
    const binary = require('electron'); // the package exports the binary's path
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null; // the package throws when its install script never ran
  }
}

function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  // Ctrl-C already reaches the child (same process group); pass on the rest.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = electronBinary();
if (binary) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set, it would make Electron a plain Node
  run(binary, [root], env);
} else {
  console.log(
    'Electron binary not installed (get it with `node node_modules/electron/install.js` where downloads work, see README); starting browser mode instead.',
  );
  run(process.execPath, [path.join(root, 'dist', 'electron', 'cli.js'), 'serve']);
}
