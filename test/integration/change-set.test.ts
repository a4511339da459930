/**
 * The remote file-change engine on real hosts: plan with a diff, apply with
 * on-host backups and atomic writes, roll back byte for byte (mode and owner
 * too), refuse to overwrite what changed since the plan, and do it all as a
 * non-root admin through sudo with a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { applyFiles, listSets, newSetName, planFile, rollbackFiles } from '../../electron/engine/files/change-set';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const ORIGINAL = 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\n# keep me\n';
let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  lab = await startLab([
    {
      name: 'nomad-1',
      users: [{ name: 'admin', password: 'sudo-secret', sudo: 'password' }],
      files: { '/etc/environment': { content: ORIGINAL, mode: 0o640 }, '/etc/drydock-test/owned': { content: 'by nobody\n', mode: 0o600 } },
    },
  ]);
  lab.hosts['nomad-1'].exec('chown 65534:65534 /etc/drydock-test/owned');
  fx = await engineWithHosts(lab, [{ name: 'nomad-1', role: 'nomad', user: 'admin' }]);
  fx.engine.credentials.set('nomad-1', { sudoPassword: 'sudo-secret' });
});
afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

const stat = (p: string) => lab.hosts['nomad-1'].exec(`stat -c '%a %u %g' ${p}`).stdout.trim();

describe('remote file changes through sudo', () => {
  it('plans, applies atomically with backups, verifies, and rolls back exactly', async () => {
    const session = await fx.engine.pool.session('nomad-1');
    const env = await planFile(session, '/etc/environment', (cur) => `${cur}HTTP_PROXY="http://10.0.0.33:3128"\n`);
    const owned = await planFile(session, '/etc/drydock-test/owned', () => 'changed\n');
    const dropIn = await planFile(session, '/etc/systemd/system/docker.service.d/http-proxy.conf', () => '[Service]\nEnvironment="HTTP_PROXY=http://10.0.0.33:3128"\n');
    expect(env.diff).toContain('+HTTP_PROXY="http://10.0.0.33:3128"');
    expect(dropIn.before).toBeNull();
    // Planning wrote nothing.
    expect(lab.hosts['nomad-1'].readFile('/etc/environment')).toBe(ORIGINAL);

    const set = newSetName('proxy');
    const manifest = await applyFiles(session, [env, owned, dropIn], set, 'proxy');
    expect(manifest.state).toBe('applied');
    expect(lab.hosts['nomad-1'].readFile('/etc/environment')).toBe(env.after);
    expect(stat('/etc/environment')).toBe('640 0 0');
    expect(stat('/etc/drydock-test/owned')).toBe('600 65534 65534');
    expect(stat('/etc/systemd/system/docker.service.d/http-proxy.conf')).toBe('644 0 0');
    // No temp files left beside the targets.
    expect(lab.hosts['nomad-1'].exec('ls -a /etc /etc/drydock-test /etc/systemd/system/docker.service.d').stdout).not.toMatch(/\.drydock-[0-9a-f]{12}/);

    // Applying the same plan again changes nothing.
    const again = await applyFiles(session, [env, owned, dropIn], set, 'proxy');
    expect(again.files).toHaveLength(3);

    const rolled = await rollbackFiles(session, { label: 'proxy' });
    expect(rolled.set).toBe(set);
    expect(lab.hosts['nomad-1'].readFile('/etc/environment')).toBe(ORIGINAL);
    expect(lab.hosts['nomad-1'].readFile('/etc/drydock-test/owned')).toBe('by nobody\n');
    expect(stat('/etc/drydock-test/owned')).toBe('600 65534 65534');
    expect(lab.hosts['nomad-1'].readFile('/etc/systemd/system/docker.service.d/http-proxy.conf')).toBeNull();
    expect((await listSets(session))[0]).toMatchObject({ set, state: 'rolled-back' });
    expect(JSON.stringify(fx.engine.audit.entries())).not.toContain('sudo-secret');
  });

  it('refuses to overwrite a file that changed after the admin saw the diff', async () => {
    const session = await fx.engine.pool.session('nomad-1');
    const plan = await planFile(session, '/etc/environment', (cur) => `${cur}NO_PROXY="localhost"\n`);
    lab.hosts['nomad-1'].writeFile('/etc/environment', `${ORIGINAL}EDITED_BY_HAND=1\n`);
    const err = await applyFiles(session, [plan], newSetName('proxy'), 'proxy').catch((e) => e);
    expect(err).toBeInstanceOf(DrydockError);
    expect((err as DrydockError).code).toBe('CONFLICT');
    expect(lab.hosts['nomad-1'].readFile('/etc/environment')).toBe(`${ORIGINAL}EDITED_BY_HAND=1\n`);
  });

  it('rolls back a file that is not UTF-8 byte for byte', async () => {
    const host = lab.hosts['nomad-1'];
    host.exec("printf 'LANG=fr_FR.ISO-8859-1\\n# caf\\351 cr\\350me\\n' > /etc/default/locale-latin1");
    const before = host.exec('sha256sum /etc/default/locale-latin1').stdout.split(' ')[0];
    const session = await fx.engine.pool.session('nomad-1');
    const plan = await planFile(session, '/etc/default/locale-latin1', () => 'LANG=C.UTF-8\n');
    await applyFiles(session, [plan], newSetName('locale'), 'locale');
    expect(host.readFile('/etc/default/locale-latin1')).toBe('LANG=C.UTF-8\n');
    await rollbackFiles(session, { label: 'locale' });
    expect(host.exec('sha256sum /etc/default/locale-latin1').stdout.split(' ')[0]).toBe(before);
  });

  it('gives two applies in the same second two backup sets', () => {
    expect(newSetName('proxy')).not.toBe(newSetName('proxy'));
  });
});
