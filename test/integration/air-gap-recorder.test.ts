/**
 * The air-gap recorder catches what it must: a Node process with it loaded
 * (as the e2e servers, the CLI and the demo run) tries a public address over
 * net, TLS and fetch, asks DNS about a name nobody configured, and also
 * reaches loopback and a host of its inventory. Only the first three are
 * violations.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readConnections, recorderEnv, violations } from '../air-gap/connections';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-air-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
const net = require('node:net'), tls = require('node:tls'), dns = require('node:dns');
const quiet = (s) => { s.on('error', () => {}); setTimeout(() => s.destroy(), 300); };
quiet(net.connect(9, '192.0.2.1'));
quiet(tls.connect({ host: '192.0.2.3', port: 443 }));
fetch('http://192.0.2.2:8080/', { signal: AbortSignal.timeout(300) }).catch(() => {});
dns.lookup('updates.example.invalid', () => {});
quiet(net.connect({ host: '127.0.0.1', port: 1 }));
dns.lookup('ghe.practice.test', () => {});
quiet(net.connect({ host: '10.20.30.40', port: 22 }));
const udp = require('node:dgram').createSocket('udp4'); udp.on('error', () => {});
udp.send('x', 123, '192.0.2.4', () => udp.close());
setTimeout(() => process.exit(0), 800);
`;

it('records every attempt and names only those beyond loopback and the inventory', () => {
  const home = path.join(dir, 'home');
  const log = path.join(dir, 'connections.jsonl');
  spawnSync('mkdir', ['-p', home]);
  writeFileSync(path.join(home, 'hosts.json'), JSON.stringify({
    version: 1,
    hosts: [
      { name: 'ghe', address: 'ghe.practice.test', port: 22, user: 'git', role: 'ghe' },
      { name: 'services', address: '10.20.30.40', port: 22, user: 'root', role: 'services' },
    ],
  }));
  const r = spawnSync(process.execPath, ['-e', SCRIPT], { env: { ...process.env, DRYDOCK_HOME: home, ...recorderEnv(log) }, encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  const records = readConnections(log);
  expect(records.filter((x) => x.kind === 'tcp').map((x) => `${x.host}:${x.port}`)).toEqual(
    expect.arrayContaining(['192.0.2.1:9', '192.0.2.3:443', '192.0.2.2:8080', '127.0.0.1:1', '10.20.30.40:22']),
  );
  const found = violations(records).map((v) => v.replace(/^pid \d+ \([^)]*\) /, ''));
  expect(found.sort()).toEqual([
    'asked DNS (lookup) about updates.example.invalid',
    'connected to 192.0.2.1:9',
    'connected to 192.0.2.2:8080',
    'connected to 192.0.2.3:443',
    'connected to 192.0.2.4:123 (UDP)',
  ]);
});

it('stays off unless switched on', () => {
  const log = path.join(dir, 'off.jsonl');
  const env = recorderEnv(log);
  delete (env as Record<string, string | undefined>).DRYDOCK_RECORD_CONNECTIONS;
  const r = spawnSync(process.execPath, ['-e', "require('node:net').connect(1, '127.0.0.1').on('error', () => {})"], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(readConnections(log)).toEqual([]);
});
