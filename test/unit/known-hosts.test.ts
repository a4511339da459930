import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnownHosts, patternsMatch } from '../../electron/engine/ssh/known-hosts';
import { fingerprintOf, keyTypeOf } from '../../electron/engine/ssh/fingerprint';

function newKey(dir: string, name: string, type = 'ed25519'): { keyType: string; key: string; fingerprint: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
  const [keyType, key] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { keyType, key, fingerprint };
}

describe('known_hosts', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-kh-'));

  it('computes the fingerprint ssh-keygen -lf prints, for each key type', () => {
    for (const type of ['ed25519', 'ecdsa', 'rsa']) {
      const k = newKey(dir, `fp-${type}`, type);
      const blob = Buffer.from(k.key, 'base64');
      expect(fingerprintOf(blob)).toBe(k.fingerprint);
      expect(keyTypeOf(blob)).toBe(k.keyType);
    }
  });

  it('round-trips: what we write, ssh-keygen -F finds and we read back', () => {
    const file = path.join(dir, 'kh-roundtrip');
    const kh = new KnownHosts(file);
    const a = newKey(dir, 'a');
    const b = newKey(dir, 'b');
    kh.add('10.0.1.238', a.keyType, a.key, 'drydock:services');
    kh.add('[10.0.1.50]:2222', b.keyType, b.key);
    expect(kh.lookup('10.0.1.238')).toEqual([{ keyType: a.keyType, key: a.key, fingerprint: a.fingerprint }]);
    expect(kh.lookup('[10.0.1.50]:2222')[0].fingerprint).toBe(b.fingerprint);
    expect(kh.lookup('10.0.1.50')).toEqual([]);
    const found = execFileSync('ssh-keygen', ['-F', '[10.0.1.50]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(b.key);
    expect(execFileSync('ssh-keygen', ['-F', '10.0.1.238', '-f', file], { encoding: 'utf8' })).toContain(a.key);
    expect(kh.remove('10.0.1.238')).toBe(1);
    expect(kh.lookup('10.0.1.238')).toEqual([]);
    expect(kh.lookup('[10.0.1.50]:2222')).toHaveLength(1);
  });

  it('imports plain and hashed entries from an OpenSSH known_hosts, and honours @revoked', () => {
    const user = path.join(dir, 'user-known-hosts');
    const plain = newKey(dir, 'plain');
    const hashed = newKey(dir, 'hashed');
    const revoked = newKey(dir, 'revoked');
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('ghe.example.com').digest('base64');
    writeFileSync(
      user,
      [
        '# comment',
        `services.example.com,10.0.1.238 ${plain.keyType} ${plain.key}`,
        `|1|${salt.toString('base64')}|${hash} ${hashed.keyType} ${hashed.key}`,
        `nomad-1 ${revoked.keyType} ${revoked.key}`,
        `@revoked nomad-1 ${revoked.keyType} ${revoked.key}`,
        '',
      ].join('\n'),
    );
    const kh = new KnownHosts(path.join(dir, 'kh-import'));
    const { imported, conflicts } = kh.importFrom(user, ['10.0.1.238', 'ghe.example.com', 'nomad-1', 'unknown']);
    expect(imported.map((i) => i.name)).toEqual(['10.0.1.238', 'ghe.example.com']);
    expect(conflicts).toEqual([]);
    expect(kh.lookup('ghe.example.com')[0].fingerprint).toBe(hashed.fingerprint);
  });

  it('never replaces a trusted key through an import (that would bypass the changed-key refusal)', () => {
    const trusted = newKey(dir, 'trusted');
    const other = newKey(dir, 'other');
    const kh = new KnownHosts(path.join(dir, 'kh-conflict'));
    kh.add('10.0.1.238', trusted.keyType, trusted.key);
    const user = path.join(dir, 'user-known-hosts-conflict');
    writeFileSync(user, `10.0.1.238 ${other.keyType} ${other.key}\n`);
    const { imported, conflicts } = kh.importFrom(user, ['10.0.1.238']);
    expect(imported).toEqual([]);
    expect(conflicts).toEqual([{ name: '10.0.1.238', stored: trusted.fingerprint, offered: other.fingerprint }]);
    expect(kh.lookup('10.0.1.238').map((k) => k.fingerprint)).toEqual([trusted.fingerprint]);
  });

  it('matches OpenSSH patterns: wildcards and negation', () => {
    expect(patternsMatch('*.example.com,!bad.example.com', 'ci.example.com')).toBe(true);
    expect(patternsMatch('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(patternsMatch('10.0.1.?', '10.0.1.7')).toBe(true);
    expect(patternsMatch('10.0.1.?', '10.0.1.70')).toBe(false);
  });
});

describe('known_hosts bookkeeping (issue 7 item 12)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-kh12-'));
  const hashedName = (name: string) => {
    const salt = randomBytes(20);
    return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  };

  it('forgets hashed entries, keeps other names of a shared line, and keeps @revoked lines', () => {
    const a = newKey(dir, 'a');
    const b = newKey(dir, 'b');
    const file = path.join(dir, 'kh');
    writeFileSync(
      file,
      [
        `${hashedName('10.0.1.238')} ${a.keyType} ${a.key}`,
        `${hashedName('10.0.1.239')} ${a.keyType} ${a.key}`,
        `services.example.com,10.0.1.238 ${a.keyType} ${a.key} shared`,
        `@revoked 10.0.1.238 ${b.keyType} ${b.key}`,
        '',
      ].join('\n'),
    );
    const kh = new KnownHosts(file);
    expect(kh.remove('10.0.1.238')).toBe(2);
    expect(kh.lookup('10.0.1.238')).toEqual([]);
    expect(kh.lookup('10.0.1.239')).toHaveLength(1);
    expect(kh.lookup('services.example.com')).toHaveLength(1);
    expect(kh.revoked('10.0.1.238').map((k) => k.fingerprint)).toEqual([b.fingerprint]);
    // ssh-keygen agrees: only the revocation is left for the host.
    const found = execFileSync('ssh-keygen', ['-F', '10.0.1.238', '-f', file], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(found).toEqual([`@revoked 10.0.1.238 ${b.keyType} ${b.key}`]);
  });

  it('does not import a key this file marks @revoked', () => {
    const bad = newKey(dir, 'bad');
    const kh = new KnownHosts(path.join(dir, 'kh-revoked'));
    writeFileSync(kh.file, `@revoked 10.0.1.238 ${bad.keyType} ${bad.key}\n`);
    const user = path.join(dir, 'user-kh');
    writeFileSync(user, `10.0.1.238 ${bad.keyType} ${bad.key}\n`);
    expect(kh.importFrom(user, ['10.0.1.238'])).toEqual({ imported: [], conflicts: [], revoked: [{ name: '10.0.1.238', offered: bad.fingerprint }] });
    expect(readFileSync(kh.file, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
