/**
 * The proxy files rendered from settings: other keys and lines survive, a
 * second render changes nothing, and no hostile content becomes syntax.
 */
import { describe, expect, it } from 'vitest';
import { proxySettings } from '../../shared/proxy/input';
import {
  lowerCaseProxyVariables,
  mergeJvmOpts,
  renderCustomizations,
  renderDockerDropIn,
  renderEnvironment,
  renderReplicatedConf,
  UnreadableFileError,
} from '../../shared/proxy/render';
import { readVariable } from '../../shared/proxy/env-file';

const { settings: s } = proxySettings(
  { proxy: 'http://10.0.0.33:3128', proxyUser: 'ci', proxyPassword: 'p@ss%', aws: true, noProxy: ['.corp.example'] },
  { services: ['10.0.1.238'], ghe: ['ghe.example.com'], nomadClients: [{ name: 'n1', address: '10.0.1.50' }] },
);

describe('replicated.conf', () => {
  const conf = '{\n    "DaemonAuthenticationType": "password",\n    "DaemonAuthenticationPassword": "s3cret",\n    "BypassPreflightChecks": true\n}\n';

  it('merges HttpProxy and keeps every other key and the indentation', () => {
    const out = renderReplicatedConf(conf, s);
    expect(JSON.parse(out)).toEqual({ DaemonAuthenticationType: 'password', DaemonAuthenticationPassword: 's3cret', BypassPreflightChecks: true, HttpProxy: s.http.url });
    expect(out).toContain('\n    "HttpProxy"');
    expect(renderReplicatedConf(out, s)).toBe(out);
  });

  it('creates the file when missing', () => {
    expect(JSON.parse(renderReplicatedConf(null, s))).toEqual({ HttpProxy: 'http://ci:p%40ss%25@10.0.0.33:3128' });
  });

  it.each(['{ not json', '[1,2]', '"str"', 'null'])('refuses to rewrite %j', (bad) => {
    expect(() => renderReplicatedConf(bad, s)).toThrow(UnreadableFileError);
  });

  it('keeps hostile values of other keys as data', () => {
    const hostile = JSON.stringify({ Note: '"; rm -rf / #\n$(reboot)', HttpProxy: 'http://old:1' });
    const out = JSON.parse(renderReplicatedConf(hostile, s));
    expect(out.Note).toBe('"; rm -rf / #\n$(reboot)');
    expect(out.HttpProxy).toBe(s.http.url);
  });
});

describe('/etc/circle-installation-customizations', () => {
  const before = '# set by the installer\nexport CIRCLE_URL="https://ci.example.com"\nexport JVM_HEAP_SIZE="4g"\nexport HTTP_PROXY="http://old:1"\nexport HTTP_PROXY="http://older:2"\n';

  it('replaces the proxy variables in place, drops later duplicates, keeps every other line', () => {
    const out = renderCustomizations(before, s);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('# set by the installer');
    expect(lines[1]).toBe('export CIRCLE_URL="https://ci.example.com"');
    expect(lines[2]).toBe('export JVM_HEAP_SIZE="4g"');
    expect(lines[3]).toBe(`export HTTP_PROXY="${s.http.url}"`);
    expect(lines.filter((l) => l.includes('HTTP_PROXY=')).length).toBe(1);
    expect(lines.every((l) => l.startsWith('#') || /^export [A-Z_]+=".*"$/.test(l))).toBe(true);
    expect(renderCustomizations(out, s)).toBe(out);
  });

  it('writes JVM_OPTS with the guide flags and keeps the admin’s own flags', () => {
    const out = renderCustomizations('export JVM_OPTS="-Xss2m -Dhttp.proxyHost=old"\n', s);
    const jvm = readVariable(out, 'JVM_OPTS')!;
    expect(jvm.split(' ')).toEqual([
      '-Xss2m',
      '-Dhttp.proxyHost=10.0.0.33',
      '-Dhttp.proxyPort=3128',
      '-Dhttps.proxyHost=10.0.0.33',
      '-Dhttps.proxyPort=3128',
      `-Dhttp.nonProxyHosts=${s.javaNonProxyHosts.join('|')}`,
    ]);
    expect(jvm).toContain('|*.s3.amazonaws.com');
  });

  it('replaces a JVM_OPTS it cannot read as plain words whole', () => {
    expect(mergeJvmOpts('$(evil) "x"', s)).not.toContain('evil');
  });

  it('keeps a file without a final newline unchanged when nothing changes', () => {
    const done = renderCustomizations('export CIRCLE_URL="x"', s).trimEnd();
    expect(renderCustomizations(done, s)).toBe(done);
  });
});

describe('/etc/environment', () => {
  it('uses plain VAR="value" lines and keeps PATH', () => {
    const out = renderEnvironment('PATH="/usr/local/sbin:/usr/bin"\n', s);
    expect(out.split('\n')[0]).toBe('PATH="/usr/local/sbin:/usr/bin"');
    expect(out).toContain(`\nHTTP_PROXY="${s.http.url}"\n`);
    expect(out).not.toMatch(/^export /m);
  });

  it('carries the lower-case names too, which curl and wget read for http:// URLs', () => {
    const out = renderEnvironment('PATH="/usr/bin"\nhttp_proxy="http://old.proxy:1"\n', s);
    expect(out).toContain(`\nhttp_proxy="${s.http.url}"\n`);
    expect(out).toContain(`\nhttps_proxy="${s.https.url}"\n`);
    expect(out).toContain(`\nno_proxy="${s.noProxy.join(',')}"\n`);
    expect(out).not.toContain('old.proxy');
    expect(out.match(/^http_proxy=/gm)).toHaveLength(1);
    expect(renderEnvironment(out, s)).toBe(out);
  });

  it('notices lower-case proxy variables the admin set earlier', () => {
    expect(lowerCaseProxyVariables('http_proxy="http://old:1"\nno_proxy=""\n')).toEqual(['http_proxy']);
  });
});

describe('Docker drop-in', () => {
  it('quotes each assignment and doubles % for systemd', () => {
    const out = renderDockerDropIn(s);
    expect(out).toContain('[Service]\n');
    expect(out).toContain('"HTTP_PROXY=http://ci:p%%40ss%%25@10.0.0.33:3128"');
    expect(out).toMatch(/"NO_PROXY=127\.0\.0\.1,localhost,10\.0\.1\.238,[^"]*"/);
  });
});

describe('hostile settings never reach a file', () => {
  it('refuses values carrying quotes, $, backslashes or new lines', () => {
    const evil = { ...s, noProxy: ['a"; reboot; "'] };
    expect(() => renderEnvironment('', evil)).toThrow(/"/);
    expect(() => renderCustomizations('', { ...s, noProxy: ['$(reboot)'] })).toThrow(/\$/);
    expect(() => renderDockerDropIn({ ...s, noProxy: ['a\nExecStart=/bin/evil'] })).toThrow(/control character/);
  });
});
