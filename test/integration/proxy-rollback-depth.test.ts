/**
 * Proxy rollback over several applies (issue 7, items 2, 6, 7): by default
 * the hosts go back to the state before the first Drydock apply, not only
 * the last one; the admin can choose a later point; folders Drydock created
 * go too; a set this laptop has no record of is shown (paths and hashes) and
 * restored only once confirmed (CLI: exit 3 without --yes).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startOrigin, type LabHttpProxy, type LabOrigin } from '../lab/http-proxy';
import { bundleCli, NOMAD, startProxyWorld, type ProxyWorld } from './proxy-fixture';

let w: ProxyWorld;
let cli: ReturnType<typeof bundleCli>;
let proxy: LabHttpProxy;
let origin: LabOrigin;
let originals: Record<string, string | null>;

const DROP_IN_DIR = '/etc/systemd/system/docker.service.d';
const exists = (host: string, p: string) => w.lab.hosts[host].exec(`test -e ${p} && echo yes || echo no`).stdout.trim() === 'yes';
const apply = (noProxy: string[] = []) => w.call('proxy:apply', { settings: { proxy: proxy.url, noProxy }, restartReplicated: false, restartDocker: [], verifyUrl: origin.url });
const noRestarts = { restartReplicated: false, restartDocker: [] };

beforeAll(async () => {
  cli = bundleCli();
  [w, proxy, origin] = await Promise.all([startProxyWorld(), startHttpProxy(), startOrigin()]);
  originals = w.snapshot();
});

afterAll(async () => {
  await Promise.all([w?.dispose(), proxy?.close(), origin?.close()]);
  cli?.dispose();
});

describe('rollback depth', () => {
  it('lists the sets with dates, rolls back to a chosen point, and by default to the original', async () => {
    await apply();
    const first = w.snapshot();
    expect(w.lab.hosts['nomad-1'].exec(`stat -c %a ${DROP_IN_DIR}/http-proxy.conf`).stdout.trim()).toBe('600');
    await apply(['.corp.example']);
    const second = w.snapshot();
    expect(second).not.toEqual(first);

    const plan = await w.call('proxy:rollback-plan', {});
    expect(plan.to).toBeUndefined();
    expect(plan.choices).toHaveLength(2);
    expect(plan.choices!.every((c) => c.hosts.length === 3 && !Number.isNaN(Date.parse(c.createdAt)))).toBe(true);
    expect(plan.hosts.every((h) => h.sets?.length === 2 && h.sets.every((s) => s.recorded))).toBe(true);
    expect(plan.unrecorded).toEqual([]);

    // Back to the state before the second apply only.
    const newest = plan.choices![0].set;
    const partial = await w.call('proxy:rollback-plan', { to: newest });
    expect(partial.hosts.every((h) => h.sets?.length === 1 && h.set === newest)).toBe(true);
    await w.call('proxy:rollback', { ...noRestarts, to: newest });
    expect(w.snapshot()).toEqual(first);

    // A third apply, then the default: every open set, newest first, down to the original.
    await apply(['.other.example']);
    const again = await w.call('proxy:rollback-plan', {});
    expect(again.choices).toHaveLength(2);
    await w.call('proxy:rollback', noRestarts);
    expect(w.snapshot()).toEqual(originals);
    for (const n of NOMAD) expect(exists(n, DROP_IN_DIR), `${n}: the folder Drydock created is gone`).toBe(false);
    await expect(w.call('proxy:rollback-plan', {})).rejects.toThrow(/No proxy backup to roll back/);
  });
});

describe('a backup set this laptop has no record of', () => {
  it('is shown with its paths and hashes and restored only once confirmed', async () => {
    await apply();
    const applied = w.snapshot();
    // As if another admin's laptop had made it: no runbook here knows the set.
    rmSync(path.join(w.fx.home, 'runs'), { recursive: true, force: true });

    const refused = await w.call('proxy:rollback', noRestarts).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/was not made from this laptop: review its paths and hashes/);
    expect(w.snapshot()).toEqual(applied);

    const drydock = (...args: string[]) => cli.run(args, { DRYDOCK_HOME: w.fx.home });
    const asked = await drydock('proxy', 'rollback', '--no-restart');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toMatch(/services: backup set \S+ of \S+ was NOT made from this laptop; its manifest says:/);
    expect(asked.stdout).toMatch(/\/etc\/replicated\.conf {2}before sha256 [0-9a-f]{64} {2}after sha256 [0-9a-f]{64}/);
    expect(asked.stdout).toMatch(/\/etc\/systemd\/system\/docker\.service\.d\/http-proxy\.conf {2}did not exist {2}after sha256 [0-9a-f]{64}/);
    expect(asked.stderr).toContain('Needs confirmation: nothing was written');
    expect(w.snapshot()).toEqual(applied);

    const confirmed = await drydock('proxy', 'rollback', '--no-restart', '--yes');
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(w.snapshot()).toEqual(originals);
  });
});
