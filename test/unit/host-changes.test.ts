/**
 * Adding, editing and removing hosts through the engine's channels: one
 * Services machine only, the same address:port under two names warned, a
 * move to another address forgets the old key only once confirmed, and
 * every change lands in the audit log.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine, type Engine } from '../../electron/engine/engine';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIEVtk5zVsuuIsUZpgNVvgSDfeMkLa8L9yUpXvVUUtC3j';
let engine: Engine;
afterEach(() => engine?.close());

function setup() {
  engine = createEngine({ home: mkdtempSync(path.join(os.tmpdir(), 'drydock-hosts-')), defaultSecrets: {} });
  const h = createHandlers(engine);
  const call = (channel: string, req: unknown) => dispatch(h, channel, req, { emit: () => undefined });
  return { call };
}

describe('host changes', () => {
  it('refuses a second Services machine and warns about a shared address', async () => {
    const { call } = setup();
    const first = await call('hosts:add', { name: 'services', address: '10.0.0.5', port: 22, user: 'ubuntu', role: 'services' });
    expect(first).toMatchObject({ ok: true, value: { warnings: [], credentials: { password: false, passphrase: false, sudoPassword: false } } });
    const second = await call('hosts:add', { name: 'services-2', address: '10.0.0.6', port: 22, user: 'ubuntu', role: 'services' });
    expect(second).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { fields: [{ path: ['role'], message: expect.stringMatching(/services is already the Services machine/) }] } } });
    const twin = await call('hosts:add', { name: 'nomad-1', address: '10.0.0.5', port: 22, user: 'ubuntu', role: 'nomad' });
    expect(twin).toMatchObject({ ok: true, value: { warnings: [expect.stringMatching(/services already uses 10.0.0.5:22/)] } });
    const promote = await call('hosts:edit', { name: 'nomad-1', changes: { role: 'services' } });
    expect(promote).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('asks before forgetting the key of a moved host, then forgets it, and audits every change', async () => {
    const { call } = setup();
    await call('hosts:add', { name: 'nomad-1', address: '10.0.0.7', port: 22, user: 'ubuntu', role: 'nomad' });
    engine.knownHosts.add('10.0.0.7', 'ssh-ed25519', KEY);

    // Changing only the user keeps the key, and needs no confirmation.
    const user = await call('hosts:edit', { name: 'nomad-1', changes: { user: 'admin', keyPath: '/home/me/.ssh/id' } });
    expect(user).toMatchObject({ ok: true, value: { user: 'admin', keyPath: '/home/me/.ssh/id', trusted: true, forgotKeys: 0 } });

    const unconfirmed = await call('hosts:edit', { name: 'nomad-1', changes: { port: 2222 } });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { forgetKey: { knownAs: '10.0.0.7', fingerprint: expect.stringMatching(/^SHA256:/) } } } });
    expect(engine.inventory.get('nomad-1').port).toBe(22);
    expect(engine.knownHosts.lookup('10.0.0.7')).toHaveLength(1);

    const confirmed = await call('hosts:edit', { name: 'nomad-1', changes: { port: 2222, keyPath: null }, forgetKey: true });
    expect(confirmed).toMatchObject({ ok: true, value: { port: 2222, trusted: false, forgotKeys: 1 } });
    expect(engine.inventory.get('nomad-1').keyPath).toBeUndefined();
    expect(engine.knownHosts.lookup('10.0.0.7')).toHaveLength(0);

    expect(await call('hosts:remove', { name: 'nomad-1' })).toEqual({ ok: true, value: { removed: true } });
    const log = engine.audit.entries().map((e) => [e.kind, e.command]);
    expect(log).toEqual([
      ['inventory', 'add host nomad-1: ubuntu@10.0.0.7:22 (nomad)'],
      ['inventory', 'edit host nomad-1: user ubuntu → admin, key none → /home/me/.ssh/id'],
      ['inventory', 'edit host nomad-1: port 22 → 2222, key /home/me/.ssh/id → none'],
      ['trust', 'forget keys for 10.0.0.7 (nomad-1 moved to [10.0.0.7]:2222)'],
      ['inventory', 'remove host nomad-1: was admin@10.0.0.7:2222 (nomad)'],
    ]);
    expect(engine.audit.verify().ok).toBe(true);
  });

  it('keeps a key another inventory name still uses', async () => {
    const { call } = setup();
    await call('hosts:add', { name: 'a', address: '10.0.0.8', port: 22, user: 'root', role: 'nomad' });
    await call('hosts:add', { name: 'b', address: '10.0.0.8', port: 22, user: 'root', role: 'spare' });
    engine.knownHosts.add('10.0.0.8', 'ssh-ed25519', KEY);
    expect(await call('hosts:edit', { name: 'a', changes: { address: '10.0.0.9' } })).toMatchObject({ ok: true, value: { forgotKeys: 0 } });
    expect(engine.knownHosts.lookup('10.0.0.8')).toHaveLength(1);
  });

  it('shows which session credentials a host has, and clears them', async () => {
    const { call } = setup();
    await call('hosts:add', { name: 'svc', address: '10.0.0.10', port: 22, user: 'ubuntu', role: 'services' });
    await call('hosts:credentials', { name: 'svc', sudoPassword: 'pw' });
    const listed = (await call('hosts:list', {})) as { value: { credentials: unknown }[] };
    expect(listed.value[0].credentials).toEqual({ password: false, passphrase: false, sudoPassword: true });
    expect(await call('hosts:clear-credentials', { name: 'svc' })).toEqual({ ok: true, value: { cleared: true } });
    const after = (await call('hosts:list', {})) as { value: { credentials: unknown }[] };
    expect(after.value[0].credentials).toEqual({ password: false, passphrase: false, sudoPassword: false });
  });
});
