/** NO_PROXY assembled from the hosts, and its Java spelling. */
import { describe, expect, it } from 'vitest';
import { assembleNoProxy, checkNoProxyEntry, javaNonProxyHosts, noProxyValue, splitNoProxy } from '../../shared/proxy/no-proxy';

const sources = {
  services: ['10.0.1.238', '10.0.1.238'],
  ghe: ['ghe.example.com'],
  nomadClients: [
    { name: 'nomad-1', address: '10.0.1.50' },
    { name: 'nomad-2', address: '10.0.1.51' },
  ],
  aws: true,
  extras: ['LOCALHOST', '.corp.example', '*.corp.example', 'artifacts.corp.example'],
};

describe('assembleNoProxy', () => {
  it('lists loopback, Services, GHE, every client and AWS, then the extras, without duplicates', () => {
    const entries = assembleNoProxy(sources);
    expect(noProxyValue(entries)).toBe(
      '127.0.0.1,localhost,10.0.1.238,ghe.example.com,10.0.1.50,10.0.1.51,169.254.169.254,s3.amazonaws.com,*.s3.amazonaws.com,.corp.example,artifacts.corp.example',
    );
    expect(entries.find((e) => e.value === '10.0.1.51')?.why).toBe('Nomad client nomad-2');
  });

  it('leaves AWS out when not on AWS', () => {
    expect(noProxyValue(assembleNoProxy({ ...sources, aws: false }))).not.toMatch(/169\.254|amazonaws/);
  });

  it('gives Java `|`-separable entries with `*.` wildcards', () => {
    const java = javaNonProxyHosts(assembleNoProxy(sources));
    expect(java).toContain('*.s3.amazonaws.com');
    expect(java).toContain('*.corp.example');
    expect(java).not.toContain('.corp.example');
    expect(java.join('|')).not.toMatch(/,/);
  });
});

describe('checkNoProxyEntry', () => {
  it.each(['ghe.example.com', '10.0.0.7', '.corp.example', '*.corp.example', 'fd00::1', 'localhost'])('accepts %s', (e) => {
    expect(checkNoProxyEntry(e)).toBeNull();
  });
  it.each([
    ['', /empty/],
    ['a b', /space/],
    ['10.0.0.0/8', /CIDR/],
    ['*', /everything/],
    ['*.10.0.0.1', /IP address/],
    ['$(reboot)', /not a host name/],
    ['host"', /not a host name/],
    ['host:8080', /not a host name/],
    ['300.1.1.1', /not a host name/],
    ['a|b', /not a host name/],
  ])('refuses %j', (e, why) => {
    expect(checkNoProxyEntry(e)).toMatch(why);
  });

  it('splits what the admin typed on commas, spaces and new lines', () => {
    expect(splitNoProxy(' a.example, b.example\nc.example ,,')).toEqual(['a.example', 'b.example', 'c.example']);
  });
});
