/**
 * What runs is what the admin ticked: restarts go by host name, a restart
 * that is owed but was not ticked (or not listed) never happens and stays
 * owed, the rollback plan lists every restart its run could make, owed
 * restarts are done on their own after a confirmation, proxy runs resume
 * from the runbooks only once their restarts are confirmed (and check their
 * input again), and the plan names every host it leaves out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { GUIDE_RESTART_ORDER, NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let proxy: LabHttpProxy;
let origin: LabOrigin;

beforeAll(async () => {
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  w.fx.engine.inventory.add({ name: 'spare', address: '10.0.0.50', port: 22, user: 'root', role: 'spare' });
  w.fx.engine.inventory.add({ name: 'jump', address: '10.0.0.60', port: 22, user: 'root', role: 'bastion' });
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
});

const dockerRestarts = (host: string) => w.units(host).filter((l) => l === 'daemon-reload' || l.endsWith(' docker'));

describe('restarts exactly as ticked', () => {
  it('lists the hot spare, GHE and the bastion as left out, with the reason, and bypasses the spare', async () => {
    const plan = await w.call('proxy:plan', { proxy: proxy.url });
    expect(plan.hosts.map((h) => h.host)).toEqual(['services', ...NOMAD]);
    expect(plan.leftOut.map((h) => [h.host, h.role])).toEqual([
      ['ghe', 'ghe'],
      ['spare', 'spare'],
      ['jump', 'bastion'],
    ]);
    expect(plan.leftOut.find((h) => h.host === 'spare')!.reason).toMatch(/imaged from the Services machine's backup snapshot/);
    expect(plan.noProxy).toContainEqual({ value: '10.0.0.50', why: 'Hot spare spare (the Services machine after a failover)' });
    expect(plan.noProxy.map((e) => e.value)).not.toContain('10.0.0.60');
    expect(plan.notes.join(' ')).toMatch(/lower case: curl and wget read only the lower-case http_proxy/);
  });

  it('writes without restarting when nothing is ticked, and owes every restart', async () => {
    const result = await w.call('proxy:apply', { settings: { proxy: proxy.url }, restartReplicated: false, restartDocker: [], verifyUrl: origin.url });
    expect(result.restarted).toEqual({ replicated: false, docker: [] });
    expect(result.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-1', 'Docker on nomad-2']);
    // Files that verify while services run the old settings are not reported as a finished job.
    expect(result.verification.every((r) => r.ok)).toBe(true);
    expect(result.summary).toMatch(/files verified, but services still run the old settings: Replicated on services, Docker on nomad-1, Docker on nomad-2\.$/);
    for (const host of ['services', ...NOMAD]) expect(w.units(host)).toEqual([]);

    const again = await w.call('proxy:plan', { proxy: proxy.url });
    expect(again.changedFiles).toBe(0);
    expect(again.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-1', 'Docker on nomad-2']);
    expect(again.restarts).toEqual({ replicated: true, docker: [...NOMAD] });
    const verified = await w.call('proxy:verify', { url: origin.url });
    expect(verified.pendingRestarts).toHaveLength(3);
  });

  it('rollback offers the owed restarts too, and restarts only the hosts ticked', async () => {
    const plan = await w.call('proxy:rollback-plan', {});
    expect(plan.restarts).toEqual({ replicated: true, docker: [...NOMAD] });

    const result = await w.call('proxy:rollback', { restartReplicated: false, restartDocker: ['nomad-1'] });
    expect(result.restarted).toEqual({ replicated: false, docker: ['nomad-1'] });
    expect(dockerRestarts('nomad-1')).toEqual(['daemon-reload', 'restart docker']);
    // Not ticked: not a daemon-reload, not a restart, and still owed.
    expect(w.units('nomad-2')).toEqual([]);
    expect(w.units('services')).toEqual([]);
    expect(result.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-2']);
    const run = (await w.call('runs:list', {})).find((r) => r.id === result.runId)!;
    expect(run.steps.find((s) => s.name === 'restart-docker')!.message).toMatch(/^Docker restarted on nomad-1; not restarted, as you chose: Docker on nomad-2 keeps the old settings/);
  });

  it('does the owed restarts on their own, only those ticked, in the guide order', async () => {
    const none = await w.call('proxy:restart', { restartReplicated: false, restartDocker: [] });
    expect(none.restarted).toEqual({ replicated: false, docker: [] });
    expect(none.pendingRestarts).toEqual(['Replicated on services', 'Docker on nomad-2']);
    expect(w.units('services')).toEqual([]);

    await expect(w.call('proxy:restart', { restartReplicated: false, restartDocker: ['services'] })).rejects.toThrow(/services is not a Nomad client/);
    expect(w.units('services')).toEqual([]);

    const done = await w.call('proxy:restart', { restartReplicated: true, restartDocker: ['nomad-2'] });
    expect(done.restarted).toEqual({ replicated: true, docker: ['nomad-2'] });
    expect(done.pendingRestarts).toEqual([]);
    expect(w.units('services')).toEqual(GUIDE_RESTART_ORDER);
    expect(dockerRestarts('nomad-2')).toEqual(['daemon-reload', 'restart docker']);
    expect(dockerRestarts('nomad-1')).toEqual(['daemon-reload', 'restart docker']);
    expect(await w.call('proxy:pending-restarts', {})).toEqual({ replicated: [], docker: [], described: [] });
  });

  it('resumes a proxy run from the runbooks only after its restarts were shown and confirmed', async () => {
    const failed = (await w.call('runs:list', {})).find((r) => r.operation === 'proxy-restart' && r.status === 'failed')!;
    expect(failed).toBeDefined();
    expect(failed.restartsOnResume?.length).toBeGreaterThan(0);
    const before = w.units('services');
    await expect(w.call('runs:resume', { id: failed.id })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      message: expect.stringMatching(new RegExp(`Resuming run ${failed.id} restarts .*Confirm it`)),
    });
    // Refused before anything ran: no unit was touched.
    expect(w.units('services')).toEqual(before);
    // Confirmed, it does resume (the operation is known to the runbooks), and its first step checks the host list again.
    await expect(w.call('runs:resume', { id: failed.id, confirmRestarts: true })).rejects.toThrow(/services is not a Nomad client in the inventory: nothing was restarted/);
    expect(w.units('services')).toEqual(before);
  });
});
