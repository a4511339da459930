/** Preflight verdicts and the parsers behind them: pure, so the thresholds and wordings are pinned here. */
import { describe, expect, it } from 'vitest';
import { assessAll, failedGroups, mergeRerun } from '../../shared/install/assess';
import type { HostMeasure } from '../../shared/install/measure';
import { decodeProcAddress, ownListeners, parseDiskLines, parseProbes, parseProcNet, parseSsNames, probeOutcome, sectionsByName } from '../../electron/engine/operations/install/preflight/parse';
import { hostScript } from '../../electron/engine/operations/install/preflight/script';

const GiB = 1024 ** 3;
const ctx = { circleHostname: 'ci.example.com', gheHostname: 'ghe.example.com', bundleDir: '/var/lib/drydock/bundle' };
const base = (over: Partial<HostMeasure>): HostMeasure => ({ host: 'h', role: 'nomad', address: '10.0.0.5', ...over });
const checks = (m: HostMeasure) => assessAll([m], ctx, '2026-11-30T00:00:00Z').hosts[0].checks;
const one = (m: HostMeasure, id: string) => checks(m).find((c) => c.id === id)!;

describe('resources', () => {
  it('Services machine below the published minimum: warnings, never failures', () => {
    const m = base({ role: 'services', resources: { cpus: 4, memoryBytes: 16 * GiB } });
    expect(one(m, 'cpu')).toMatchObject({ status: 'warn', value: '4 vCPUs' });
    expect(one(m, 'memory').status).toBe('warn');
    // A 32 GB VM reports a little less than 32 GiB in MemTotal: still enough.
    expect(one(base({ role: 'services', resources: { cpus: 8, memoryBytes: 31.3 * GiB } }), 'memory').status).toBe('pass');
  });

  it('Nomad client: the reservation comes first; over the maximum is a warning', () => {
    expect(one(base({ resources: { cpus: 2, memoryBytes: 64 * GiB } }), 'cpu')).toMatchObject({ status: 'fail', value: '2 vCPUs, 0 for builds' });
    expect(one(base({ resources: { cpus: 3, memoryBytes: 64 * GiB } }), 'cpu').status).toBe('warn');
    expect(one(base({ resources: { cpus: 96, memoryBytes: 64 * GiB } }), 'cpu').status).toBe('warn');
    expect(one(base({ resources: { cpus: 8, memoryBytes: 200 * GiB } }), 'memory').fix).toMatch(/at most 128 GiB/);
    expect(one(base({ resources: { cpus: 8, memoryBytes: 5 * GiB } }), 'memory')).toMatchObject({ status: 'fail', value: '5.0 GiB, 1.0 GiB for builds' });
  });
});

describe('network verdicts', () => {
  it('refused is reachable, a timeout is filtered, an unresolved name says so', () => {
    const probe = (outcome: 'refused' | 'timeout' | 'unresolved') => ({ target: 'services', address: '10.0.0.2', proto: 'tcp' as const, port: 8585, outcome, detail: '' });
    expect(one(base({ probes: [probe('refused')] }), 'reach:services/tcp/8585').status).toBe('pass');
    const t = one(base({ probes: [probe('timeout')] }), 'reach:services/tcp/8585');
    expect(t).toMatchObject({ status: 'fail', value: 'no answer in 3 s: filtered' });
    expect(t.fix).toMatch(/Allow TCP 8585 from h to services \(10\.0\.0\.2\).*output-processor/);
    expect(one(base({ probes: [probe('unresolved')] }), 'reach:services/tcp/8585').fix).toMatch(/resolvable/);
  });

  it('UDP that could not be checked is a warning, never a pass', () => {
    expect(one(base({ udp: { outcome: 'not-checkable', detail: 'no perl' } }), 'udp:services/8125')).toMatchObject({ status: 'warn', value: 'not checkable: no perl' });
    expect(one(base({ udp: { outcome: 'not-received', detail: 'x' } }), 'udp:services/8125').status).toBe('fail');
  });

  it('ports: free passes, taken fails naming the program, the expected owner passes', () => {
    const l = (process?: string) => [{ proto: 'tcp' as const, address: '0.0.0.0', port: 4646, ...(process ? { process } : {}) }];
    expect(one(base({ listeners: [] }), 'port:tcp/4646')).toMatchObject({ status: 'pass', value: 'free' });
    expect(one(base({ listeners: l('java') }), 'port:tcp/4646')).toMatchObject({ status: 'fail', value: 'taken by java on 0.0.0.0:4646' });
    expect(one(base({ listeners: l('nomad') }), 'port:tcp/4646').status).toBe('pass');
    expect(one(base({ listeners: [{ proto: 'tcp', address: '0.0.0.0', port: 65000 }] }), 'port:tcp/64535').status).toBe('fail');
  });

  it('clock: against the laptop, less the round trip, and against the median of the hosts', () => {
    const r = assessAll(
      [base({ host: 'a', clock: { offsetMs: 100, uncertaintyMs: 50 } }), base({ host: 'b', clock: { offsetMs: 300_000, uncertaintyMs: 50 } }), base({ host: 'c', clock: { offsetMs: -200, uncertaintyMs: 50 } })],
      ctx,
      'now',
    );
    const get = (h: string, id: string) => r.hosts.find((x) => x.host === h)!.checks.find((c) => c.id === id)!;
    expect(get('a', 'clock').status).toBe('pass');
    expect(get('b', 'clock')).toMatchObject({ status: 'fail', value: '+300.0 s (±0.05 s)' });
    expect(get('b', 'clock:hosts').status).toBe('fail');
    expect(get('c', 'clock:hosts').status).toBe('pass');
  });
});

describe('re-running what failed', () => {
  it('replaces only the re-run groups of the re-run hosts', () => {
    const first = assessAll([base({ host: 'a', listeners: [{ proto: 'tcp', address: '0.0.0.0', port: 4646, process: 'java' }], resources: { cpus: 8, memoryBytes: 32 * GiB } })], ctx, 't1');
    const groups = failedGroups(first);
    expect([...groups.get('a')!]).toEqual(['ports']);
    const second = assessAll([base({ host: 'a', listeners: [] })], ctx, 't2');
    const merged = mergeRerun(first, second, groups);
    expect(merged.hosts[0].checks.find((c) => c.id === 'port:tcp/4646')!.status).toBe('pass');
    expect(merged.status).toBe('warn'); // nothing listens on 22 in either: a warning, kept
    expect(merged.hosts[0].checks.map((c) => c.id).sort()).toEqual(first.hosts[0].checks.map((c) => c.id).sort());
    expect(merged.hosts[0].cpus).toBe(8);
  });
});

describe('parsers', () => {
  it('reads /proc/net addresses and listening states', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('0000000000000000FFFF00000200000A')).toBe('10.0.0.2');
    const tcp = '  sl  local_address rem_address   st\n   0: 024D007F:0016 00000000:0000 0A 00000000\n   1: 0100007F:1F90 0100007F:C350 01 00000000\n';
    expect(parseProcNet(tcp, 'tcp')).toEqual([{ proto: 'tcp', address: '127.0.77.2', port: 22 }]);
  });

  it('keeps the host’s own listeners; loopback ones only on a host that is not itself on loopback', () => {
    const all = [
      { proto: 'tcp' as const, address: '10.0.0.5', port: 22 },
      { proto: 'tcp' as const, address: '127.0.0.1', port: 8800 },
      { proto: 'tcp' as const, address: '10.0.0.9', port: 80 },
    ];
    const names = parseSsNames('tcp LISTEN 0 128 10.0.0.5:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n');
    expect(ownListeners(all, ['10.0.0.5'], names)).toEqual([{ ...all[0], process: 'sshd' }, all[1]]);
    expect(ownListeners(all, ['127.0.77.5'], names)).toEqual([]);
  });

  it('classifies probe answers', () => {
    expect(probeOutcome(0, '')).toBe('open');
    expect(probeOutcome(124, '')).toBe('timeout');
    expect(probeOutcome(1, 'bash: connect: Connection refused bash: line 1: /dev/tcp/10.0.0.2/4647: Connection refused')).toBe('refused');
    expect(probeOutcome(1, 'bash: x.invalid: Name or service not known bash: line 1: /dev/tcp/x.invalid/443: Invalid argument')).toBe('unresolved');
    expect(probeOutcome(1, 'connect: No route to host')).toBe('unreachable');
    const p = parseProbes('PROBE services/tcp/4647 1 bash: connect: Connection refused\n', [{ target: 'services', address: '10.0.0.2', proto: 'tcp', port: 4647 }, { target: 'services', address: '10.0.0.2', proto: 'tcp', port: 8585 }]);
    // No line: the batch's time ran out before an answer.
    expect(p.map((x) => x.outcome)).toEqual(['refused', 'timeout']);
  });

  it('df lines name the path asked for and the mount that holds it', () => {
    expect(parseDiskLines('/opt/nomad\t/dev/vda 1000 400 600 40% /\n')).toEqual([{ path: '/opt/nomad', mount: '/', sizeBytes: 1024000, freeBytes: 614400 }]);
  });

  it('the script runs only the groups asked for, and writes nothing', () => {
    const s = hostScript({ role: 'nomad', address: '10.0.0.5', groups: new Set(['disk']), diskPaths: ['/'], names: [], probes: [] });
    expect(s).toMatch(/---drydock:disk---/);
    expect(s).not.toMatch(/---drydock:(os|tcp|reach|proxy)---/);
    expect(s).not.toMatch(/(^|[^2])>\s*\//m);
    expect(sectionsByName("---drydock:a---\nx\n---drydock:b---\ny\n")).toEqual(new Map([['a', 'x\n'], ['b', 'y\n']]));
  });
});
