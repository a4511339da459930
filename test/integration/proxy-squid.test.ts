/**
 * The proxy files against a real Squid with Basic authentication
 * (basic_ncsa_auth, htpasswd) and a password holding `@:/%`, read the way
 * the hosts' own programs read them: a fresh OpenSSH login (the lab's sshd
 * runs UsePAM yes, so pam_env loads /etc/environment), real curl and wget,
 * nothing set by Drydock, NO_PROXY honoured. GitHub Enterprise, which
 * NO_PROXY lists, must be reached directly.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type LabOrigin } from '../lab/http-proxy';
import { startSquid, type LabSquid } from '../lab/squid';
import { NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

const USER = 'ci-bot';
const PASSWORD = 'sq@uid:p/w%41rd';
const ENCODED = encodeURIComponent(PASSWORD);

let w: ProxyWorld;
let squid: LabSquid;
let origin: LabOrigin;
/** GitHub Enterprise's HTTPS port, on Squid's own loopback address: a TCP listener is enough to prove a direct connection. */
let ghe: net.Server;
const gheConnections: string[] = [];

beforeAll(async () => {
  [w, squid] = await Promise.all([startProxyWorld(), startSquid({ users: [{ user: USER, password: PASSWORD }] })]);
  origin = await startOrigin({ host: squid.host });
  ghe = net.createServer((s) => {
    gheConnections.push(s.remoteAddress ?? '');
    s.destroy();
  });
  await new Promise<void>((resolve, reject) => ghe.once('error', reject).listen({ host: squid.host, port: 443, exclusive: true }, resolve));
  // The inventory's GHE host (ghe.example.test) resolves to that listener on every lab host.
  for (const name of ['services', ...NOMAD]) w.lab.hosts[name].exec(`echo '${squid.host} ghe.example.test' >> /etc/hosts`);
}, 120_000);

afterAll(async () => {
  await Promise.all([w?.dispose(), squid?.stop(), origin?.close(), new Promise<void>((r) => (ghe ? ghe.close(() => r()) : r()))]);
});

/** A command in a fresh OpenSSH login, as an admin or a cron job would start it: no variables of ours. */
// Asynchronous: the origin answering the request lives in this very process.
function login(host: string, command: string): Promise<{ code: number; out: string }> {
  const h = w.lab.hosts[host];
  const args = ['-i', w.lab.clientKey, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', `root@${h.ip}`, command];
  return new Promise((resolve) =>
    execFile('ssh', args, { encoding: 'utf8', env: { PATH: process.env.PATH! }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: err ? `${stdout}${stderr}` : stdout }),
    ),
  );
}

const settings = () => ({ proxy: squid.url, proxyUser: USER, proxyPassword: PASSWORD });

describe('proxy files against a real Squid', () => {
  it('applies; every host fetches through Squid with curl and wget, authenticated, and reaches GHE directly', async () => {
    const result = await w.call('proxy:apply', { settings: settings(), restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url });
    for (const r of result.verification) {
      expect(r.ok, r.message).toBe(true);
      expect(r.message).toMatch(new RegExp(`^curl and wget: HTTP 200 through the proxy ${squid.host.replace(/\./g, '\\.')}:${squid.port}, .*; ghe\\.example\\.test \\(NO_PROXY\\) reached directly$`));
    }
    expect(result.verification[1].message).toContain('from a fresh login (pam_env reads /etc/environment)');

    // Squid itself saw the user and both programs from every host; never GHE.
    const seen = squid.requests().filter((r) => r.url === origin.url);
    expect(seen).toHaveLength(6);
    expect(seen.every((r) => r.user === USER && r.status === 200)).toBe(true);
    expect(seen.map((r) => r.userAgent.split('/')[0]).sort()).toEqual(['Wget', 'Wget', 'Wget', 'curl', 'curl', 'curl']);
    expect(squid.requests().some((r) => r.url.includes('ghe.example.test'))).toBe(false);
    expect(gheConnections.length).toBeGreaterThanOrEqual(3);

    // /etc/environment carries both spellings, the password URL-encoded.
    const env = w.lab.hosts['nomad-1'].readFile('/etc/environment')!;
    expect(env).toContain(`\nhttp_proxy="http://${USER}:${ENCODED}@${squid.host}:${squid.port}"\n`);
    expect(env).toContain(`\nHTTP_PROXY="http://${USER}:${ENCODED}@${squid.host}:${squid.port}"\n`);
    expect(env).toMatch(/\nno_proxy="[^"]*ghe\.example\.test[^"]*"\n/);
  });

  it('a fresh login on a client gets the variables from pam_env, and its curl and wget go through Squid; GHE does not', async () => {
    const before = squid.requests().length;
    const vars = await login('nomad-2', 'printf "%s\\n" "${http_proxy%%@*}" "${no_proxy}"');
    expect(vars.code, vars.out).toBe(0);
    const [proxyHead, noProxy] = vars.out.split('\n');
    expect(proxyHead).toBe(`http://${USER}:${ENCODED}`);
    expect(noProxy.split(',')).toContain('ghe.example.test');

    const curl = await login('nomad-2', `curl -sS -o /dev/null -w '%{http_code}' --max-time 20 ${origin.url}`);
    expect(curl).toEqual({ code: 0, out: '200' });
    const wget = await login('nomad-2', `wget -q -O - -T 20 -t 1 ${origin.url}`);
    expect(wget).toEqual({ code: 0, out: 'drydock lab origin\n' });
    const direct = await login('nomad-2', `curl -sS -o /dev/null -w '%{http_code}' --max-time 10 http://ghe.example.test:443/; true`);
    expect(direct.out).not.toContain('407');
    const added = squid.requests().slice(before);
    expect(added.map((r) => [r.user, r.method, r.url, r.status, r.userAgent.split('/')[0]])).toEqual([
      [USER, 'GET', origin.url, 200, 'curl'],
      [USER, 'GET', origin.url, 200, 'Wget'],
    ]);
  });

  it('catches what the upper-case names alone do: curl and wget go around the proxy for http:// URLs', async () => {
    const client = w.lab.hosts['nomad-2'];
    const full = client.readFile('/etc/environment')!;
    client.writeFile('/etc/environment', full.replace(/^(http_proxy|https_proxy|no_proxy)=.*\n/gm, ''));
    try {
      const { results } = await w.call('proxy:verify', { url: origin.url });
      const nomad2 = results.find((r) => r.host === 'nomad-2')!;
      expect(nomad2.ok).toBe(false);
      expect(nomad2.message).toMatch(/^curl: no http_proxy from a fresh login \(pam_env reads \/etc\/environment\), so it would go around the proxy; wget: no http_proxy from a fresh login/);
      expect(results.filter((r) => r.host !== 'nomad-2').every((r) => r.ok)).toBe(true);

      // The plan puts the lower-case lines back, and says why.
      const plan = await w.call('proxy:plan', settings());
      const diff = plan.hosts.find((h) => h.host === 'nomad-2')!.files.find((f) => f.path === '/etc/environment')!.diff;
      expect(diff).toMatch(/^\+http_proxy="http:\/\/ci-bot:/m);
      expect(diff).toMatch(/^\+no_proxy="/m);
      expect(diff).not.toContain(ENCODED);
      expect(diff).not.toContain(PASSWORD);
      expect(plan.notes.join(' ')).toMatch(/curl and wget read only the lower-case http_proxy for http:\/\/ URLs/);
    } finally {
      client.writeFile('/etc/environment', full);
    }
  });

  it('fails with the 407 reason when Squid refuses the password', async () => {
    const result = await w.call('proxy:apply', { settings: { ...settings(), proxyPassword: 'wrong:pass@word' }, restartReplicated: false, restartDocker: [], verifyUrl: origin.url });
    expect(result.verification.map((r) => [r.ok, r.httpCode])).toEqual([
      [false, 407],
      [false, 407],
      [false, 407],
    ]);
    expect(result.verification[1].message).toMatch(/^curl: the proxy asked for credentials it did not get or did not accept \(HTTP 407\)/);
    expect(squid.requests().filter((r) => r.status === 407).length).toBeGreaterThanOrEqual(6);
  });
});
