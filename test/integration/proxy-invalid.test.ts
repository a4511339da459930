/**
 * Bad proxy settings are refused with a message naming the field, from the
 * GUI's channel and from the CLI alike, before anything reaches a host: the
 * hosts' files are untouched and the audit log records no write (nor any
 * command at all).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOMAD, bundleCli, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let cli: ReturnType<typeof bundleCli>;
let originals: Record<string, string | null>;

const auditLines = () => {
  try {
    return readFileSync(path.join(w.fx.home, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const pwned = () => w.lab.hosts.services.exec('ls /tmp/pwned 2>/dev/null; ls /pwned 2>/dev/null').stdout.trim();

beforeAll(async () => {
  cli = bundleCli();
  w = await startProxyWorld();
  originals = w.snapshot();
});

afterAll(async () => {
  await w?.dispose();
  cli?.dispose();
});

const BAD: [string, RegExp][] = [
  ['10.0.0.1:3128', /no protocol: write it as <protocol>:\/\/<host>:<port>, e\.g\. http:\/\/10\.0\.0\.1:3128/],
  ['http://proxy', /no port/],
  ['http://h:99999', /port 99999 is out of range: use 1 to 65535/],
  ['http://proxy .corp:3128', /contains a space/],
  ['http://proxy:3128"', /contains a double quote/],
  ["http://pro'xy:3128", /contains a single quote/],
  ['http://$(touch /pwned):3128', /contains "\$"/],
  ['http://`touch /pwned`:3128', /contains a backquote/],
  ['http://u:p@ss@proxy:3128', /%40/],
];

describe('invalid proxy settings', () => {
  it.each(BAD)('the channel refuses %j with its reason, touching no host', async (url, why) => {
    const before = auditLines().length;
    const apply = w.call('proxy:apply', { settings: { proxy: url }, restartReplicated: true, restartDocker: [...NOMAD] });
    await expect(apply).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(why) });
    const err = await apply.catch((e: { details?: { fields?: { path: string[] }[] } }) => e);
    expect(err.details?.fields?.[0].path).toEqual(['settings', 'proxy']);
    await expect(w.call('proxy:plan', { proxy: url })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(auditLines().length).toBe(before);
    expect(w.snapshot()).toEqual(originals);
  });

  it.each(BAD)('the CLI refuses %j with exit 2 and the reason, touching no host', async (url, why) => {
    const before = auditLines();
    const ran = await cli.run(['proxy', 'apply', '--proxy', url, '--yes'], { DRYDOCK_HOME: w.fx.home });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(why);
    expect(ran.stderr).toContain('nothing was written');
    const after = auditLines();
    expect(after.slice(before.length).map((l) => JSON.parse(l) as { kind: string }).filter((e) => e.kind === 'file')).toEqual([]);
    expect(after.length).toBe(before.length);
    expect(w.snapshot()).toEqual(originals);
    expect(pwned()).toBe('');
  });

  it('names every bad field at once: HTTPS proxy, no-proxy entries, credentials', async () => {
    const ran = await cli.run(['proxy', 'plan', '--proxy', 'http://p:3128', '--https-proxy', 'https://p', '--no-proxy', 'ok.corp,10.0.0.0/8', '--no-proxy', '$(id)'], {
      DRYDOCK_HOME: w.fx.home,
      DRYDOCK_PROXY_PASSWORD: 'secret-without-user',
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('HTTPS proxy URL: no port');
    expect(ran.stderr).toContain('CIDR');
    expect(ran.stderr).toMatch(/"\$\(id\)" is not a host name/);
    expect(ran.stderr).toContain('Proxy user: give the user name that goes with the password');
  });

  it('refuses a check URL that is not one, and unknown options', async () => {
    await expect(w.call('proxy:apply', { settings: { proxy: 'http://p:3128' }, restartReplicated: false, restartDocker: [], verifyUrl: 'ghe; reboot' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('Check URL'),
    });
    const ran = await cli.run(['proxy', 'apply', '--proxy', 'http://p:3128', '--noproxy', 'x'], { DRYDOCK_HOME: w.fx.home });
    expect(ran.code).toBe(2);
    expect(w.snapshot()).toEqual(originals);
  });
});
