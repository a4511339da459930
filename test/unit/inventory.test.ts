import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../electron/engine/inventory/inventory';
import { importSshConfig } from '../../electron/engine/inventory/ssh-config-import';

const home = () => mkdtempSync(path.join(os.tmpdir(), 'drydock-inv-'));

describe('inventory', () => {
  it('persists hosts and refuses duplicates, dangling jumps and loops', () => {
    const inv = new Inventory(home());
    inv.add({ name: 'bastion', address: 'bastion.example.com', port: 22, user: 'ubuntu', role: 'bastion' });
    inv.add({ name: 'services', address: '10.0.1.238', port: 22, user: 'ubuntu', role: 'services', jump: 'bastion' });
    expect(new Inventory(path.dirname(inv.file)).route('services').map((h) => h.name)).toEqual(['bastion', 'services']);
    expect(() => inv.add({ name: 'services', address: '10.0.1.2', port: 22, user: 'u', role: 'nomad' })).toThrow(/already exists/);
    expect(() => inv.add({ name: 'n1', address: '10.0.1.3', port: 22, user: 'u', role: 'nomad', jump: 'ghost' })).toThrow(/no host named "ghost"/);
    expect(() => inv.remove('bastion')).toThrow(/jump host of services/);
    expect(JSON.parse(readFileSync(inv.file, 'utf8')).hosts).toHaveLength(2);
  });

  it('writes nothing for an invalid host', () => {
    const inv = new Inventory(home());
    expect(() => inv.add({ name: 'x', address: '10.0.0.300', port: 22, user: 'root', role: 'services' })).toThrow(/address/);
    expect(inv.list()).toEqual([]);
  });
});

describe('import from ~/.ssh/config', () => {
  it('takes Host, HostName, User, Port, IdentityFile and ProxyJump, with wildcard defaults', () => {
    const file = path.join(home(), 'config');
    writeFileSync(
      file,
      [
        'Host bastion',
        '  HostName 203.0.113.10',
        '  User ec2-user',
        'Host circleci-services',
        '  HostName 10.0.1.238',
        '  Port 2222',
        '  IdentityFile ~/.ssh/circleci.pem',
        '  ProxyJump bastion',
        'Host nomad-1 nomad-2',
        '  HostName 10.0.1.50',
        '  ProxyJump admin@jump.example.com:2200',
        'Host *',
        '  User ubuntu',
        '',
      ].join('\n'),
    );
    const { hosts, skipped } = importSshConfig(file);
    expect(skipped).toEqual([]);
    const byName = Object.fromEntries(hosts.map((h) => [h.name, h]));
    expect(byName.bastion).toMatchObject({ address: '203.0.113.10', user: 'ec2-user', role: 'bastion', port: 22 });
    expect(byName['circleci-services']).toMatchObject({ address: '10.0.1.238', port: 2222, user: 'ubuntu', role: 'services', jump: 'bastion', keyPath: path.join(os.homedir(), '.ssh/circleci.pem') });
    expect(byName['nomad-1']).toMatchObject({ role: 'nomad', jump: 'jump.example.com' });
    expect(byName['jump.example.com']).toMatchObject({ address: 'jump.example.com', port: 2200, user: 'admin', role: 'bastion' });
    // The result must be importable as one write.
    const inv = new Inventory(home());
    inv.upsertAll(hosts);
    expect(inv.route('nomad-2').map((h) => h.name)).toEqual(['jump.example.com', 'nomad-2']);
  });
});
