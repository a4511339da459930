/**
 * The proxy operation end to end against real sshd hosts: plan writes
 * nothing; apply writes what the guide asks for, which bash, jq and java
 * read back as meant, keeps every other key and line, restarts in the
 * guide's order and proves itself through a real forward proxy; a second
 * apply changes nothing; rollback restores the originals byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrydockEvent } from '../../shared/events';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { GUIDE_RESTART_ORDER, NOMAD, ORIGINAL, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let originals: Record<string, string | null>;

const settings = () => ({ proxy: proxy.url, aws: true, noProxy: ['.corp.example'] });
const sets = (host: string) => w.lab.hosts[host].exec('ls -1 /var/backups/drydock 2>/dev/null').stdout.split('\n').filter(Boolean);

beforeAll(async () => {
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  originals = w.snapshot();
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
});

describe('proxy apply on a Services machine and two Nomad clients', () => {
  it('plans every file with a diff, masks secrets, and writes nothing', async () => {
    const auditBefore = w.fx.engine.audit.entries().length;
    const plan = await w.call('proxy:plan', settings());

    expect(plan.hosts.map((h) => [h.host, h.role])).toEqual([['services', 'services'], ['nomad-1', 'nomad'], ['nomad-2', 'nomad']]);
    expect(plan.changedFiles).toBe(6);
    const conf = plan.hosts[0].files.find((f) => f.path === '/etc/replicated.conf')!;
    expect(conf.action).toBe('update');
    expect(conf.diff).toContain(`+  "HttpProxy": "${proxy.url}"`);
    expect(JSON.stringify(plan)).not.toContain('lab-s3cret-pw');
    expect(plan.hosts[1].files.map((f) => f.action)).toEqual(['update', 'create']);
    const bypass = plan.noProxy.map((e) => e.value);
    for (const must of ['127.0.0.1', 'localhost', w.lab.hosts.services.ip, 'ghe.example.test', w.lab.hosts['nomad-1'].ip, w.lab.hosts['nomad-2'].ip, '169.254.169.254', 's3.amazonaws.com', '*.s3.amazonaws.com', '.corp.example']) {
      expect(bypass).toContain(must);
    }
    expect(plan.javaNonProxyHosts).toContain('*.corp.example');
    expect(plan.restarts).toEqual({ replicated: true, docker: ['nomad-1', 'nomad-2'] });
    expect(plan.defaultVerifyUrl).toBe('https://ghe.example.test/');

    expect(w.snapshot()).toEqual(originals);
    expect(sets('services')).toEqual([]);
    expect(w.fx.engine.audit.entries().slice(auditBefore).filter((e) => e.kind === 'file')).toEqual([]);
  });

  it('writes the files so that bash, jq and java read the proxy, keeping every other key and line', async () => {
    const events: DrydockEvent[] = [];
    const result = await w.call('proxy:apply', { settings: settings(), restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url }, (e) => events.push(e));
    expect(result.resumed).toBe(false);
    expect(result.changed).toHaveLength(6);

    const services = w.lab.hosts.services;
    const jq = services.exec(`jq -r '.HttpProxy, .DaemonAuthenticationType, .DaemonAuthenticationPassword, .TlsBootstrapType, .BypassPreflightChecks' /etc/replicated.conf`);
    expect(jq.stdout.trim().split('\n')).toEqual([proxy.url, 'password', 'lab-s3cret-pw', 'self-signed', 'true']);
    expect(services.exec('stat -c %a:%u /etc/replicated.conf').stdout.trim()).toBe('600:0');

    const sourced = services.exec(`bash -c 'set -e; . /etc/circle-installation-customizations; printf "%s\\n" "$CIRCLE_URL" "$JVM_HEAP_SIZE" "$HTTP_PROXY" "$HTTPS_PROXY" "$NO_PROXY"'`);
    expect(sourced.code).toBe(0);
    const [circleUrl, heap, http, https, noProxy] = sourced.stdout.split('\n');
    expect([circleUrl, heap, http, https]).toEqual(['https://ci.example.test', '4g', proxy.url, proxy.url]);
    expect(noProxy.split(',')).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', services.ip, 'ghe.example.test', '169.254.169.254', 's3.amazonaws.com', '*.s3.amazonaws.com']));
    expect(services.readFile('/etc/circle-installation-customizations')!.startsWith(ORIGINAL.customizations)).toBe(true);

    const java = services.exec(`bash -c 'set -e; . /etc/circle-installation-customizations; java $JVM_OPTS -XshowSettings:properties -version'`, { timeoutMs: 60_000 });
    expect(java.code).toBe(0);
    const props = Object.fromEntries([...java.stderr.matchAll(/^\s+(https?\.\w+) = (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(props['http.proxyHost']).toBe(proxy.host);
    expect(props['http.proxyPort']).toBe(String(proxy.port));
    expect(props['https.proxyHost']).toBe(proxy.host);
    expect(props['https.proxyPort']).toBe(String(proxy.port));
    expect(props['http.nonProxyHosts'].split('|')).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', services.ip, 'ghe.example.test', '*.s3.amazonaws.com', '*.corp.example']));

    for (const name of NOMAD) {
      const host = w.lab.hosts[name];
      const env = host.exec(`bash -c 'set -e; set -a; . /etc/environment; printf "%s\\n" "$PATH" "$HTTP_PROXY" "$NO_PROXY"'`);
      const [path, hostHttp, hostNoProxy] = env.stdout.split('\n');
      expect(path).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games');
      expect(hostHttp).toBe(proxy.url);
      expect(hostNoProxy.split(',')).toEqual(expect.arrayContaining([w.lab.hosts['nomad-1'].ip, w.lab.hosts['nomad-2'].ip, services.ip]));
      const docker = host.exec('systemctl show --property=Environment docker').stdout;
      expect(docker).toContain(`HTTP_PROXY=${proxy.url}`);
      expect(w.units(name)).toEqual(['daemon-reload', 'restart docker']);
    }

    expect(w.units('services')).toEqual(GUIDE_RESTART_ORDER);
    expect(result.restarted).toEqual({ replicated: true, docker: ['nomad-1', 'nomad-2'] });
    expect(result.pendingRestarts).toEqual([]);

    const finished = events.filter((e) => e.type === 'step' && (e.status === 'done' || e.status === 'skipped')).map((e) => (e.type === 'step' ? e.step : ''));
    expect(finished).toEqual(['plan', 'services-files', 'nomad-files', 'restart-replicated', 'restart-docker', 'verify', 'check-files']);
    expect(result.verification.map((r) => [r.host, r.ok, r.httpCode])).toEqual([['services', true, 200], ['nomad-1', true, 200], ['nomad-2', true, 200]]);
    // curl and wget, from each of the three hosts.
    expect(proxy.requests.filter((r) => r.target === origin.url && r.status === 200)).toHaveLength(6);
  });

  it('changes nothing the second time, and says so', async () => {
    const before = w.snapshot();
    const setsBefore = sets('services');
    const unitsBefore = w.units('services');
    const plan = await w.call('proxy:plan', settings());
    expect(plan.changedFiles).toBe(0);
    expect(plan.restarts).toEqual({ replicated: false, docker: [] });

    const result = await w.call('proxy:apply', { settings: settings(), restartReplicated: true, restartDocker: [...NOMAD], verifyUrl: origin.url });
    expect(result.changed).toEqual([]);
    expect(result.summary).toMatch(/^Nothing changed/);
    expect(result.restarted).toEqual({ replicated: false, docker: [] });
    expect(w.snapshot()).toEqual(before);
    expect(sets('services')).toEqual(setsBefore);
    expect(w.units('services')).toEqual(unitsBefore);
  });

  it('verifies through the real proxy from every host', async () => {
    proxy.requests.length = 0;
    const { results } = await w.call('proxy:verify', { url: origin.url });
    expect(results.map((r) => [r.host, r.ok])).toEqual([['services', true], ['nomad-1', true], ['nomad-2', true]]);
    // curl and wget from each host; ghe.example.test (NO_PROXY) never reaches the proxy.
    expect(proxy.requests.map((r) => [r.method, r.target])).toEqual(Array(6).fill(['GET', origin.url]));
    expect(results[1].message).toMatch(/^curl and wget: HTTP 200 through the proxy 127\.0\.78\.1:\d+, from a fresh login \(pam_env reads \/etc\/environment\); ghe\.example\.test \(NO_PROXY\) bypasses the proxy but did not answer directly: curl: \(6\)/);
  });

  it('rolls back to the byte-identical originals and restarts in the guide order', async () => {
    const plan = await w.call('proxy:rollback-plan', {});
    expect(plan.hosts.map((h) => h.files.map((f) => `${f.action} ${f.path}`))).toEqual([
      ['restore /etc/replicated.conf', 'restore /etc/circle-installation-customizations'],
      ['restore /etc/environment', 'remove /etc/systemd/system/docker.service.d/http-proxy.conf'],
      ['restore /etc/environment', 'remove /etc/systemd/system/docker.service.d/http-proxy.conf'],
    ]);
    expect(plan.warnings).toEqual([]);

    const result = await w.call('proxy:rollback', { restartReplicated: true, restartDocker: [...NOMAD] });
    expect(result.restored.map((r) => r.host)).toEqual(['services', 'nomad-1', 'nomad-2']);
    expect(w.snapshot()).toEqual(originals);
    expect(w.lab.hosts.services.exec('stat -c %a:%u:%g /etc/replicated.conf').stdout.trim()).toBe('600:0:0');
    expect(w.units('services')).toEqual([...GUIDE_RESTART_ORDER, ...GUIDE_RESTART_ORDER]);
    expect(w.units('nomad-1')).toEqual(['daemon-reload', 'restart docker', 'daemon-reload', 'restart docker']);
    expect(w.lab.hosts['nomad-1'].exec('systemctl show --property=Environment docker').stdout.trim()).toBe('Environment=');

    await expect(w.call('proxy:rollback-plan', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('files Drydock will not rewrite', () => {
  it('refuses a replicated.conf that is not JSON and a file that is not UTF-8, naming host and file, writing nothing', async () => {
    const services = w.lab.hosts.services;
    const nomad = w.lab.hosts['nomad-1'];
    services.writeFile('/etc/replicated.conf', '{ "DaemonAuthenticationType": "password", }\n', 0o600);
    nomad.exec(`printf 'PATH="/usr/bin"\\n# caf\\xe9\\n' > /etc/environment`);
    const before = w.snapshot();
    const plan = await w.call('proxy:plan', settings());
    expect(plan.hosts[0].error).toMatch(/^services: \/etc\/replicated\.conf is not valid JSON/);
    expect(plan.hosts[1].error).toMatch(/^nomad-1: \/etc\/environment holds bytes that are not UTF-8/);
    await expect(w.call('proxy:apply', { settings: settings(), restartReplicated: true, restartDocker: [...NOMAD] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(w.snapshot()).toEqual(before);
    expect(sets('services')).toHaveLength(1);
  });
});
