/**
 * The guide's container table as data: every row reachable from its
 * `docker ps` name and back, every dependency a row of the table, the
 * downstream graph as the guide implies, conditional severities resolved.
 */
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_TABLE, UNLISTED_CONTAINERS, downstreamOf, dockerName, resolveSeverity, rowByTableName, rowForContainer, upstreamOf,
} from '../../shared/health/containers';
import { assessContainers, verdictOf, type DockerContainer } from '../../shared/health/assess';
import { SERVICES_CONTAINERS } from '../lab/lab';

const up = (name: string, image = `circleci/${name}:1`): DockerContainer => ({ name, image, state: 'running', status: 'Up 3 days', exitCode: 0, restartCount: 0, health: null });

describe('container table', () => {
  it('has the guide’s 39 rows, unique names, and dependencies that are rows', () => {
    expect(CONTAINER_TABLE).toHaveLength(39);
    expect(new Set(CONTAINER_TABLE.map((r) => r.tableName)).size).toBe(39);
    for (const r of CONTAINER_TABLE) for (const d of r.dependsOn) expect(rowByTableName(d), `${r.tableName} -> ${d}`).toBeDefined();
  });

  it('maps every docker ps name of admin-commands.md §6 to a row or a known unlisted container, and back', () => {
    for (const name of SERVICES_CONTAINERS) {
      const row = rowForContainer(name);
      if (row) expect(row.dockerNames).toContain(name);
      else expect(UNLISTED_CONTAINERS[name], name).toBeDefined();
    }
    expect(rowForContainer('federations-service')?.tableName).toBe('federation-service');
    expect(rowForContainer('picard-output-processor')?.tableName).toBe('output-processor');
    expect(rowForContainer('picard-scheduler')?.tableName).toBe('scheduler');
    expect(rowForContainer('nomad')?.tableName).toBe('nomad_server');
    expect(rowForContainer('usage-stats')?.tableName).toBe('server-usage-stats');
    expect(dockerName(rowByTableName('federation-service')!)).toBe('federations-service');
    expect(dockerName(rowByTableName('nomad_server')!)).toBe('nomad');
    // By image when the name is unusual.
    expect(rowForContainer('c0ffee_logs', 'tutum/logrotate:latest')?.tableName).toBe('tutum/logrotate');
    expect(rowForContainer('pg', 'circleci/postgres-script-enhance:0.1.9')?.tableName).toBe('postgres');
  });

  it('downstream of postgres: everything that starts on it, directly or through frontend', () => {
    const d = downstreamOf('postgres');
    expect(d).toEqual(expect.arrayContaining(['frontend', 'api-service', 'workflows-conductor', 'contexts-service', 'cron-service-migrator']));
    expect(d).not.toContain('exim');
    expect(downstreamOf('exim')).toEqual([]);
    expect(downstreamOf('vault-cci')).toEqual(expect.arrayContaining(['contexts-service', 'api-service']));
    expect(upstreamOf('api-service')).toEqual(expect.arrayContaining(['postgres', 'frontend', 'vault-cci', 'contexts-service']));
  });

  it('resolves conditional severities, and assumes the worse when it cannot tell', () => {
    const fed = rowByTableName('federation-service')!;
    expect(resolveSeverity(fed, { ldap: true, s3: null }).severity).toBe('severe');
    expect(resolveSeverity(fed, { ldap: false, s3: null }).severity).toBe('mild');
    expect(resolveSeverity(fed, { ldap: null, s3: null })).toMatchObject({ severity: 'severe', note: expect.stringMatching(/assumed severe/) });
    const fs = rowByTableName('fileserved')!;
    expect(resolveSeverity(fs, { ldap: null, s3: true }).severity).toBe('mild');
    expect(resolveSeverity(fs, { ldap: null, s3: false }).severity).toBe('severe');
  });
});

describe('assessing containers', () => {
  const all = () => CONTAINER_TABLE.map((r) => (r.oneShot ? { ...up(dockerName(r)), state: 'exited', status: 'Exited (0) 3 days ago' } : up(dockerName(r))));

  it('all up (one-shots exited 0): healthy', () => {
    const c = assessContainers(all(), { ldap: false, s3: false });
    expect(verdictOf(c).verdict).toBe('healthy');
  });

  it('missing one-shots are not down; fileserved missing is fine only with S3', () => {
    const running = all().filter((c) => !rowForContainer(c.name)!.oneShot && c.name !== 'fileserved');
    expect(verdictOf(assessContainers(running, { ldap: false, s3: true })).verdict).toBe('healthy');
    const noS3 = assessContainers(running, { ldap: false, s3: false });
    expect(noS3.find((c) => c.name === 'fileserved')).toMatchObject({ state: 'missing', down: true, severity: 'severe' });
  });

  it('restarting and unhealthy count as down; unlisted containers are shown, never judged', () => {
    const list = all().map((c) =>
      c.name === 'redis' ? { ...c, state: 'restarting', status: 'Restarting (1) 2 seconds ago', restartCount: 14 } : c.name === 'slanger' ? { ...c, health: 'unhealthy' } : c);
    const r = assessContainers([...list, { ...up('replicated-ui'), state: 'exited', status: 'Exited (2)' }], { ldap: false, s3: true });
    expect(r.find((c) => c.name === 'redis')).toMatchObject({ state: 'restarting', down: true, restartCount: 14, severity: 'moderate' });
    expect(r.find((c) => c.name === 'slanger')).toMatchObject({ down: true, reason: expect.stringMatching(/unhealthy/) });
    expect(r.find((c) => c.name === 'replicated-ui')).toMatchObject({ tableName: null, severity: null, down: true });
    expect(verdictOf(r).verdict).toBe('unhealthy');
  });

  it('postgres down: takes down its services; migrators that already ran are left out', () => {
    const r = assessContainers(all().map((c) => (c.name === 'postgres' ? { ...c, state: 'exited', status: 'Exited (0)' } : c)), { ldap: false, s3: true });
    const pg = r.find((c) => c.name === 'postgres')!;
    expect(pg.takesDown).toEqual(expect.arrayContaining(['frontend', 'api-service', 'federations-service', 'workflows-conductor']));
    expect(pg.takesDown.filter((n) => /migrator/.test(n))).toEqual([]);
    expect(r.find((c) => c.name === 'cron-service-migrator')!.impactedBy).toEqual([]);
    expect(r.find((c) => c.name === 'frontend')!.impactedBy).toEqual(['postgres']);
  });

  it('an old exited copy beside the running one does not make it down', () => {
    const r = assessContainers([...all(), { ...up('postgres'), name: 'postgres-old', image: 'circleci/postgres:1', state: 'exited', status: 'Exited (137)' }], { ldap: false, s3: true });
    expect(r.find((c) => c.tableName === 'postgres')).toMatchObject({ name: 'postgres', down: false });
  });
});
