/**
 * Services health against a real Docker daemon: containers named as on a
 * Services machine, stopped for real with `docker stop`, judged by the
 * guide's table; Nomad through `docker exec nomad nomad`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../shared/health/report';
import { startHealthWorld, type HealthWorld } from './health-fixture';

let w: HealthWorld;
const check = (extra: { ldap?: boolean } = {}) => w.call('health:check', { endpointHost: w.lab.hosts.services.ip, ...extra });
const byName = (r: HealthReport, name: string) => r.containers.find((c) => c.name === name)!;

beforeAll(async () => {
  w = await startHealthWorld();
});

afterAll(async () => {
  await w?.dispose();
});

describe('health of the Services machine (real Docker)', () => {
  it('all up: healthy, one-shots exited 0 are not down, endpoints answer 200', async () => {
    const r = await check();
    expect(r.verdict, r.summary).toBe('healthy');
    expect(r.containers.filter((c) => c.down).map((c) => c.name)).toEqual([]);
    const migrator = byName(r, 'contexts-service-migrator');
    expect(migrator).toMatchObject({ state: 'exited', exitCode: 0, oneShot: true, down: false });
    expect(byName(r, 'picard-output-processor')).toMatchObject({ tableName: 'output-processor', state: 'running', restartCount: 0, severity: 'severe' });
    expect(byName(r, 'replicated')).toMatchObject({ tableName: null, severity: null });
    expect(r.endpoints).toHaveLength(9);
    expect(r.endpoints.every((e) => e.ok && e.httpCode === 200)).toBe(true);
    expect(r.app).toEqual({ state: 'started', error: '' });
    expect(r.nomad).toMatchObject({ source: 'docker exec nomad nomad', pollFailure: false, jobs: { pending: 0, running: 1 } });
    expect(r.nomad.nodes.map((n) => [n.name, n.allocs, n.cpus])).toEqual([['nomad-client-1', 1, 8], ['nomad-client-2', 2, 8]]);
  });

  it('postgres stopped: what depends on it is impacted, verdict unhealthy', async () => {
    w.dockerd.docker('stop', 'postgres');
    try {
      const r = await check();
      expect(r.verdict).toBe('unhealthy');
      const pg = byName(r, 'postgres');
      expect(pg).toMatchObject({ state: 'exited', down: true, severity: 'severe' });
      for (const t of ['frontend', 'api-service', 'workflows-conductor', 'contexts-service', 'domain-service', 'permissions-service', 'cron-service', 'federations-service', 'audit-log-service']) {
        expect(pg.takesDown).toContain(t);
      }
      expect(pg.takesDown).not.toContain('exim');
      expect(byName(r, 'frontend').impactedBy).toEqual(['postgres']);
      expect(byName(r, 'api-service').impactedBy).toContain('postgres');
      expect(byName(r, 'exim').impactedBy).toEqual([]);
      expect(r.summary).toMatch(/postgres \(severe\).*take down.*frontend/);
    } finally {
      w.dockerd.docker('start', 'postgres');
    }
  });

  it('exim stopped: only mild', async () => {
    w.dockerd.docker('stop', 'exim');
    try {
      const r = await check();
      expect(r.verdict).toBe('mild');
      expect(r.containers.filter((c) => c.down).map((c) => [c.name, c.severity])).toEqual([['exim', 'mild']]);
    } finally {
      w.dockerd.docker('start', 'exim');
    }
  });

  it('federations-service: severe with LDAP, mild without, assumed severe when unknown', async () => {
    w.dockerd.docker('stop', 'federations-service');
    try {
      const unknown = await check();
      expect(byName(unknown, 'federations-service')).toMatchObject({ tableName: 'federation-service', severity: 'severe', down: true });
      expect(byName(unknown, 'federations-service').severityNote).toMatch(/could not tell whether LDAP is used/);

      // Replicated's settings say LDAP is on (the stand-in keeps app-config items as files).
      w.lab.hosts.services.exec('replicatedctl app-config set ldap_enabled --value true');
      const ldap = await check();
      expect(ldap.settings.ldap).toBe(true);
      expect(byName(ldap, 'federations-service').severity).toBe('severe');
      expect(ldap.verdict).toBe('unhealthy');

      w.lab.hosts.services.exec('replicatedctl app-config set ldap_enabled --value false');
      const noLdap = await check();
      expect(noLdap.settings.ldap).toBe(false);
      expect(byName(noLdap, 'federations-service').severity).toBe('mild');
      expect(noLdap.verdict).toBe('mild');

      // The admin's word wins over the settings.
      expect(byName(await check({ ldap: true }), 'federations-service').severity).toBe('severe');
    } finally {
      w.dockerd.docker('start', 'federations-service');
    }
  });

  it('a migrator that failed is down and takes its service with it', async () => {
    w.dockerd.docker('rm', 'cron-service-migrator');
    expect(w.dockerd.tryDocker('run', '--name', 'cron-service-migrator', '--network', 'none', 'drydock-lab/services:1', '/bin/sh', '-c', 'exit 3').code).toBe(3);
    try {
      const r = await check();
      expect(byName(r, 'cron-service-migrator')).toMatchObject({ down: true, exitCode: 3 });
      expect(byName(r, 'cron-service').impactedBy).toEqual(['cron-service-migrator']);
    } finally {
      w.dockerd.docker('rm', 'cron-service-migrator');
      w.dockerd.docker('run', '--name', 'cron-service-migrator', '--network', 'none', 'drydock-lab/services:1', '/bin/true');
    }
  });

  it('a running service whose endpoint does not answer 200 is down', async () => {
    const ip = w.lab.hosts.services.ip;
    // Restart cron-service without its web server.
    w.dockerd.docker('rm', '-f', 'cron-service');
    w.dockerd.docker('run', '-d', '--name', 'cron-service', '--network', 'none', 'drydock-lab/services:1', '/bin/sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done');
    try {
      const r = await check();
      expect(r.endpoints.find((e) => e.service === 'cron-service')).toMatchObject({ ok: false, httpCode: 0, url: `http://${ip}:4261/status` });
      expect(byName(r, 'cron-service')).toMatchObject({ state: 'running', down: true });
      expect(byName(r, 'cron-service').reason).toMatch(/answered nothing/);
    } finally {
      w.dockerd.docker('rm', '-f', 'cron-service');
      w.dockerd.docker('run', '-d', '--name', 'cron-service', '--network', 'host', 'drydock-lab/services:1', '/bin/sh', '-c', `httpd -p ${ip}:4261 -h /www; trap "exit 0" TERM; while :; do sleep 1; done`);
    }
  });

  it('no curl on the Services machine: endpoints not probed, said so, nothing judged down for it', async () => {
    const h = w.lab.hosts.services;
    // The host's own copy-on-write /usr: curl gone from this host only.
    h.exec('mv /usr/bin/curl /usr/bin/curl.off');
    try {
      const r = await check();
      expect(r.endpoints).toEqual([]);
      expect(r.endpointsError).toMatch(/curl is not installed/);
      expect(r.verdict).toBe('healthy');
    } finally {
      h.exec('mv /usr/bin/curl.off /usr/bin/curl');
    }
  });
});

describe('Nomad and scaling advice', () => {
  it('pending jobs above capacity: advice names how many clients to add', async () => {
    // Two 8-vCPU / 32 GB clients run 3 medium builds each (after 2 vCPU + 4 GB): 6, all busy; 7 more pending.
    w.setNomad(
      ['4e5f6a7b default nomad-client-1 linux-64bit false eligible ready 3 8 32768', '8c9d0e1f default nomad-client-2 linux-64bit false eligible ready 3 8 32768'],
      [...Array.from({ length: 6 }, (_, i) => `run-${i} batch 50 running`), ...Array.from({ length: 7 }, (_, i) => `wait-${i} batch 50 pending`)],
    );
    const r = await w.call('nomad:status', {});
    expect(r.nomad.jobs).toEqual({ pending: 7, running: 6, complete: 0, dead: 0 });
    const action = r.advice.find((a) => a.level === 'action')!;
    expect(action.addClients).toBe(3); // ceil(7 / 3)
    expect(action.text).toMatch(/^Add 3 Nomad clients: 7 jobs pending/);
    expect(action.text).toContain('8 vCPUs, 32 GB');
  });

  it('a drained client and no pending jobs: no action, the drained one is named', async () => {
    w.setNomad(['4e5f6a7b default nomad-client-1 linux-64bit true ineligible ready 0', '8c9d0e1f default nomad-client-2 linux-64bit false eligible ready 1'], ['run-1 batch 50 running']);
    const r = await w.call('nomad:status', {});
    expect(r.advice.map((a) => a.level)).toEqual(['info']);
    expect(r.advice[0].text).toMatch(/nomad-client-1 \(ready, draining, ineligible\)/);
  });

  it('the nomad container stopped: poll failure, said plainly', async () => {
    w.dockerd.docker('stop', 'nomad');
    try {
      const r = await check();
      expect(r.nomad.pollFailure).toBe(true);
      expect(r.advice[0].text).toMatch(/Nomad server did not answer/);
      expect(byName(r, 'nomad')).toMatchObject({ tableName: 'nomad_server', down: true, severity: 'severe' });
    } finally {
      w.dockerd.docker('start', 'nomad');
    }
  });
});
