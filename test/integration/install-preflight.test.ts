/**
 * Preflight against lab hosts made to fail specific checks: a port already
 * taken, too little disk (a 64 MiB tmpfs on /var/lib/docker), a client
 * reporting too little memory (/proc/meminfo), a clock 5 minutes ahead (a
 * stand-in `date` first in PATH), an unresolvable GitHub Enterprise, and a
 * firewall dropping TCP 8585 / UDP 8125 (filtered, not refused). Each
 * failed check names its host, the value measured and the fix; re-running
 * only what failed keeps the rest.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightCheck, PreflightReport } from '../../shared/install/preflight';
import { meminfo, standInProcFile, startPreflightWorld, type PreflightWorld } from './install-preflight-fixture';

let w: PreflightWorld;
const request = { circleHostname: 'services', gheHostname: 'ghe' };

function find(r: PreflightReport, host: string, id: string): PreflightCheck {
  const c = r.hosts.find((h) => h.host === host)?.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} on ${host}: ${JSON.stringify(r.hosts.find((h) => h.host === host)?.checks.map((x) => x.id))}`);
  return c;
}

beforeAll(async () => {
  w = await startPreflightWorld();
});

afterAll(async () => {
  await w?.dispose();
});

describe('preflight on healthy lab hosts', () => {
  let r: PreflightReport;
  beforeAll(async () => {
    r = await w.call('install:preflight', request);
  });

  it('checks every Services machine and Nomad client, not the GHE host', () => {
    expect(r.hosts.map((h) => h.host)).toEqual(['services', 'nomad-1', 'nomad-2']);
    expect(r.circleHostname).toBe('services');
    for (const h of r.hosts) for (const c of h.checks) expect(c.host).toBe(h.host);
  });

  it('measures resources, Docker, DNS and SSH on each host', () => {
    expect(find(r, 'nomad-1', 'cpu')).toMatchObject({ status: 'pass', value: '8 vCPUs, 6 for builds' });
    expect(find(r, 'nomad-1', 'memory').status).toBe('pass');
    // The lab machine has 2 cores: under the Services machine's minimum, a warning and not a failure.
    expect(find(r, 'services', 'cpu')).toMatchObject({ status: 'warn', value: '2 vCPUs' });
    expect(find(r, 'services', 'cpu').fix).toMatch(/at least 8 vCPUs/);
    expect(find(r, 'services', 'docker')).toMatchObject({ status: 'pass', value: 'client 18.09.9, daemon 18.09.9' });
    expect(find(r, 'nomad-2', 'dns:ghe').status).toBe('pass');
    expect(find(r, 'nomad-2', 'dns:ghe').value).toBe(w.lab.hosts.ghe.ip);
    expect(find(r, 'services', 'port:tcp/22')).toMatchObject({ status: 'pass' });
    expect(find(r, 'services', 'port:tcp/8800')).toMatchObject({ status: 'pass', value: 'free' });
    expect(find(r, 'nomad-1', 'disk:/var/lib/docker').status).toBe('pass');
    expect(find(r, 'nomad-1', 'clock').status).toBe('pass');
  });

  it('probes host to host from the hosts: refused = reachable, sshd = open', () => {
    expect(find(r, 'nomad-1', 'reach:services/tcp/4647')).toMatchObject({ status: 'pass', value: 'connection refused: reachable, nothing listens yet' });
    expect(find(r, 'nomad-1', 'reach:services/tcp/8585').status).toBe('pass');
    expect(find(r, 'nomad-2', 'reach:ghe/tcp/22')).toMatchObject({ status: 'pass', value: 'open (something listens)' });
    expect(find(r, 'services', 'reach:nomad-2/tcp/64535').status).toBe('pass');
    expect(find(r, 'services', 'reach:nomad-2/tcp/65535').status).toBe('pass');
  });

  it('UDP 8125 passes only on a datagram received by the listener Drydock started', () => {
    expect(find(r, 'nomad-1', 'udp:services/8125')).toMatchObject({ status: 'pass' });
    expect(find(r, 'nomad-1', 'udp:services/8125').value).toMatch(/datagram received/);
    expect(find(r, 'nomad-2', 'udp:services/8125').status).toBe('pass');
    // Drydock's own listener held the port meanwhile: not counted as taken.
    expect(find(r, 'services', 'port:udp/8125')).toMatchObject({ status: 'pass', value: 'free' });
    // The listener is gone afterwards: the port is free again.
    expect(w.lab.hosts.services.exec(`grep -c ':1FBD ' /proc/net/udp || true`).stdout.trim()).toBe('0');
  });

  it('capacity from the measured clients', async () => {
    const plan = await w.call('install:capacity', {});
    expect(plan.clients.map((c) => c.host)).toEqual(['nomad-1', 'nomad-2']);
    expect(plan.clients[0].fits.medium).toBe(3);
    expect(plan.totals.medium).toBe(6);
  });
});

describe('preflight on broken hosts', () => {
  let r: PreflightReport;
  beforeAll(async () => {
    const services = w.lab.hosts.services;
    // Something already holds the admin console's port.
    services.exec(`setsid perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr=>"${services.ip}",LocalPort=>8800,Listen=>5,ReuseAddr=>1) or die; sleep 900' </dev/null >/dev/null 2>&1 &`);
    // nomad-1's /var/lib/docker: a 64 MiB filesystem.
    const n1 = w.lab.hosts['nomad-1'];
    const m = n1.exec('mkdir -p /var/lib/docker && mount -t tmpfs -o size=64m tmpfs /var/lib/docker');
    expect(m.code, m.stderr).toBe(0);
    // nomad-2: 5 GiB of memory, and a clock five minutes ahead.
    const n2 = w.lab.hosts['nomad-2'];
    standInProcFile(n2, '/proc/meminfo', meminfo(5 * 1024 * 1024));
    n2.writeFile('/usr/local/bin/date', '#!/bin/sh\nexec /bin/date -d "now + 5 minutes" "$@"\n', 0o755);
    for (let i = 0; i < 50 && !services.exec(`grep -ci ':2260 .* 0A ' /proc/net/tcp || true`).stdout.trim().match(/[1-9]/); i++) await new Promise((res) => setTimeout(res, 100));
    r = await w.call('install:preflight', request);
  });

  it('a port already taken names the program, its address and the fix', () => {
    const c = find(r, 'services', 'port:tcp/8800');
    expect(c.status).toBe('fail');
    expect(c.value).toBe(`taken by perl on ${w.lab.hosts.services.ip}:8800`);
    expect(c.fix).toMatch(/Stop or move perl listening on 8800\/tcp: CircleCI needs it for the Replicated admin console/);
  });

  it('too little disk names the filesystem and how much is free', () => {
    const c = find(r, 'nomad-1', 'disk:/var/lib/docker');
    expect(c).toMatchObject({ host: 'nomad-1', status: 'fail' });
    expect(c.value).toMatch(/^\d+\.\d GiB free of 0\.1 GiB$/);
    expect(c.fix).toMatch(/on \/var\/lib\/docker .*at least 20 GiB free/);
    expect(find(r, 'nomad-1', 'disk:/').status).toBe('pass');
  });

  it('a client with too little memory fails with what it reports and what it needs', () => {
    const c = find(r, 'nomad-2', 'memory');
    expect(c).toMatchObject({ status: 'fail', value: '5.0 GiB, 1.0 GiB for builds' });
    expect(c.fix).toMatch(/at least 8\.0 GiB/);
    expect(find(r, 'nomad-1', 'memory').status).toBe('pass');
  });

  it('a clock 5 minutes ahead fails against the laptop and against the other hosts', () => {
    const c = find(r, 'nomad-2', 'clock');
    expect(c.status).toBe('fail');
    expect(c.value).toMatch(/^\+(29\d|300)\.\d s/);
    expect(c.fix).toMatch(/NTP/);
    expect(find(r, 'nomad-2', 'clock:hosts').status).toBe('fail');
    expect(find(r, 'services', 'clock:hosts').status).toBe('pass');
  });

  it('the capacity plan sees the small client', async () => {
    const plan = await w.call('install:capacity', {});
    expect(plan.clients.find((c) => c.host === 'nomad-2')!.fits).toEqual({ small: 0, medium: 0, large: 0 });
    expect(plan.warnings.join('\n')).toMatch(/nomad-2 has no room for any build/);
  });

  it('re-running only what failed keeps the rest, and sees a fix', async () => {
    w.lab.hosts.services.exec(`pkill -f 'LocalPort=>8800' || true`);
    const again = await w.call('install:preflight', { onlyFailed: true });
    expect(find(again, 'services', 'port:tcp/8800')).toMatchObject({ status: 'pass', value: 'free' });
    expect(find(again, 'nomad-1', 'disk:/var/lib/docker').status).toBe('fail');
    expect(find(again, 'nomad-2', 'memory').status).toBe('fail');
    for (const h of r.hosts) expect(again.hosts.find((x) => x.host === h.host)!.checks.map((c) => c.id).sort()).toEqual(h.checks.map((c) => c.id).sort());
    // What passed before was not run again (its value is the earlier one, byte for byte).
    expect(find(again, 'services', 'os')).toEqual(find(r, 'services', 'os'));
  });

  it('an unresolvable GHE fails DNS and the GHE probes on every host', async () => {
    const g = await w.call('install:preflight', { gheHostname: 'ghe.drydock-test.invalid', hosts: ['services', 'nomad-1'] });
    for (const host of ['services', 'nomad-1']) {
      const c = find(g, host, 'dns:ghe');
      expect(c).toMatchObject({ status: 'fail', value: 'does not resolve' });
      expect(c.title).toMatch(/ghe\.drydock-test\.invalid/);
      expect(c.fix).toMatch(/Make ghe\.drydock-test\.invalid resolvable from this host/);
      expect(find(g, host, 'reach:ghe/tcp/443')).toMatchObject({ status: 'fail', value: 'name does not resolve' });
    }
  });

  it('UDP 8125 already held on the Services machine: the port fails and the datagram check is "not checkable", not passed', async () => {
    const services = w.lab.hosts.services;
    services.exec(`setsid perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr=>"${services.ip}",LocalPort=>8125,Proto=>"udp") or die; sleep 900' </dev/null >/dev/null 2>&1 &`);
    try {
      for (let i = 0; i < 50 && !/[1-9]/.test(services.exec(`grep -c ':1FBD ' /proc/net/udp || true`).stdout); i++) await new Promise((res) => setTimeout(res, 100));
      const u = await w.call('install:preflight', { ...request, hosts: ['services', 'nomad-1'] });
      expect(find(u, 'services', 'port:udp/8125')).toMatchObject({ status: 'fail', value: `taken by perl on ${services.ip}:8125` });
      const c = find(u, 'nomad-1', 'udp:services/8125');
      expect(c.status).toBe('warn');
      expect(c.value).toMatch(/^not checkable: UDP 8125 could not be bound on the Services machine/);
    } finally {
      services.exec(`pkill -f 'LocalPort=>8125' || true`);
    }
  });

  it('a firewall dropping TCP 8585 and UDP 8125 to the Services machine: filtered (timeout), and no datagram arrives', async () => {
    // A DROP rule for this lab's own Services address only (the lab shares the machine's network), removed afterwards.
    const ip = w.lab.hosts.services.ip;
    const rules = [`OUTPUT -d ${ip} -p tcp --dport 8585 -j DROP`, `OUTPUT -d ${ip} -p udp --dport 8125 -j DROP`];
    for (const r of rules) execFileSync('iptables', ['-I', ...r.split(' ')]);
    try {
      const f = await w.call('install:preflight', { ...request, hosts: ['nomad-1'] });
      const tcp = find(f, 'nomad-1', 'reach:services/tcp/8585');
      expect(tcp).toMatchObject({ status: 'fail', value: 'no answer in 3 s: filtered' });
      expect(tcp.fix).toBe(`Allow TCP 8585 from nomad-1 to services (${ip}) in every firewall and security group between them: output-processor gRPC (blocked: jobs stay queued).`);
      expect(find(f, 'nomad-1', 'reach:services/tcp/4647').status).toBe('pass');
      const udp = find(f, 'nomad-1', 'udp:services/8125');
      expect(udp).toMatchObject({ status: 'fail', value: 'no datagram arrived: none of 3 datagrams reached the listener' });
    } finally {
      for (const r of rules) execFileSync('iptables', ['-D', ...r.split(' ')]);
    }
  });
});

describe('proxy settings where the proxy feature configured them', () => {
  it('present after a proxy apply; missing once removed by hand', async () => {
    const before = await w.call('install:preflight', { ...request, hosts: ['nomad-1'] });
    expect(find(before, 'nomad-1', 'proxy')).toMatchObject({ status: 'pass', value: 'no proxy configured' });
    const applied = await w.call('proxy:apply', { settings: { proxy: 'http://127.0.0.1:3128', noProxy: [], aws: false }, restartReplicated: false, restartDocker: [] }).catch((err: Error) => err);
    expect(w.lab.hosts['nomad-1'].exec('grep -c HTTP_PROXY /etc/environment').stdout.trim(), String(applied)).not.toBe('0');
    const ok = await w.call('install:preflight', { ...request, hosts: ['services', 'nomad-1'] });
    expect(find(ok, 'nomad-1', 'proxy')).toMatchObject({ status: 'pass', value: 'set in /etc/environment, /etc/systemd/system/docker.service.d/http-proxy.conf' });
    expect(find(ok, 'services', 'proxy')).toMatchObject({ status: 'pass', value: 'set in /etc/circle-installation-customizations, /etc/replicated.conf' });
    w.lab.hosts['nomad-1'].exec("sed -i '/_PROXY=/Id' /etc/environment");
    const lost = await w.call('install:preflight', { ...request, hosts: ['nomad-1'] });
    const c = find(lost, 'nomad-1', 'proxy');
    expect(c).toMatchObject({ status: 'fail', value: 'missing in /etc/environment' });
    expect(c.fix).toMatch(/Apply the proxy settings again/);
  });
});

