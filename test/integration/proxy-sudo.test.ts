/**
 * The proxy operation on hosts where Drydock logs in as an ordinary admin
 * (`ubuntu`-style) and becomes root through sudo with a password, as on most
 * real installations: same files, same restarts, same byte-identical
 * rollback, and the sudo password never reaches the audit log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { GUIDE_RESTART_ORDER, ORIGINAL } from './proxy-fixture';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';

const SUDO_PW = 'sudo-pw-7f3a';
const admin = [{ name: 'admin', password: SUDO_PW, sudo: 'password' as const }];
let lab: Lab;
let fx: EngineFixture;
let proxy: LabHttpProxy;
let origin: LabOrigin;

beforeAll(async () => {
  [lab, proxy, origin] = await Promise.all([
    startLab([
      { name: 'services', standins: true, users: admin, files: { '/etc/replicated.conf': { content: ORIGINAL.replicatedConf, mode: 0o600 }, '/etc/circle-installation-customizations': ORIGINAL.customizations } },
      { name: 'nomad-1', standins: true, users: admin, files: { '/etc/environment': ORIGINAL.environment } },
    ]),
    startHttpProxy(),
    startOrigin(),
  ]);
  fx = await engineWithHosts(lab, [
    { name: 'services', role: 'services', user: 'admin' },
    { name: 'nomad-1', role: 'nomad', user: 'admin' },
  ]);
  for (const h of ['services', 'nomad-1']) fx.engine.credentials.set(h, { sudoPassword: SUDO_PW });
});

afterAll(async () => {
  await fx?.dispose();
  await Promise.all([lab?.stop(), proxy?.close(), origin?.close()]);
});

async function call(channel: 'proxy:apply' | 'proxy:rollback', request: object) {
  const result = await dispatch(createHandlers(fx.engine), channel, request, { emit: () => undefined });
  if (!result.ok) throw new Error(result.error.message);
  return result.value as { verification?: { ok: boolean }[] };
}

describe('proxy apply through sudo', () => {
  it('writes root-owned files, restarts, verifies, and rolls back byte for byte', async () => {
    const before = { conf: lab.hosts.services.readFile('/etc/replicated.conf'), env: lab.hosts['nomad-1'].readFile('/etc/environment') };
    const applied = await call('proxy:apply', { settings: { proxy: proxy.url }, restartReplicated: true, restartDocker: ['nomad-1'], verifyUrl: origin.url });
    expect(applied.verification?.map((r) => r.ok)).toEqual([true, true]);
    expect(lab.hosts.services.exec('stat -c %a:%U /etc/replicated.conf').stdout.trim()).toBe('600:root');
    expect(lab.hosts['nomad-1'].exec('stat -c %a:%U /etc/systemd/system/docker.service.d/http-proxy.conf').stdout.trim()).toBe('600:root');
    expect(lab.hosts.services.exec(`jq -r .HttpProxy /etc/replicated.conf`).stdout.trim()).toBe(proxy.url);
    expect((lab.hosts.services.readFile('/var/log/lab/units.log') ?? '').trim().split('\n')).toEqual(GUIDE_RESTART_ORDER);

    await call('proxy:rollback', { restartReplicated: true, restartDocker: ['nomad-1'] });
    expect(lab.hosts.services.readFile('/etc/replicated.conf')).toBe(before.conf);
    expect(lab.hosts['nomad-1'].readFile('/etc/environment')).toBe(before.env);
    expect(lab.hosts['nomad-1'].readFile('/etc/systemd/system/docker.service.d/http-proxy.conf')).toBeNull();
    expect(readFileSync(path.join(fx.home, 'audit.jsonl'), 'utf8')).not.toContain(SUDO_PW);
  });
});
