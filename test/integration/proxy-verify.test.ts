/**
 * Verification proves the written files, through a real forward proxy: it
 * fails clearly when the files name a proxy that is not there or refuse the
 * credentials, and passes with an authenticated proxy whose password (with
 * characters that mean something to sh, URLs and systemd) arrives intact and
 * never shows in the audit log.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

const PASSWORD = `p@ss w0rd%$'"`;
let w: ProxyWorld;
let proxy: LabHttpProxy;
let origin: LabOrigin;

beforeAll(async () => {
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy({ credentials: { user: 'ci-bot', password: PASSWORD } }), startOrigin()]);
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
});

const noRestart = { restartReplicated: false, restartDocker: [] };

describe('proxy verify', () => {
  it('fails clearly when the files name a proxy nobody answers on', async () => {
    const result = await w.call('proxy:apply', { settings: { proxy: 'http://127.0.78.1:9' }, ...noRestart, verifyUrl: origin.url });
    expect(result.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-1', 'Docker on nomad-2']);
    expect(result.verification.map((r) => r.ok)).toEqual([false, false, false]);
    expect(result.verification[0].message).toMatch(/^curl got no answer through the proxy 127\.0\.78\.1:9: curl: \(7\).*connect.*; wget got no answer through the proxy 127\.0\.78\.1:9: .*refused.* \(with \/etc\/circle-installation-customizations sourced\)$/i);
    expect(result.verification[1].message).toContain('/etc/environment');
    expect(origin.hits).toEqual([]);
  });

  it('fails with the 407 reason when the proxy wants credentials the files do not carry', async () => {
    await w.call('proxy:apply', { settings: { proxy: proxy.url }, ...noRestart });
    const { results } = await w.call('proxy:verify', { url: origin.url });
    expect(results.every((r) => !r.ok && r.httpCode === 407)).toBe(true);
    expect(results[0].message).toMatch(/credentials.*407/);
    expect(proxy.requests.every((r) => r.status === 407)).toBe(true);
  });

  it('passes with an authenticated proxy: the password reaches the proxy intact and stays out of the log', async () => {
    proxy.requests.length = 0;
    const result = await w.call('proxy:apply', { settings: { proxy: proxy.url, proxyUser: 'ci-bot', proxyPassword: PASSWORD }, restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url });
    expect(result.verification.map((r) => [r.host, r.ok])).toEqual([['services', true], ['nomad-1', true], ['nomad-2', true]]);
    // curl and wget on each host both read the password from the URL-encoded variables.
    expect(proxy.requests.map((r) => r.credentials)).toEqual(Array(6).fill(`ci-bot:${PASSWORD}`));
    expect(origin.hits).toHaveLength(6);
    expect(result.pendingRestarts).toEqual([]);

    // Docker's unit reads the URL with % doubled for systemd.
    for (const n of NOMAD) {
      expect(w.lab.hosts[n].readFile('/etc/systemd/system/docker.service.d/http-proxy.conf')).toContain('HTTP_PROXY=http://ci-bot:p%%40ss%%20w0rd%%25%%24%%27%%22@');
    }
    const audit = readFileSync(path.join(w.fx.home, 'audit.jsonl'), 'utf8');
    expect(audit).not.toContain(PASSWORD);
    expect(audit).not.toContain('p%40ss%20w0rd');
    const runs = await w.call('runs:list', {});
    expect(JSON.stringify(runs)).not.toContain('p%40ss');
    // Nor is it on the laptop's disk: runbooks keep a marker in its place.
    const runbooks = readdirSync(path.join(w.fx.home, 'runs')).map((f) => readFileSync(path.join(w.fx.home, 'runs', f), 'utf8')).join('\n');
    expect(runbooks).not.toContain(PASSWORD);
    expect(runbooks).not.toContain('p%40ss');
    expect(runbooks).toContain('[secret: not stored]');
  });
});
