/**
 * "Test connection" against real sshd hosts: key trusted, login and root
 * answered apart. A host whose key is not trusted is not logged in to; a
 * wrong key fails the login and says so; sudo without its password fails
 * only the root line, and works once the session has the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';

const SUDO_PW = 'sudo-pw-c0nn';
let lab: Lab;
let fx: EngineFixture;

const test = (name: string) => dispatch(createHandlers(fx.engine), 'hosts:test', { name }, { emit: () => undefined });

beforeAll(async () => {
  lab = await startLab([{ name: 'conn', users: [{ name: 'admin', password: SUDO_PW, sudo: 'password' }] }]);
  fx = await engineWithHosts(lab, [{ name: 'conn', role: 'services' }]);
});
afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

describe('hosts:test', () => {
  it('answers key, login and root apart', async () => {
    const host = lab.hosts.conn;
    expect(await test('conn')).toMatchObject({
      ok: true,
      value: { keyTrusted: { status: 'ok', fingerprint: host.fingerprint }, login: { status: 'ok' }, sudo: { status: 'ok', message: /no sudo needed/ } },
    });

    // The same machine under another name, its key forgotten: nothing is trusted, so no login is tried.
    fx.engine.inventory.add({ name: 'conn-by-port', address: host.ip, port: 22, user: 'admin', role: 'nomad', keyPath: lab.clientKey });
    fx.engine.knownHosts.remove(host.ip);
    const untrusted = await test('conn-by-port');
    expect(untrusted).toMatchObject({ ok: true, value: { keyTrusted: { status: 'failed', code: 'HOST_KEY_UNKNOWN', fingerprint: host.fingerprint }, login: { status: 'skipped' }, sudo: { status: 'skipped' } } });
    await fx.engine.pool.trust('conn-by-port', host.fingerprint);

    // admin logs in with the key, but sudo wants a password the session does not have.
    const noSudo = await test('conn-by-port');
    expect(noSudo).toMatchObject({ ok: true, value: { keyTrusted: { status: 'ok' }, login: { status: 'ok' }, sudo: { status: 'failed' } } });
    fx.engine.credentials.set('conn-by-port', { sudoPassword: SUDO_PW });
    expect(await test('conn-by-port')).toMatchObject({ ok: true, value: { sudo: { status: 'ok', message: /admin can run commands as root/ } } });

    // A key the host does not accept: the key is still trusted, the login is what fails.
    fx.engine.inventory.replace({ ...fx.engine.inventory.get('conn-by-port'), keyPath: lab.clientKeyEncrypted });
    const badLogin = await test('conn-by-port');
    expect(badLogin).toMatchObject({ ok: true, value: { keyTrusted: { status: 'ok' }, login: { status: 'failed' }, sudo: { status: 'skipped' } } });
    expect(JSON.stringify(fx.engine.audit.entries())).not.toContain(SUDO_PW);
  });
});
