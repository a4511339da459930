// `sudo npm run demo`: builds the app and the demo (as the owner of the
// checkout, so a sudo run leaves no root-owned build behind), then runs the
// compiled demo (dist/demo/main.js) as root. `npm run demo -- stop` only
// stops the running one. See demo/main.ts.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);

if (process.getuid() !== 0) {
  console.error('drydock demo: run it with sudo: its hosts are Linux namespaces with overlay mounts and their own sshd, which only root can start (the app itself then runs as you).');
  process.exit(2);
}

/** name, gid and home of a uid, from /etc/passwd */
function account(uid) {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (Number(f[2]) === uid && f.length >= 7) return { name: f[0], gid: Number(f[3]), home: f[5] };
  }
  return null;
}

/** A demo is running (its record names a live process): the compiled demo will say so; do not rebuild under it. */
function demoRunning() {
  try {
    const { pid } = JSON.parse(fs.readFileSync('/run/drydock-demo/demo.json', 'utf8'));
    return fs.existsSync(`/proc/${pid}`);
  } catch {
    return false;
  }
}

if (args[0] !== 'stop' && !args.includes('--help') && !args.includes('-h') && !demoRunning()) {
  const owner = fs.statSync(path.join(root, 'package.json')).uid;
  const who = owner === 0 ? null : account(owner);
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const [command, ...rest] = who
    ? ['setpriv', `--reuid=${owner}`, `--regid=${who.gid}`, '--init-groups', '--', ...npm, 'run', 'build']
    : [...npm, 'run', 'build'];
  const env = who ? { ...process.env, HOME: who.home, USER: who.name, LOGNAME: who.name } : process.env;
  const built = spawnSync(command, rest, { cwd: root, stdio: 'inherit', env });
  if (built.status !== 0) {
    console.error('drydock demo: the build failed (above); nothing was started.');
    process.exit(1);
  }
}

const child = spawn(process.execPath, [path.join(root, 'dist', 'demo', 'main.js'), ...args], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the demo itself (same process group); pass on the rest.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
