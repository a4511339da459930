/** Parsers for Docker, Replicated and Nomad output, and the scaling arithmetic. */
import { describe, expect, it } from 'vitest';
import {
  mergeDocker, parseAppStatus, parseDockerInspect, parseDockerPs, parseInstallSettings, parseNodeResources, parseNomadJobs, parseNomadNodes,
} from '../../electron/engine/operations/health/parse-health';
import { buildsPerClient, capacityOf, scalingAdvice } from '../../shared/health/scaling';
import type { NomadNode, NomadStatus } from '../../shared/health/report';

const GB = 1024 ** 3;

describe('docker', () => {
  it('reads ps --format {{json .}} (with and without State) and inspect', () => {
    const ps = parseDockerPs([
      '{"Command":"\\"/entrypoint\\"","ID":"abc","Image":"circleci/postgres:1","Names":"postgres","State":"exited","Status":"Exited (0) 1 minute ago"}',
      '{"ID":"def","Image":"exim:1","Names":"exim","Status":"Up 2 hours (unhealthy)"}',
      '{"ID":"123","Image":"x","Names":"redis","Status":"Restarting (1) 3 seconds ago"}',
    ].join('\n'));
    expect(ps.map((c) => [c.name, c.state])).toEqual([['postgres', 'exited'], ['exim', 'running'], ['redis', 'restarting']]);
    const inspect = parseDockerInspect('{"name":"/exim","restartCount":2,"state":{"Status":"running","ExitCode":0,"Health":{"Status":"unhealthy"}}}\n');
    const merged = mergeDocker(ps, inspect);
    expect(merged[1]).toMatchObject({ name: 'exim', restartCount: 2, health: 'unhealthy', state: 'running' });
    expect(merged[0]).toMatchObject({ exitCode: 0, restartCount: null });
  });

  it('replicatedctl app status inspect', () => {
    expect(parseAppStatus('[{"AppID":"x","State":"started","DesiredState":"started","Error":"","IsTransitioning":false}]')).toEqual({ state: 'started', error: '' });
    expect(parseAppStatus('[{"State":"stopping","Error":"boom","IsTransitioning":true}]')).toEqual({ state: 'stopping (transitioning)', error: 'boom' });
  });

  it('LDAP and S3 from app-config export: set, unset, unknown', () => {
    expect(parseInstallSettings('{"ldap_enabled":{"value":"1"},"storage_type":{"value":"s3"}}')).toEqual({ ldap: true, s3: true });
    expect(parseInstallSettings('{"ldap_enabled":{"value":"0"},"s3_bucket":{"value":""}}')).toEqual({ ldap: false, s3: false });
    expect(parseInstallSettings('{"hostname":{"value":"ci.example.com"}}')).toEqual({ ldap: null, s3: null });
    expect(parseInstallSettings('{"auth_provider":{"value":"ldap"}}').ldap).toBe(true);
  });
});

describe('nomad', () => {
  it('counts jobs by status and reads nodes with allocations and size', () => {
    expect(parseNomadJobs('No running jobs\n')).toEqual({ pending: 0, running: 0, complete: 0, dead: 0 });
    const jobs = 'ID     Type   Priority  Status   Submit Date\nj1     batch  50        pending  2019-07-01T10:00:00Z\nj2     batch  50        running  2019-07-01T10:00:00Z\nj3     batch  50        dead     2019-07-01T10:00:00Z\n';
    expect(parseNomadJobs(jobs)).toEqual({ pending: 1, running: 1, complete: 0, dead: 1 });
    const nodes = 'ID        DC       Name            Class        Drain  Eligibility  Status  Running Allocs\n4e5f6a7b  default  nomad-client-1  linux-64bit  false  eligible     ready   3\n';
    expect(parseNomadNodes(nodes)).toEqual([{ id: '4e5f6a7b', name: 'nomad-client-1', drain: false, eligibility: 'eligible', status: 'ready', allocs: 3, cpus: null, memoryBytes: null }]);
    expect(parseNodeResources('Attributes\ncpu.numcores       = 16\nmemory.totalbytes  = 68719476736\n')).toEqual({ cpus: 16, memoryBytes: 64 * GB });
  });

  it('capacity: builds per client after the 2 vCPU + 4 GB reservation, by resource class', () => {
    expect(buildsPerClient(8, 32 * GB)).toBe(3); // medium 2/4: cpu-bound
    expect(buildsPerClient(8, 32 * GB, 'small')).toBe(6);
    expect(buildsPerClient(8, 32 * GB, 'large')).toBe(1);
    expect(buildsPerClient(64, 128 * GB)).toBe(31);
    expect(buildsPerClient(2, 4 * GB)).toBe(0);
  });

  const node = (name: string, extra: Partial<NomadNode> = {}): NomadNode => ({ id: name, name, status: 'ready', eligibility: 'eligible', drain: false, allocs: 3, cpus: 8, memoryBytes: 32 * GB, ...extra });
  const status = (pending: number, nodes: NomadNode[]): NomadStatus => ({ source: 'x', jobs: { pending, running: 6, complete: 0, dead: 0 }, nodes, pollFailure: false });

  it('advice: how many clients to add, or why adding would not help', () => {
    expect(capacityOf([node('a'), node('b', { drain: true })]).builds).toBe(3);
    expect(scalingAdvice(status(0, [node('a')]))).toEqual([]);
    const add = scalingAdvice(status(4, [node('a'), node('b')]));
    expect(add).toEqual([expect.objectContaining({ level: 'action', addClients: 2 })]);
    expect(add[0].text).toMatch(/runs 3 medium builds after the 2 vCPU \+ 4 GB reservation \(6 small or 1 large\)\.$/);
    // Room left on the clients: not a capacity problem.
    const room = scalingAdvice(status(2, [node('a', { allocs: 0 }), node('b', { allocs: 0 })]));
    expect(room[0]).toMatchObject({ level: 'warning', text: expect.stringMatching(/not a capacity problem/) });
    // Growing queue, seen over earlier checks.
    expect(scalingAdvice(status(9, [node('a')]), [2, 5])[0].text).toMatch(/pending and growing/);
    expect(scalingAdvice({ ...status(9, []), pollFailure: true, error: 'refused' })[0]).toMatchObject({ level: 'warning', text: expect.stringMatching(/did not answer \(refused\)/) });
  });
});
