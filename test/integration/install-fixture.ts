/**
 * The install tests' world: laptop files (a license, an .airgap bundle, a
 * replicated.tar.gz holding the install.sh stand-in, Docker .debs built with
 * dpkg-deb, a nomad binary), a way to put them in a lab host's bundle folder
 * as the bundle push leaves them (root's, 0700), and hosts as a fresh
 * machine is before Replicated: its units stopped, no app.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import type { Engine } from '../../electron/engine/engine';
import type { LabHost } from '../lab/lab';

const STANDINS = path.resolve(__dirname, '../lab/standins');

/** A fresh Services machine: Replicated not installed, so its units are stopped and replicatedctl cannot answer. */
export const FRESH_SERVICES_FILES = {
  '/var/lib/lab/units/replicated': 'inactive\n',
  '/var/lib/lab/units/replicated-ui': 'inactive\n',
  '/var/lib/lab/units/replicated-operator': 'inactive\n',
  '/var/lib/lab/replicated/state': 'stopped\n',
  '/var/lib/lab/docker/containers': '',
};

export interface LaptopFiles {
  dir: string;
  license: string;
  bundle: string;
  installer: string;
  /** The installer that speaks CircleCI's older dialect (local-address=). */
  installerLocal: string;
  dockerDebs: string[];
  nomad: string;
  dispose(): void;
}

function tarball(dir: string, name: string, script: string): string {
  const work = mkdtempSync(path.join(dir, 'tar-'));
  writeFileSync(path.join(work, 'install.sh'), script, { mode: 0o755 });
  writeFileSync(path.join(work, 'replicated-images.tar'), 'lab images\n');
  const out = path.join(dir, name);
  execFileSync('tar', ['-czf', out, '-C', work, './install.sh', './replicated-images.tar']);
  return out;
}

/** A real .deb whose postinst makes the docker stand-in "installed" (removes its not-installed marker). */
function dockerDeb(dir: string, pkg: string): string {
  const root = mkdtempSync(path.join(dir, 'deb-'));
  mkdirSync(path.join(root, 'DEBIAN'));
  mkdirSync(path.join(root, 'usr/share/doc', pkg), { recursive: true });
  writeFileSync(path.join(root, 'usr/share/doc', pkg, 'README'), `${pkg}: lab stand-in for Docker CE 18.09.9\n`);
  writeFileSync(path.join(root, 'DEBIAN/control'), `Package: ${pkg}\nVersion: 18.09.9-lab\nArchitecture: all\nMaintainer: Drydock lab <lab@example.test>\nDescription: lab stand-in for ${pkg}\n`);
  writeFileSync(path.join(root, 'DEBIAN/postinst'), '#!/bin/sh\nset -e\nrm -f /var/lib/lab/docker/not-installed\n');
  chmodSync(path.join(root, 'DEBIAN/postinst'), 0o755);
  const out = path.join(dir, `${pkg}_18.09.9_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, out], { stdio: 'ignore' });
  return out;
}

export function laptopFiles(): LaptopFiles {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-install-laptop-'));
  const license = path.join(dir, 'circleci.rli');
  writeFileSync(license, `lab license ${Date.now()}\n`);
  const bundle = path.join(dir, 'circleci-2.17.airgap');
  writeFileSync(bundle, Buffer.alloc(256 * 1024, 7));
  const script = readFileSync(path.join(STANDINS, 'install.sh'), 'utf8');
  const installer = tarball(dir, 'replicated.tar.gz', script);
  mkdirSync(path.join(dir, 'older'));
  const installerLocal = tarball(path.join(dir, 'older'), 'replicated.tar.gz', script.replace(/private-address/g, 'local-address').replace(/private_address/g, 'local_address'));
  const dockerDebs = [dockerDeb(dir, 'lab-docker-ce-cli'), dockerDeb(dir, 'lab-docker-ce')];
  const nomad = path.join(dir, 'nomad');
  writeFileSync(nomad, readFileSync(path.join(STANDINS, 'nomad')), { mode: 0o755 });
  return { dir, license, bundle, installer, installerLocal, dockerDebs, nomad, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the bundle push leaves: the file, root's, in /var/lib/drydock/bundle (0700). */
export function putInBundle(host: LabHost, local: string, name = path.basename(local)): void {
  const r = host.exec(`mkdir -p -m 0755 /var/lib/drydock && { [ -d /var/lib/drydock/bundle ] || mkdir -m 0700 /var/lib/drydock/bundle; } && base64 -d > /var/lib/drydock/bundle/${name} && chown 0:0 /var/lib/drydock/bundle/${name}`, { input: readFileSync(local).toString('base64') });
  if (r.code !== 0) throw new Error(`putInBundle ${name}: ${r.stderr}`);
}

export function caller(engine: Engine) {
  const handlers = createHandlers(engine);
  return async function call<C extends Channel>(channel: C, request: RequestOf<C>, emit?: (e: DrydockEvent) => void): Promise<ResponseOf<C>> {
    const result = await dispatch(handlers, channel, request, { emit: emit ?? (() => undefined) });
    if (!result.ok) throw fromErrorPayload(result.error);
    return result.value as never;
  };
}
