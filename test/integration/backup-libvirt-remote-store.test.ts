/**
 * A libvirt backup store on another inventory host than the hypervisor,
 * against a real libvirtd + QEMU: `hv` is the hypervisor (the daemon's folder
 * bound into it), `store` is a second lab host with no libvirt and no route
 * needed to `hv` (the bytes go through this laptop).
 *
 * - a live backup lands on `store` with its manifest and checksum; the
 *   hypervisor keeps no staged file and the domain no overlay, and the
 *   overlay was already committed back when the network copy began; the
 *   stored image holds the data from before the snapshot only; progress goes
 *   up through the convert and the copy;
 * - the backup operation's events carry increasing percentages;
 * - a copy cancelled half way leaves no overlay and keeps the staged image;
 *   asked again, the same backup is sent on without a new snapshot;
 * - the CLI killed during the relay: the domain is not on an overlay, and
 *   `runs resume` goes on from the store's .partial without a second
 *   snapshot or a second convert;
 * - verify, restore's copy (store → the spare's hypervisor) and delete read
 *   the store host; a profile whose store host is not in the inventory is refused.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG } from '../../shared/backup/profile';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { LibvirtProvider } from '../../electron/engine/operations/backup/libvirt/libvirt-provider';
import { RunStore } from '../../electron/engine/runbook/run-store';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { startLibvirt, type Libvirt } from './libvirt-fixture';
import { bundleCli } from './backup-fixture';

const STORE = '/var/backups/drydock-images';
const STAGING = `${STORE}/staging`;
let lv: Libvirt;
let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }, { name: 'store' }])]);
  lv.bindInto(lab.hosts.hv);
  fx = await engineWithHosts(lab, [
    { name: 'hv', role: 'hypervisor' },
    { name: 'store', role: 'bastion' },
  ]);
}, 120_000);

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  await lv?.stop();
});

const provider = (domain: string, spareDomain?: string) => {
  const p = new LibvirtProvider(fx.engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'store', dir: STORE }, domain, ...(spareDomain ? { spareDomain } : {}) });
  p.stopGraceMs = 1500;
  return p;
};
const overlays = () => readdirSync(path.join(lv.dir, 'images')).filter((f) => f.includes('.drydock-'));
const onStore = (cmd: string) => lab.hosts.store.exec(cmd).stdout;
const onHv = (cmd: string) => lab.hosts.hv.exec(cmd).stdout;
const readsAs = (image: string, pattern: number, length = '1M') => onStore(`qemu-io -r -U -c 'read -P 0x${pattern.toString(16)} 0 ${length}' ${image}`);
const staged = () => onHv(`ls -A ${STAGING} 2>/dev/null || true`).trim();
const audited = (home: string, pattern: RegExp) =>
  readFileSync(path.join(home, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { host?: string; command?: string })
    .filter((e) => pattern.test(e.command ?? ''));

const handlers = () => createHandlers(fx.engine);
async function call<T>(channel: string, request: unknown, emit: (e: DrydockEvent) => void = () => undefined): Promise<T> {
  const r = await dispatch(handlers(), channel as never, request as never, { emit });
  if (!r.ok) throw fromErrorPayload(r.error);
  return r.value as T;
}

describe('libvirt backup into a store on another host (real libvirtd, two lab hosts)', () => {
  it('live: staged on the hypervisor, committed back before the copy, sent to the store host with its manifest; nothing left on the hypervisor', async () => {
    const { image } = lv.createDomain('rs1', { diskMiB: 64, fillMiB: 32 });
    lv.write('rs1', 0xab, 0, '1M');
    const p = provider('rs1');
    const m = await p.findMachine('rs1');
    p.afterSnapshot = async () => {
      expect(lv.virsh('domblklist', 'rs1')).toMatch(/\.drydock-/);
      lv.write('rs1', 0xcd, 0, '1M');
    };
    const seen: { percent: number; message: string; overlay: boolean }[] = [];
    const onProgress = (percent: number, message: string) => seen.push({ percent, message, overlay: /\.drydock-/.test(lv.virsh('domblklist', 'rs1')) });
    const [snap] = await p.createSnapshots({ machine: m, disks: await p.disks(m), tags: { [TAG.run]: 'run-rs-1', [TAG.mode]: 'live' }, description: 'remote store' }, { onProgress });
    expect(snap).toMatchObject({ state: 'completed', root: true, device: 'vda', disk: image });

    expect(lv.virsh('domblklist', 'rs1')).not.toMatch(/\.drydock-/);
    expect(overlays()).toEqual([]);
    expect(staged(), 'no staged image left on the hypervisor').toBe('');
    expect(onHv(`stat -c '%u %a' ${STAGING}`).trim()).toBe('0 700');
    expect(onHv(`ls ${STORE}/*.qcow2 ${STORE}/*.json 2>/dev/null || true`).trim(), 'the backup is not on the hypervisor').toBe('');

    const stored = `${STORE}/${snap.id}.qcow2`;
    expect(onStore(`stat -c '%u %a' ${STORE} ${stored}`).trim().split('\n')).toEqual(['0 700', '0 600']);
    expect(readsAs(stored, 0xab)).toMatch(/read 1048576\/1048576/);
    expect(readsAs(stored, 0xab)).not.toMatch(/verification failed/);
    expect(readsAs(stored, 0xcd)).toMatch(/Pattern verification failed/);
    const manifest = JSON.parse(onStore(`cat ${STORE}/${snap.id}.json`));
    expect(manifest).toMatchObject({ domain: 'rs1', disk: 'vda', source: image, mode: 'live', state: 'completed', virtualSizeBytes: 64 * 2 ** 20 });
    expect(manifest.sha256).toBe(onStore(`sha256sum ${stored}`).split(' ')[0]);
    expect(manifest.sizeBytes).toBe(Number(onStore(`stat -c %s ${stored}`).trim()));
    expect(onStore(`ls ${STORE} | grep -c partial || true`).trim()).toBe('0');

    // Progress: the convert's percentages, then the copy's, never going back, ending at 100.
    const percents = seen.map((x) => x.percent);
    console.log(`progress reported: ${percents.join(' ')}`);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(new Set(percents).size).toBeGreaterThan(5);
    expect(seen.some((x) => /qemu-img convert vda .*: \d+%/.test(x.message))).toBe(true);
    const copying = seen.filter((x) => /bytes copied/.test(x.message));
    expect(copying.length).toBeGreaterThan(2);
    expect(copying.every((x) => !x.overlay), 'the overlay is committed back before the network copy').toBe(true);

    // Listing, verify and delete read the store host.
    expect((await p.listSnapshots({ tags: { [TAG.run]: 'run-rs-1' } })).map((s) => s.id)).toEqual([snap.id]);
    await p.verifySnapshot(snap.id);
    onStore(`qemu-io -c 'write -P 0x11 0 4k' ${stored}`);
    await expect(p.verifySnapshot(snap.id)).rejects.toThrow(/does not match its manifest/);
    await p.deleteSnapshot(snap.id);
    expect(onStore(`ls ${STORE}`).trim()).toBe('');
    expect(await p.listSnapshots({ tags: { [TAG.run]: 'run-rs-1' } })).toEqual([]);
  });

  it('the backup operation: its events carry increasing percentages; the catalog is read from the store host; restore copies from it', async () => {
    lv.createDomain('rs2', { diskMiB: 64, fillMiB: 64 });
    lv.createDomain('rs2-spare', { diskMiB: 64, folder: lv.rootPool });
    await expect(call('backup:profile-set', { name: 'far-nowhere', provider: 'libvirt', hypervisor: 'hv', domain: 'rs2', uri: lv.uri, store: { host: 'nowhere', dir: STORE } })).rejects.toThrow(/nowhere is not in the inventory/);
    await call('backup:profile-set', { name: 'far', provider: 'libvirt', hypervisor: 'hv', domain: 'rs2', uri: lv.uri, store: { host: 'store', dir: STORE } });
    const plan = await call<{ explanation: string[] }>('backup:plan', { profile: 'far', mode: 'live' });
    expect(plan.explanation.join(' ')).toMatch(/The store is on store: each image is converted on hv into \/var\/backups\/drydock-images\/staging .*copied to store:\/var\/backups\/drydock-images through this computer/);
    const events: DrydockEvent[] = [];
    const result = await call<{ runId: string; snapshots: { id: string; state: string }[] }>('backup:run', { profile: 'far', mode: 'live', wait: true }, (e) => events.push(e));
    expect(result.snapshots.map((s) => s.state)).toEqual(['completed']);
    const notes = events
      .filter((e): e is Extract<DrydockEvent, { type: 'step' }> => e.type === 'step' && e.step === 'snapshot' && typeof (e as { message?: string }).message === 'string')
      .map((e) => e.message!)
      .filter((msg) => /^\d+% · /.test(msg));
    const percents = notes.map((msg) => Number(/^(\d+)%/.exec(msg)![1]));
    expect(percents.length).toBeGreaterThan(5);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    expect(notes.some((msg) => /qemu-img convert/.test(msg)) && notes.some((msg) => /bytes copied/.test(msg))).toBe(true);

    const { backups } = await call<{ backups: { id: string; ours: boolean; state: string }[] }>('backup:list', { profile: 'far' });
    expect(backups.find((b) => b.id === result.runId)).toMatchObject({ ours: true, state: 'completed' });
    expect(staged()).toBe('');
    expect(overlays()).toEqual([]);

    // Restore's copy: from the store host to the spare's hypervisor, through this laptop, verified.
    const id = result.snapshots[0].id;
    const p = provider('rs2', 'rs2-spare');
    await p.verifySnapshot(id);
    const disk = await p.createDiskFromSnapshot(id, 'hv', {});
    const dest = `${lv.rootPool}/rs2-spare-restored-${id}.qcow2`;
    expect(disk.id).toBe(`hv:${dest}`);
    const sha = JSON.parse(onStore(`cat ${STORE}/${id}.json`)).sha256 as string;
    expect(execFileSync('sha256sum', [dest], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
    expect(p.lastCopy).toMatchObject({ resumedFrom: 0, alreadyThere: false });
    expect(execFileSync('qemu-io', ['-r', '-U', '-c', 'read -P 0x5a 0 64M', dest], { encoding: 'utf8' })).not.toMatch(/verification failed/);
  });

  it('a copy cancelled half way: committed back already, the staged image kept; asked again, the same backup is sent on without a new snapshot', async () => {
    lv.createDomain('rs4', { diskMiB: 128, fillMiB: 128 });
    const p = provider('rs4');
    const m = await p.findMachine('rs4');
    const disks = await p.disks(m);
    let snapshots = 0;
    p.afterSnapshot = async () => {
      snapshots += 1;
    };
    const stop = new AbortController();
    const request = { machine: m, disks, tags: { [TAG.run]: 'run-rs-4', [TAG.mode]: 'live' }, description: 'cancelled' };
    await expect(p.createSnapshots(request, { signal: stop.signal, onProgress: (pct, msg) => /bytes copied/.test(msg) && pct >= 70 && stop.abort() })).rejects.toThrow(/Cancelled/);
    expect(lv.virsh('domblklist', 'rs4')).not.toMatch(/\.drydock-/);
    const [failed] = await p.listSnapshots({ tags: { [TAG.run]: 'run-rs-4' } });
    expect(failed).toMatchObject({ state: 'error' });
    expect(staged()).toBe(`${failed.id}.qcow2`);

    const [done] = await p.createSnapshots(await (async () => ({ ...request, machine: await p.findMachine('rs4') }))());
    expect(done).toMatchObject({ id: failed.id, state: 'completed' });
    expect(done.message).toBeUndefined();
    expect(snapshots, 'one snapshot for the backup, none for the resumed copy').toBe(1);
    await p.verifySnapshot(done.id);
    expect(done.tags['drydock:sha256']).toBe(failed.tags['drydock:sha256']);
    expect(staged()).toBe('');
    expect(readsAs(`${STORE}/${done.id}.qcow2`, 0x5a, '128M')).not.toMatch(/verification failed/);
  });

  it('the CLI killed during the relay: no overlay left; `runs resume` goes on from the store’s .partial, no second snapshot or convert', async () => {
    const cli = bundleCli();
    try {
      lv.createDomain('rs3', { diskMiB: 256, fillMiB: 256 });
      await call('backup:profile-set', { name: 'far3', provider: 'libvirt', hypervisor: 'hv', domain: 'rs3', uri: lv.uri, store: { host: 'store', dir: STORE } });
      const env = { DRYDOCK_HOME: fx.home, HOME: fx.home };
      const proc = cli.start(['backup', 'run', '--profile', 'far3', '--mode', 'live', '--yes'], env);
      // Killed once the relay has put some bytes on the store host.
      const partialBytes = () => Number(onStore(`stat -c %s ${STORE}/rs3-*.qcow2.partial 2>/dev/null || echo 0`).trim().split('\n')[0]);
      for (let i = 0; i < 1500 && partialBytes() < 8 * 2 ** 20; i++) await new Promise((res) => setTimeout(res, 20));
      proc.child.kill('SIGKILL');
      expect((await proc.done).signal).toBe('SIGKILL');
      const cut = partialBytes();
      expect(cut).toBeGreaterThan(0);

      // The crash state: committed back already, the staged image and its recorded checksum wait for the copy.
      expect(lv.virsh('domblklist', 'rs3')).not.toMatch(/\.drydock-/);
      expect(overlays()).toEqual([]);
      const run = new RunStore(fx.home).list().find((x) => x.operation === 'backup-run' && (x.input as { profile: string }).profile === 'far3')!;
      expect(run.status).toBe('interrupted');
      const p = provider('rs3');
      const [pending] = await p.listSnapshots({ tags: { [TAG.run]: run.id } });
      expect(pending).toMatchObject({ state: 'pending' });
      expect(pending.tags['drydock:sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(staged()).toBe(`${pending.id}.qcow2`);

      const resumed = await cli.start(['runs', 'resume', run.id], env).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      const mine = await p.listSnapshots({ tags: { [TAG.run]: run.id } });
      expect(mine.map((x) => [x.id, x.state])).toEqual([[pending.id, 'completed']]);
      await p.verifySnapshot(pending.id);
      expect(readsAs(`${STORE}/${pending.id}.qcow2`, 0x5a, '256M')).not.toMatch(/verification failed/);
      expect(staged()).toBe('');
      expect(onStore(`ls ${STORE} | grep -c partial || true`).trim()).toBe('0');
      expect(lv.virsh('domblklist', 'rs3')).not.toMatch(/\.drydock-/);

      // One snapshot, one convert for this domain; the resumed writer started past the bytes already there.
      expect(audited(fx.home, /snapshot-create-as 'rs3'|snapshot-create-as rs3/)).toHaveLength(1);
      expect(audited(fx.home, new RegExp(`qemu-img convert .*${pending.id}`))).toHaveLength(1);
      const writers = audited(fx.home, new RegExp(`dd of=.*${pending.id}\\.qcow2\\.partial`)).map((e) => Number(/seek=(\d+)/.exec(e.command!)![1]));
      // (The killed CLI never got to log its own writer: a stream is audited when it ends.)
      console.log(`relay killed at ${cut} bytes on the store; the resumed writer started at ${writers.join(', ')}`);
      expect(writers.length).toBeGreaterThan(0);
      expect(writers.at(-1)).toBeGreaterThanOrEqual(cut);
    } finally {
      cli.dispose();
    }
  });
});
