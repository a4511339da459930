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

describe('issue 7 item 11: nothing invalid gets in, and one bad entry does not stop the rest', () => {
  it('validates inline ProxyJump bastions and skips them (and the hosts behind them) with a reason', () => {
    const file = path.join(home(), 'config');
    writeFileSync(
      file,
      [
        'Host nomad-1',
        '  HostName 10.0.1.50',
        '  User ubuntu',
        '  ProxyJump admin@jump.example.com:99999',
        'Host nomad-2',
        '  HostName 10.0.1.51',
        '  User ubuntu',
        '  ProxyJump bad;user@jump2.example.com',
        'Host services',
        '  HostName 10.0.1.238',
        '  User ubuntu',
        '  ProxyJump ok@bastion.example.com:2200',
        'Host nomad-3',
        '  HostName 10.0.1.52',
        '  User ubuntu',
        '  ProxyJump nomad-9',
        'Host nomad-9',
        '  HostName 10.0.1.300',
        'Host loop-a',
        '  HostName 10.0.2.1',
        '  ProxyJump loop-b',
        'Host loop-b',
        '  HostName 10.0.2.2',
        '  ProxyJump loop-a',
        '',
      ].join('\n'),
    );
    const { hosts, skipped } = importSshConfig(file);
    expect(hosts.map((h) => h.name).sort()).toEqual(['bastion.example.com', 'services']);
    const reasons = Object.fromEntries(skipped.map((s) => [s.name, s.reason]));
    expect(reasons['jump.example.com']).toMatch(/ProxyJump admin@jump.example.com:99999 .*port/);
    expect(reasons['jump2.example.com']).toMatch(/user/);
    expect(reasons['nomad-1']).toMatch(/jump host "jump.example.com" was skipped/);
    expect(reasons['nomad-2']).toMatch(/jump host "jump2.example.com" was skipped/);
    expect(reasons['nomad-9']).toMatch(/address/);
    expect(reasons['nomad-3']).toMatch(/jump host "nomad-9" was skipped/);
    expect(reasons['loop-a']).toMatch(/loops back/);
    expect(reasons['loop-b']).toMatch(/loops back|jump host "loop-a" was skipped/);
    const inv = new Inventory(home());
    inv.upsertAll(hosts);
    expect(inv.problems()).toEqual([]);
    expect(inv.route('services').map((h) => h.name)).toEqual(['bastion.example.com', 'services']);
  });

  it('loads the good entries of a hosts.json with a bad one, names file, entry and field, and keeps the bad one on save', () => {
    const dir = home();
    const inv = new Inventory(dir);
    inv.add({ name: 'services', address: '10.0.1.238', port: 22, user: 'ubuntu', role: 'services' });
    const data = JSON.parse(readFileSync(inv.file, 'utf8'));
    data.hosts.push({ name: 'nomad-1', address: '10.0.1.50', port: 99999, user: 'ubuntu', role: 'nomad' });
    writeFileSync(inv.file, JSON.stringify(data));

    expect(inv.list().map((h) => h.name)).toEqual(['services']);
    expect(inv.problems()).toEqual([{ file: inv.file, entry: 2, name: 'nomad-1', problem: expect.stringMatching(/^port: /) }]);
    expect(() => inv.get('nomad-1')).toThrow(/hosts\.json: entry 2 \("nomad-1"\) skipped: port: /);
    expect(() => inv.add({ name: 'nomad-1', address: '10.0.1.50', port: 22, user: 'ubuntu', role: 'nomad' })).toThrow(/Entry 2 .* also named "nomad-1"/);

    inv.add({ name: 'nomad-2', address: '10.0.1.51', port: 22, user: 'ubuntu', role: 'nomad' });
    const saved = JSON.parse(readFileSync(inv.file, 'utf8')).hosts;
    expect(saved.map((h: { name: string }) => h.name)).toEqual(['services', 'nomad-1', 'nomad-2']);
    expect(saved[1].port).toBe(99999);
  });

  it('names the file when hosts.json is not JSON', () => {
    const inv = new Inventory(home());
    writeFileSync(inv.file, '{"version": 1, "hosts": [');
    expect(() => inv.list()).toThrow(new RegExp(`${inv.file.replace(/[.]/g, '\\.')} is not valid JSON`));
  });
});
