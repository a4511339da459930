/**
 * The install's pure parts: the HCL reader (used to check config.hcl by
 * meaning), replicated.conf merged and valid JSON, the installer's dialect
 * read from its text, install.sh's arguments, readiness, node-status tables.
 */
import { describe, expect, it } from 'vitest';
import { parseHcl } from '../../shared/install/hcl';
import { parseNodeStatus, renderDaemonJson, renderNomadConfig } from '../../shared/install/nomad';
import { appReady, installerArgs, installerDialect, parseAppStatus, renderInstallReplicatedConf, ReplicatedConfError } from '../../shared/install/replicated';

describe('HCL reader', () => {
  it('reads attributes, blocks, lists, inline objects and comments', () => {
    const doc = parseHcl('# c\nlog_level = "DEBUG" // x\nclient {\n  enabled = true\n  servers = ["10.0.1.238:4647", "b"]\n  options = {"driver.raw_exec.enable" = "1"}\n  n = -3\n}\n/* block */ telemetry { a = "x\\"y" }\n');
    expect(doc).toEqual({ log_level: 'DEBUG', client: { enabled: true, servers: ['10.0.1.238:4647', 'b'], options: { 'driver.raw_exec.enable': '1' }, n: -3 }, telemetry: { a: 'x"y' } });
  });
  it('refuses what it cannot read rather than guessing', () => {
    expect(() => parseHcl('client {\n enabled = true\n')).toThrow(/expected at end/);
    expect(() => parseHcl('a = "1"\na = "2"')).toThrow(/given twice/);
    expect(() => parseHcl('a = "unterminated')).toThrow(/unterminated string/);
  });
  it('reads back the config.hcl Drydock renders', () => {
    const hcl = parseHcl(renderNomadConfig({ advertise: '10.0.1.50', servicesAddress: '10.0.1.238' }));
    expect(hcl.client).toMatchObject({ servers: ['10.0.1.238:4647'], enabled: true });
    expect(hcl.telemetry).toEqual({ publish_node_metrics: true, statsd_address: '10.0.1.238:8125' });
    expect(hcl.advertise).toEqual({ http: '10.0.1.50', rpc: '10.0.1.50', serf: '10.0.1.50' });
  });
});

describe('replicated.conf', () => {
  const c = { licensePath: '/b/l.rli', airgapPath: '/b/x.airgap', settingsPath: '/etc/s.json', hostname: 'ci.example.com', consolePassword: 'pw12345678' };
  it('keeps the proxy feature\'s key and replaces earlier install keys', () => {
    const out = JSON.parse(renderInstallReplicatedConf('{"HttpProxy":"http://p:3128","LicenseFileLocation":"/old.rli"}', c));
    expect(out).toMatchObject({ HttpProxy: 'http://p:3128', LicenseFileLocation: '/b/l.rli', TlsBootstrapType: 'self-signed', BypassPreflightChecks: true });
  });
  it('bootstraps TLS from a certificate on the host', () => {
    const out = JSON.parse(renderInstallReplicatedConf(null, { ...c, tls: { cert: '/etc/c.crt', key: '/etc/c.key' } }));
    expect(out).toMatchObject({ TlsBootstrapType: 'server-path', TlsBootstrapHostname: 'ci.example.com', TlsBootstrapCert: '/etc/c.crt', TlsBootstrapKey: '/etc/c.key' });
  });
  it('refuses a file that is not a JSON object', () => {
    expect(() => renderInstallReplicatedConf('{oops', c)).toThrow(ReplicatedConfError);
    expect(() => renderInstallReplicatedConf('[1]', c)).toThrow(ReplicatedConfError);
  });
});

describe('the installer', () => {
  it('takes the address flag its own text names', () => {
    expect(installerDialect('case $1 in private-address=*) ;; no-docker) ;; no-proxy) ;; esac airgap')?.addressFlag).toBe('private-address');
    expect(installerDialect('local_address) ;; airgap no-docker no-proxy')?.addressFlag).toBe('local-address');
    expect(installerDialect('echo hello')).toBeNull();
  });
  it('builds airgap arguments, with the proxy or no-proxy, and refuses flags the installer lacks', () => {
    const d = installerDialect('airgap private-address no-docker no-proxy http-proxy additional-no-proxy')!;
    expect(installerArgs(d, { privateAddress: '10.0.0.5', noDocker: true })).toEqual({ args: ['airgap', 'private-address=10.0.0.5', 'no-docker', 'no-proxy'] });
    expect(installerArgs(d, { privateAddress: '10.0.0.5', noDocker: true, proxy: { url: 'http://p:3128', noProxy: ['a', 'b'] } })).toEqual({ args: ['airgap', 'private-address=10.0.0.5', 'no-docker', 'http-proxy=http://p:3128', 'additional-no-proxy=a,b'] });
    const old = installerDialect('airgap local-address no-docker no-proxy')!;
    expect(installerArgs(old, { privateAddress: '10.0.0.5', noDocker: true, proxy: { url: 'http://p:3128', noProxy: [] } })).toEqual({ error: expect.stringMatching(/does not accept http-proxy/) });
  });
  it('is ready only when started, not transitioning, without error', () => {
    const s = (o: object) => parseAppStatus(JSON.stringify([{ AppID: 'a', State: 'started', DesiredState: 'started', Error: '', IsTransitioning: false, ...o }]))!;
    expect(appReady(s({}))).toBe(true);
    expect(appReady(s({ IsTransitioning: true }))).toBe(false);
    expect(appReady(s({ Error: 'boom' }))).toBe(false);
    expect(appReady(s({ State: 'stopped' }))).toBe(false);
    expect(parseAppStatus('Error: dial unix')).toBeNull();
  });
});

describe('Nomad', () => {
  it('reads node-status tables, with and without allocations', () => {
    expect(parseNodeStatus('No nodes registered\n')).toEqual([]);
    const rows = parseNodeStatus('ID        DC       Name      Class        Drain  Eligibility  Status  Running Allocs\n4e5f6a7b  default  nomad-1   linux-64bit  true   ineligible   ready   3\n');
    expect(rows).toEqual([{ id: '4e5f6a7b', dc: 'default', name: 'nomad-1', nodeClass: 'linux-64bit', drain: true, eligibility: 'ineligible', status: 'ready', runningAllocs: 3 }]);
    expect(() => parseNodeStatus('Error querying node list')).toThrow(/not a nomad node-status table/);
  });
  it('adds userns-remap to daemon.json and keeps other keys', () => {
    expect(JSON.parse(renderDaemonJson('{"log-driver":"json-file"}'))).toEqual({ 'log-driver': 'json-file', 'userns-remap': 'default' });
    expect(renderDaemonJson('{"userns-remap":"default"}')).toBe('{"userns-remap":"default"}');
    expect(() => renderDaemonJson('nope')).toThrow(/not valid JSON/);
  });
});
