import { describe, expect, it } from 'vitest';
import { parseDaemonVersion, parseDf, parseMemTotal, parseOsRelease, parseToolVersion, sections } from '../../electron/engine/operations/health/parse-facts';

describe('host facts parsers', () => {
  it('reads os-release of Ubuntu and RHEL-likes', () => {
    expect(parseOsRelease('NAME="Ubuntu"\nVERSION_ID="16.04"\nID=ubuntu\n')).toEqual({ id: 'ubuntu', name: 'Ubuntu', version: '16.04' });
    expect(parseOsRelease("NAME='Red Hat Enterprise Linux'\nID=\"rhel\"\nVERSION_ID=\"8.9\"")).toEqual({ id: 'rhel', name: 'Red Hat Enterprise Linux', version: '8.9' });
  });

  it('reads MemTotal in bytes', () => {
    expect(parseMemTotal('MemTotal:       16314936 kB\nMemFree: 1 kB')).toBe(16314936 * 1024);
  });

  it('keeps real filesystems from df -PkT, with mount points containing spaces', () => {
    const df = [
      'Filesystem     Type     1024-blocks     Used Available Capacity Mounted on',
      '/dev/xvda1     ext4       103080224 40000000  63080224      39% /',
      'tmpfs          tmpfs        8157468        0   8157468       0% /dev/shm',
      '/dev/xvdb      xfs        209612800  1000000 208612800       1% /data/circle storage',
    ].join('\n');
    expect(parseDf(df)).toEqual([
      { mount: '/', filesystem: 'ext4', sizeBytes: 103080224 * 1024, freeBytes: 63080224 * 1024 },
      { mount: '/data/circle storage', filesystem: 'xfs', sizeBytes: 209612800 * 1024, freeBytes: 208612800 * 1024 },
    ]);
  });

  it("takes the daemon's version only when docker printed one", () => {
    expect(parseDaemonVersion('19.03.15\n')).toBe('19.03.15');
    expect(parseDaemonVersion('20.10.24+dfsg1\n')).toBe('20.10.24+dfsg1');
    expect(parseDaemonVersion('')).toBeNull();
    expect(parseDaemonVersion('Cannot connect to the Docker daemon at unix:///var/run/docker.sock.')).toBeNull();
  });

  it('finds versions in the tools the guide names', () => {
    expect(parseToolVersion('Docker version 18.09.9, build 039a7df')).toBe('18.09.9');
    expect(parseToolVersion('Nomad v0.9.3 (c5e8b66c3789e4e7f9a83b4e188e9a937eea43ce)')).toBe('0.9.3');
    expect(parseToolVersion('2.38.6')).toBe('2.38.6');
    expect(parseToolVersion('')).toBeNull();
  });

  it('splits script output at its separators even when a section is empty', () => {
    expect(sections('a\n---drydock---\n---drydock---\nc\n', 3)).toEqual(['a\n', '', 'c\n']);
    expect(sections('a\n', 3)).toEqual(['a\n', '', '']);
  });
});
