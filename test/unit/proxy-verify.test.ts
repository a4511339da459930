/**
 * Reading what the verify script printed: the route each tool took decides,
 * not only the HTTP code, and nothing that could carry the password is
 * echoed back. Plus the mapping from ticked boxes to the restart request:
 * only what the dialog listed and the admin ticked.
 */
import { describe, expect, it } from 'vitest';
import { bypassedBy, interpretVerify } from '../../electron/engine/operations/proxy/verify';
import { restartOutcome, restartRequest } from '../../renderer/wizards/proxy/restart-choices';

const ENV_FILE = '/etc/environment';
const URL = 'http://10.0.9.9:8080/';
const GHE = 'https://ghe.corp/';
const env = (http: string, noproxy = 'localhost,ghe.corp') => `DRYDOCK-VERIFY env http=${http} https=${http} noproxy=${noproxy}`;
const run = (target: string, tool: string, exit: number, code: number, via: string, err = '') => `DRYDOCK-VERIFY ${target} tool=${tool} exit=${exit} code=${code} via=${via} err=${err}`;

describe('interpretVerify', () => {
  it('passes when curl and wget went through the proxy and GHE was reached directly', () => {
    const out = [env('proxy.corp:3128'), run('check', 'curl', 0, 200, 'proxy.corp:3128'), run('check', 'wget', 0, 200, 'proxy.corp:3128'), run('direct', 'curl', 35, 0, 'ghe.corp:443', 'curl: (35) TLS')].join('\n');
    const r = interpretVerify('nomad-1', ENV_FILE, out, URL, GHE);
    expect(r).toEqual({
      host: 'nomad-1',
      ok: true,
      httpCode: 200,
      message: 'curl and wget: HTTP 200 through the proxy proxy.corp:3128, from a fresh login (pam_env reads /etc/environment); ghe.corp (NO_PROXY) reached directly',
    });
  });

  it('fails a tool that went around the proxy, even with HTTP 200', () => {
    const out = [env('proxy.corp:3128'), run('check', 'curl', 0, 200, 'proxy.corp:3128'), run('check', 'wget', 0, 200, '10.0.9.9:8080')].join('\n');
    const r = interpretVerify('nomad-1', ENV_FILE, out, URL, null);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('wget went directly to 10.0.9.9:8080, not through the proxy proxy.corp:3128 (from a fresh login (pam_env reads /etc/environment))');
  });

  it('fails when the login environment names no proxy, and when GHE went through the proxy', () => {
    expect(interpretVerify('n', ENV_FILE, [env(''), run('check', 'curl', 0, 200, '10.0.9.9:8080')].join('\n'), URL, null).message).toMatch(/^curl: no http_proxy from a fresh login/);
    const viaProxy = [env('proxy.corp:3128'), run('check', 'curl', 0, 200, 'proxy.corp:3128'), run('direct', 'curl', 0, 200, 'proxy.corp:3128')].join('\n');
    expect(interpretVerify('n', ENV_FILE, viaProxy, URL, GHE).message).toMatch(/^ghe\.corp went through the proxy although NO_PROXY lists it/);
  });

  it('names a 407, and takes a URL that NO_PROXY lists as expected to go directly', () => {
    const denied = [env('proxy.corp:3128'), run('check', 'curl', 0, 407, 'proxy.corp:3128')].join('\n');
    expect(interpretVerify('n', ENV_FILE, denied, URL, null)).toMatchObject({ ok: false, httpCode: 407, message: expect.stringMatching(/HTTP 407/) });
    const bypassed = [env('proxy.corp:3128', '.corp'), run('check', 'curl', 0, 200, 'ghe.corp:443')].join('\n');
    expect(interpretVerify('n', ENV_FILE, bypassed, GHE, null)).toMatchObject({ ok: true, message: expect.stringMatching(/directly \(NO_PROXY lists ghe\.corp\)/) });
  });

  it('never echoes credentials from output it does not understand', () => {
    const r = interpretVerify('n', ENV_FILE, 'Error parsing proxy URL http://ci:s3cret@proxy:3128', URL, null);
    expect(r.message).not.toContain('s3cret');
  });
});

describe('bypassedBy', () => {
  it('reads NO_PROXY as curl does', () => {
    expect(bypassedBy('localhost,.corp,10.0.0.5', 'ghe.corp')).toBe(true);
    expect(bypassedBy('localhost,corp', 'ghe.corp')).toBe(true);
    expect(bypassedBy('*.corp', 'ghe.corp')).toBe(true);
    expect(bypassedBy('10.0.0.5', '10.0.0.5')).toBe(true);
    expect(bypassedBy('localhost,10.0.0.5', 'notcorp.example')).toBe(false);
    expect(bypassedBy('', 'x')).toBe(false);
  });
});

describe('restart request from the ticked boxes', () => {
  const shown = { replicated: true, docker: ['nomad-1', 'nomad-2'] };
  it('sends only what was listed and ticked', () => {
    expect(restartRequest(shown, { replicated: false, docker: false })).toEqual({ restartReplicated: false, restartDocker: [] });
    expect(restartRequest(shown, { replicated: true, docker: false })).toEqual({ restartReplicated: true, restartDocker: [] });
    // A box that was not shown sends nothing, whatever its state.
    expect(restartRequest({ replicated: false, docker: [] }, { replicated: true, docker: true })).toEqual({ restartReplicated: false, restartDocker: [] });
  });
  it('says what will happen and what stays owed', () => {
    expect(restartOutcome(shown, { replicated: true, docker: false })).toBe(
      'Will restart Replicated on the Services machine. Not restarted: Docker on nomad-1, nomad-2, which run the old settings until restarted (the Proxy page says so until then).',
    );
    expect(restartOutcome({ replicated: false, docker: [] }, { replicated: true, docker: true })).toBe('No service is restarted.');
  });
});
