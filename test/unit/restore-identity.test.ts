/**
 * The lines a restore changes, as pure functions: Replicated's address
 * values (and only those, whole addresses only), a Nomad client's servers
 * and statsd address, cloud-init's fingerprint block, NO_PROXY entries.
 */
import { describe, expect, it } from 'vitest';
import { bareAddress, consoleFingerprints, noProxyEntries, readAssignments, repointNomadConfig, rewriteReplicatedDefaults } from '../../electron/engine/operations/restore/identity';

describe('restore identity rewriting', () => {
  it("changes the address values of /etc/default/replicated* and nothing else", () => {
    const before = [
      '# written by the installer',
      'PRIVATE_ADDRESS=10.0.1.10',
      'PUBLIC_ADDRESS="203.0.113.10"',
      'REPLICATED_OPTS=" -e DAEMON_TOKEN=abc -e LOG_LEVEL=info -e NODENAME=host10.0.1.10x"',
      'DAEMON_ENDPOINT=[10.0.1.10]:9879',
      'DAEMON_HOST=[10.0.1.10]',
      'OTHER=10.0.1.10',
      'LOCAL_ADDRESS=10.0.1.100',
      '',
    ].join('\n');
    const { text, changes } = rewriteReplicatedDefaults(before, [{ from: '10.0.1.10', to: '10.0.2.20' }, { from: '203.0.113.10', to: '198.51.100.7' }]);
    expect(text.split('\n')).toEqual([
      '# written by the installer',
      'PRIVATE_ADDRESS=10.0.2.20',
      'PUBLIC_ADDRESS="198.51.100.7"',
      'REPLICATED_OPTS=" -e DAEMON_TOKEN=abc -e LOG_LEVEL=info -e NODENAME=host10.0.1.10x"',
      'DAEMON_ENDPOINT=[10.0.2.20]:9879',
      'DAEMON_HOST=[10.0.2.20]',
      'OTHER=10.0.1.10',
      // 10.0.1.100 is another address, not 10.0.1.10 followed by a 0.
      'LOCAL_ADDRESS=10.0.1.100',
      '',
    ]);
    expect(changes.map((c) => c.key)).toEqual(['PRIVATE_ADDRESS', 'PUBLIC_ADDRESS', 'DAEMON_ENDPOINT', 'DAEMON_HOST']);
    // Idempotent: a second pass (a resumed step) changes nothing.
    expect(rewriteReplicatedDefaults(text, [{ from: '10.0.1.10', to: '10.0.2.20' }]).changes).toEqual([]);
  });

  it('reads assignments and bare addresses', () => {
    const a = readAssignments('export PRIVATE_ADDRESS=10.1.2.3\nDAEMON_ENDPOINT=[10.1.2.3]:9879\n#X=1\n');
    expect([...a.keys()]).toEqual(['PRIVATE_ADDRESS', 'DAEMON_ENDPOINT']);
    expect(bareAddress(a.get('DAEMON_ENDPOINT')!)).toBe('10.1.2.3');
    expect(bareAddress('"10.1.2.3"')).toBe('10.1.2.3');
  });

  it("points a Nomad client's servers and statsd address at the spare, keeping ports and everything else", () => {
    const cfg = 'client {\n    enabled = true\n    servers = ["10.0.1.238:4647"]   # services\n}\ntelemetry {\n    statsd_address = "10.0.1.238:8125"\n}\nadvertise { http = "10.0.1.50" }\n';
    const { text, changes } = repointNomadConfig(cfg, '10.0.9.9');
    expect(text).toBe('client {\n    enabled = true\n    servers = ["10.0.9.9:4647"]   # services\n}\ntelemetry {\n    statsd_address = "10.0.9.9:8125"\n}\nadvertise { http = "10.0.1.50" }\n');
    expect(changes).toEqual([
      { key: 'servers', old: '["10.0.1.238:4647"]', new: '["10.0.9.9:4647"]' },
      { key: 'statsd_address', old: '10.0.1.238:8125', new: '10.0.9.9:8125' },
    ]);
    expect(repointNomadConfig(text, '10.0.9.9').changes).toEqual([]);
    expect(repointNomadConfig('servers = ["services.internal"]\n', '10.0.9.9').text).toBe('servers = ["10.0.9.9:4647"]\n');
  });

  it("reads the fingerprints cloud-init printed between the markers, and only those", () => {
    const log = [
      'ssh-keygen: SHA256:NotInTheBlockNotInTheBlockNotInTheBlock12345 outside',
      '-----BEGIN SSH HOST KEY FINGERPRINTS-----',
      '1024 SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK root@ip-10-0-1-11 (DSA)',
      'ec2: 256 SHA256:zzzzYYYYxxxxWWWWvvvvUUUUttttSSSSrrrrQQQQppp root@ip-10-0-1-11 (ED25519)',
      '-----END SSH HOST KEY FINGERPRINTS-----',
    ].join('\n');
    expect(consoleFingerprints(log)).toEqual([
      { fingerprint: 'SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK', keyType: 'DSA' },
      { fingerprint: 'SHA256:zzzzYYYYxxxxWWWWvvvvUUUUttttSSSSrrrrQQQQppp', keyType: 'ED25519' },
    ]);
    expect(consoleFingerprints('no block here')).toEqual([]);
  });

  it('finds NO_PROXY entries that name the old address', () => {
    const text = 'NO_PROXY=localhost,10.0.1.10,github.internal\nno_proxy="10.0.1.100"\nHTTP_PROXY=http://10.0.1.10:3128\n';
    expect(noProxyEntries(text, '10.0.1.10')).toEqual(['NO_PROXY=localhost,10.0.1.10,github.internal']);
  });
});
