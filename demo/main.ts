#!/usr/bin/env node
/**
 * `sudo npm run demo`: a practice CircleCI Server installation on this machine
 * (real sshd hosts with the CircleCI stand-ins, GHE over HTTPS, Pebble, a
 * proxy, the EC2 API simulator with a backup profile, a real Docker daemon
 * for the Services machine's containers), a DRYDOCK_HOME with its inventory, and the app on it, run as the
 * user who ran sudo. Ctrl-C (or `npm run demo -- stop`) stops all of it.
 *
 *   npm run demo [-- --keep] [--reset] [--dir DIR] [--user NAME] [--proxy KIND] [--no-docker]
 *   npm run demo -- stop
 *
 * Exit codes: 0 stopped cleanly, 1 failed, 2 cannot start (not root, missing
 * packages, another demo running, bad usage).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Inventory } from '../electron/engine/inventory/inventory';
import { ROLE_LABELS } from '../shared/hosts';
import { startLab, type Lab } from '../test/lab/lab';
import { finishFolder, giveToUser, prepareFolder, type DemoFolder } from './folder';
import { startGui, type Gui } from './gui';
import { matchDockerClient, startDemoDocker } from './docker';
import { DEMO_HOSTS, inventoryHosts, labSpecs } from './installation';
import { DemoExit, dpkgInstalled, missingPackagesMessage, readableBy, requireRoot, resolveUser, type DemoUser } from './preflight';
import { PRACTICE_SERVICES, PROXIES, type RunningService } from './services';
import { alive, claim, forgetStale, readState, release, update } from './state';
import { whatToTry } from './what-to-try';

const ROOT = path.resolve(__dirname, '..', '..');
const say = (line = '') => process.stdout.write(line + '\n');

const USAGE = 'usage: npm run demo [-- --keep] [--reset] [--dir DIR] [--user NAME] [--proxy KIND] [--no-docker] | npm run demo -- stop';

async function stopCommand(): Promise<number> {
  requireRoot();
  const state = readState();
  if (!state || !alive(state)) {
    forgetStale();
    release();
    say('No practice installation is running.');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(state)) {
    process.stderr.write(`drydock demo: the practice installation (pid ${state.pid}) is still stopping after 60 s\n`);
    return 1;
  }
  say(`Stopped the practice installation (pid ${state.pid}).`);
  return 0;
}

function fingerprint(pubFile: string): string {
  const r = spawnSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `(ssh-keygen -lf failed: ${r.stderr.trim()})`;
}

/** A fresh DRYDOCK_HOME: the inventory filled in, no key trusted, the lab's client key as the user's. */
function fillHome(folder: DemoFolder, lab: Lab): void {
  fs.mkdirSync(folder.files, { recursive: true, mode: 0o700 });
  const key = path.join(folder.files, 'id_ed25519');
  fs.copyFileSync(lab.clientKey, key);
  fs.copyFileSync(lab.clientKeyPub, `${key}.pub`);
  fs.chmodSync(key, 0o600);
  fs.mkdirSync(folder.home, { recursive: true, mode: 0o700 });
  const inventory = new Inventory(folder.home);
  for (const host of inventoryHosts(key)) if (!inventory.find(host.name)) inventory.add(host);
}

/** What the practice services add to the app's environment (and the CLI's, through the printed exports). */
function serviceEnv(services: RunningService[]): Record<string, string> {
  return Object.assign({}, ...services.map((s) => s.env ?? {})) as Record<string, string>;
}

function printInstallation(lab: Lab, folder: DemoFolder, user: DemoUser, services: RunningService[], gui: Gui): void {
  say();
  say(folder.continued ? `Drydock practice installation — continued (kept ${folder.keptAt ?? 'earlier'}; --reset starts from scratch)` : 'Drydock practice installation — running');
  say();
  say('Hosts (keys NOT trusted yet: compare with these before you trust; `ssh-keygen -lf` of each host key):');
  for (const h of DEMO_HOSTS) {
    const role = ROLE_LABELS[h.role] + (h.jump ? ` via ${h.jump}` : '');
    say(`  ${h.name.padEnd(9)} ${lab.hosts[h.name]!.ip.padEnd(12)} ${role.padEnd(25)} ${fingerprint(lab.hosts[h.name]!.hostKeyPub)}`);
  }
  say(`  log in as root with ${path.join(folder.files, 'id_ed25519')}`);
  say();
  say('Practice services:');
  for (const s of services) for (const line of s.lines) say(`  ${line}`);
  say();
  say(`The CLI on the same installation (as ${user.name}):`);
  say(`  export DRYDOCK_HOME=${folder.home}`);
  for (const [name, value] of Object.entries(serviceEnv(services))) say(`  export ${name}=${value}`);
  say();
  if (gui.kind === 'browser') {
    say('(No Electron binary installed: browser mode. `node node_modules/electron/install.js` where downloads work brings the window.)');
    say(`Drydock (browser mode, as ${user.name}): ${gui.url}`);
  }
  else say(`Drydock: the window is opening (as ${user.name}).`);
  say();
  for (const line of whatToTry(lab)) say(line);
  say();
  say('Ctrl-C (or `sudo npm run demo -- stop` from another terminal) stops everything.');
}

async function start(values: { keep?: boolean; reset?: boolean; dir?: string; user?: string; proxy?: string; 'no-docker'?: boolean }): Promise<number> {
  requireRoot();
  const missing = missingPackagesMessage(dpkgInstalled);
  if (missing) throw new DemoExit(2, missing);
  const user = resolveUser(values.user);
  const proxy = values.proxy ?? 'http-proxy';
  if (!PROXIES[proxy]) throw new DemoExit(2, `drydock demo: --proxy: one of ${Object.keys(PROXIES).join(', ')}`);
  const cli = path.join(ROOT, 'dist', 'electron', 'cli.js');
  if (!fs.existsSync(cli)) throw new DemoExit(2, 'drydock demo: the app is not built: run `npm run build` (npm run demo does).');
  if (!readableBy(user, cli)) {
    throw new DemoExit(2, `drydock demo: ${user.name} cannot read ${cli}: put the checkout where that account can read it, or pick another with --user`);
  }
  const dir = path.resolve(values.dir ?? path.join(ROOT, '.demo'));
  const running = claim({ dir, home: path.join(dir, 'home'), user: user.name, keep: !!values.keep });
  if (running) {
    throw new DemoExit(2, `drydock demo: a practice installation is already running (pid ${running.pid}, DRYDOCK_HOME=${running.home}${running.url ? `, ${running.url}` : ''}). Stop it first: sudo npm run demo -- stop`);
  }

  const stops: Array<() => Promise<void>> = [];
  let folder: DemoFolder | null = null;
  let stopping: Promise<number> | null = null;
  let startup: Promise<void> = Promise.resolve();
  /** Stops what started (after startup settles: Ctrl-C during startup waits for it), keeps or removes the folder. */
  const shutdown = (code: number, why?: string, keepAnyway = false): Promise<number> => {
    stopping ??= (async () => {
      say(why ?? '\nStopping the practice installation…');
      await startup;
      for (const stop of stops.reverse()) await stop().catch((err: unknown) => process.stderr.write(`drydock demo: ${(err as Error).message}\n`));
      const keep = !!folder && (!!values.keep || keepAnyway);
      if (folder) finishFolder(folder, keep);
      release();
      say(keep ? `Stopped. Kept the practice installation in ${folder!.dir} (next \`sudo npm run demo\` continues it; --reset starts from scratch).` : 'Stopped; nothing of the practice installation is left.');
      return code;
    })();
    return stopping;
  };
  const finished = new Promise<number>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0).then(resolve));
  });

  let failed: { code: number } | null = null;
  startup = (async () => {
    try {
      folder = prepareFolder(dir, !!values.reset);
      // Every temporary file of the run (Pebble's, the CA's) lands in the demo's tmp/, removed at the end.
      process.env.TMPDIR = folder.tmp;
      // The lab never deletes its folder itself: finishFolder decides (a failed start keeps a kept installation).
      // The real Docker daemon first: the Services host binds its socket folder at boot; it stops after the hosts.
      const docker = await startDemoDocker(!values['no-docker']);
      stops.push(() => docker.stop());
      const lab = await startLab(labSpecs(docker.daemon?.socketDir), { dir: folder.lab, addresses: DEMO_HOSTS.map((h) => h.address), keep: true });
      stops.push(() => lab.stop());
      if (!folder.continued) fillHome(folder, lab);
      giveToUser(folder, user);
      const servicesIp = lab.hosts.services!.ip;
      if (folder.continued) matchDockerClient(lab.hosts.services!, !!docker.daemon);
      const services: RunningService[] = [{ lines: docker.fill(servicesIp, ['nomad-1', 'nomad-2']), env: docker.env(servicesIp), stop: async () => undefined }];
      for (const service of PRACTICE_SERVICES) {
        const running = await service.start({ lab, shareDir: folder.files, continued: folder.continued, proxy, home: folder.home, user, dataDir: folder.services });
        services.push(running);
        stops.push(() => running.stop());
      }
      const gui = await startGui(ROOT, user, folder.home, say, serviceEnv(services));
      stops.push(() => gui.stop());
      if (stopping) return; // Ctrl-C came during startup: no banner for what is about to stop
      update({ url: gui.url });
      printInstallation(lab, folder, user, services, gui);
      void gui.exited.then((code) => {
        if (!stopping) void shutdown(code ? 1 : 0, `\nThe app ended${code ? ` (exit ${code})` : ''}: stopping the practice installation…`).then((c) => process.exit(c));
      });
    } catch (err) {
      process.stderr.write(`drydock demo: ${(err as Error).message}\n`);
      failed = { code: err instanceof DemoExit ? err.exitCode : 1 };
    }
  })();
  await startup;
  // A failed start keeps a kept installation it was continuing: nothing of the drill is lost.
  if (failed && !stopping) return shutdown((failed as { code: number }).code, 'Cleaning up…', (folder as DemoFolder | null)?.continued ?? false);
  return stopping ?? finished;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        keep: { type: 'boolean' },
        reset: { type: 'boolean' },
        dir: { type: 'string' },
        user: { type: 'string' },
        proxy: { type: 'string' },
        'no-docker': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`drydock demo: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    say(USAGE);
    return 0;
  }
  try {
    if (positionals[0] === 'stop' && positionals.length === 1) return await stopCommand();
    if (positionals.length) throw new DemoExit(2, `drydock demo: unknown command ${positionals.join(' ')}\n${USAGE}`);
    return await start(values);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return err instanceof DemoExit ? err.exitCode : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
