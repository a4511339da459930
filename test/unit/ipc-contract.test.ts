import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channels, CHANNEL_NAMES } from '../../shared/contract';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine } from '../../electron/engine/engine';

function handlers() {
  const engine = createEngine({ home: mkdtempSync(path.join(os.tmpdir(), 'drydock-ipc-')), defaultSecrets: {} });
  return { engine, handlers: createHandlers(engine) };
}
const ctx = { emit: () => undefined };

describe('IPC contract', () => {
  it('has a handler for every channel and a channel for every handler', () => {
    expect(Object.keys(handlers().handlers).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('rejects bad input before any handler runs, naming each field', async () => {
    const { engine, handlers: h } = handlers();
    const result = await dispatch(h, 'hosts:add', { name: 'bad name!', address: '999.1.1.1', port: 70000, user: 'root', role: 'mainframe' }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    const fields = (result.error.details!.fields as { path: string[] }[]).map((f) => f.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['name', 'address', 'port', 'role']));
    expect(engine.inventory.list()).toEqual([]);
  });

  it('rejects unknown keys, wrong types and unknown channels', async () => {
    const { handlers: h } = handlers();
    const extra = await dispatch(h, 'hosts:list', { sneaky: true }, ctx);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const badFp = await dispatch(h, 'hosts:trust', { name: 'services', fingerprint: 'MD5:aa:bb' }, ctx);
    expect(badFp).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const badType = await dispatch(h, 'audit:tail', { limit: '10; rm -rf /' }, ctx);
    expect(badType).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = await dispatch(h, 'shell:exec', { cmd: 'id' }, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('answers valid calls with responses that pass their own schema', async () => {
    const { handlers: h } = handlers();
    const added = await dispatch(h, 'hosts:add', { name: 'services', address: '10.0.1.238', port: 22, user: 'ubuntu', role: 'services' }, ctx);
    expect(added).toMatchObject({ ok: true, value: { name: 'services', trusted: false } });
    const list = await dispatch(h, 'hosts:list', {}, ctx);
    expect(list.ok && channels['hosts:list'].response.parse(list.value)).toHaveLength(1);
  });

  it('keeps error codes across the boundary (a missing host is NOT_FOUND, not a crash)', async () => {
    const { handlers: h } = handlers();
    const result = await dispatch(h, 'hosts:facts', { name: 'nope' }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/nope/) } });
  });
});
