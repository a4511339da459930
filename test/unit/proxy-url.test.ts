/**
 * Proxy URLs: the guide's `<protocol>://<host>:<port>` and nothing a shell,
 * pam_env or systemd could read differently from what the admin meant.
 */
import { describe, expect, it } from 'vitest';
import { encodeCredential, maskedUrl, parseProxyUrl, withCredentials } from '../../shared/proxy/proxy-url';
import { proxyIssues, ProxyRequestSchema } from '../../shared/proxy/input';

const error = (url: string) => {
  const r = parseProxyUrl(url);
  if (r.ok) throw new Error(`accepted ${url}`);
  return r.error;
};

describe('parseProxyUrl', () => {
  it('accepts the guide form, names, IPv6 and encoded credentials', () => {
    expect(parseProxyUrl('http://10.0.0.33:3128')).toEqual({ ok: true, value: { protocol: 'http', host: '10.0.0.33', port: 3128, url: 'http://10.0.0.33:3128' } });
    expect(parseProxyUrl('https://proxy.corp.example:8443/').ok).toBe(true);
    const v6 = parseProxyUrl('http://[fd00::1]:3128');
    expect(v6.ok && v6.value.host).toBe('fd00::1');
    expect(v6.ok && v6.value.url).toBe('http://[fd00::1]:3128');
    const auth = parseProxyUrl('http://svc-ci:p%40ss%3Aw0rd@proxy:3128');
    expect(auth.ok && auth.value).toMatchObject({ username: 'svc-ci', password: 'p%40ss%3Aw0rd', url: 'http://svc-ci:p%40ss%3Aw0rd@proxy:3128' });
  });

  it.each([
    ['10.0.0.1:3128', /no protocol.*http:\/\/10\.0\.0\.1:3128/],
    ['http://proxy', /no port/],
    ['http://h:99999', /port 99999 is out of range/],
    ['http://h:0', /out of range/],
    ['http://h:-1', /"-"|out of range/],
    ['http://h:31 28', /a space/],
    [' http://h:3128', /spaces around/],
    ['http://h:3128\n', /spaces around|control/],
    ['"http://h:3128"', /double quote/],
    ["http://h:3128'", /single quote/],
    ['http://$(reboot):3128', /"\$"/],
    ['http://`id`:3128', /backquote/],
    ['http://h:3128;rm -rf /', /";"|a space/],
    ['http://h:3128/path', /no path/],
    ['http://h:3128?x=1', /"\?"/],
    ['socks5://h:1080', /http:\/\/ or https:\/\//],
    ['ftp://h:21', /http:\/\/ or https:\/\//],
    ['http://:3128', /no host/],
    ['http://fd00::1:3128', /IPv6 address needs brackets/],
    ['http://[nothex]:3128', /not an IPv6/],
    ['http://999.1.1.1:3128', /not a host name or IP/],
    ['http://user:p@ss@h:3128', /%40/],
    ['http://user:pa:ss@h:3128', /%3A/],
    ['http://user:pa%zzss@h:3128', /%25/],
    ['http://:pw@h:3128', /user name before "@" is empty/],
    ['http://us\u00e9r@h:3128', /"é"|%C3%A9/],
    ['http://h\u0000:3128', /control character/],
    ['', /<protocol>:\/\/<host>:<port>/],
  ])('refuses %j with a message', (url, message) => {
    expect(error(url)).toMatch(message);
    expect(error(url)).toMatch(/^Proxy URL: /);
  });

  it('tells how to encode an offending character', () => {
    expect(error('http://u:pa$$@h:1')).toContain('%24');
    expect(error('http://u:pa ss@h:1')).toContain('%20');
  });
});

describe('credentials', () => {
  it('encodes everything but unreserved characters, so nothing shell-special survives', () => {
    const hostile = `p@ss:w"o'r$d\`\\ %;|&$(x)\n`;
    const enc = encodeCredential(hostile);
    expect(enc).toMatch(/^[A-Za-z0-9._~%-]+$/);
    expect(decodeURIComponent(enc)).toBe(hostile);
  });

  it('folds separate credentials into the URL and masks the password for display', () => {
    const r = parseProxyUrl('http://proxy:3128');
    if (!r.ok) throw new Error(r.error);
    const e = withCredentials(r.value, 'ci bot', 'p@ss');
    expect(e.url).toBe('http://ci%20bot:p%40ss@proxy:3128');
    expect(maskedUrl(e)).toBe('http://ci%20bot:***@proxy:3128');
  });

  it('refuses credentials in two places, and a password without a user', () => {
    expect(proxyIssues({ proxy: 'http://a:b@proxy:3128', proxyUser: 'c' }).map((i) => i.path)).toEqual([['proxyUser']]);
    expect(proxyIssues({ proxy: 'http://proxy:3128', proxyPassword: 'pw' })[0].message).toMatch(/user name/);
  });
});

describe('ProxyRequestSchema', () => {
  it('names every bad field', () => {
    const r = ProxyRequestSchema.safeParse({ proxy: 'proxy:3128', httpsProxy: 'https://p', noProxy: ['ok.example.com', 'bad host', '10.0.0.0/8'] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['proxy', 'httpsProxy', 'noProxy.1', 'noProxy.2']);
  });

  it('rejects unknown fields (a typo must not be ignored silently)', () => {
    expect(ProxyRequestSchema.safeParse({ proxy: 'http://p:1', noproxy: [] }).success).toBe(false);
  });
});
