/**
 * libvirt backups against a real libvirtd + QEMU, over SSH to a lab host
 * acting as the hypervisor: after a live backup the domain runs on its base
 * image again with no overlay file left; the stored image holds what was
 * written before the snapshot and not what was written after; its checksum
 * verifies (and a changed image does not); a failure injected after the
 * snapshot still leaves no overlay; a shut-off domain is copied as it is,
 * with no snapshot; an unsafe store is refused; and the
 * backup operation runs end to end with a libvirt profile.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG } from '../../shared/backup/profile';
import { fromErrorPayload } from '../../shared/errors';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { LibvirtProvider } from '../../electron/engine/operations/backup/libvirt/libvirt-provider';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { startLibvirt, type Libvirt } from './libvirt-fixture';
import { bundleCli } from './backup-fixture';
import { RunStore } from '../../electron/engine/runbook/run-store';

const STORE = '/var/backups/drydock-images';
let lv: Libvirt;
let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }])]);
  lv.bindInto(lab.hosts.hv);
  fx = await engineWithHosts(lab, [{ name: 'hv', role: 'hypervisor' }]);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  await lv?.stop();
});

const provider = (domain: string) => new LibvirtProvider(fx.engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'hv', dir: STORE }, domain });
const overlays = () => readdirSync(path.join(lv.dir, 'images')).filter((f) => f.includes('.drydock-'));
/** qemu-io inside the hypervisor host, on a stored image. */
const readsAs = (image: string, pattern: number) => lab.hosts.hv.exec(`qemu-io -r -U -c 'read -P 0x${pattern.toString(16)} 0 1M' ${image}`).stdout;

describe('libvirt backup (real libvirtd, over SSH)', () => {
  it('live: snapshot, copy the frozen base, checksum, commit back; the copy holds the data from before the snapshot only', async () => {
    const { image } = lv.createDomain('svc1');
    lv.write('svc1', 0xab, 0, '1M');
    const p = provider('svc1');
    const m = await p.findMachine('svc1');
    expect(m).toMatchObject({ running: true, rootDevice: 'vda' });
    const disks = await p.disks(m);
    expect(disks).toEqual([{ id: image, device: 'vda', root: true, sizeGiB: 0.06, state: 'base' }]);
    p.afterSnapshot = async () => {
      // The guest goes on writing: this lands in the overlay, not in the frozen base being copied.
      expect(lv.virsh('domblklist', 'svc1')).toMatch(/\.drydock-/);
      lv.write('svc1', 0xcd, 0, '1M');
    };
    const [snap] = await p.createSnapshots({ machine: m, disks, tags: { [TAG.run]: 'run-live-1', [TAG.mode]: 'live' }, description: 'test' });
    expect(snap).toMatchObject({ state: 'completed', root: true, device: 'vda', disk: image });

    expect(lv.virsh('domblklist', 'svc1')).toContain(image);
    expect(lv.virsh('domblklist', 'svc1')).not.toMatch(/\.drydock-/);
    expect(overlays()).toEqual([]);

    const stored = `${STORE}/${snap.id}.qcow2`;
    expect(readsAs(stored, 0xab)).toMatch(/read 1048576\/1048576/);
    expect(readsAs(stored, 0xab)).not.toMatch(/verification failed/);
    expect(readsAs(stored, 0xcd)).toMatch(/Pattern verification failed/);
    // The write after the snapshot is in the domain's disk again (committed back).
    expect(execFileSync('qemu-io', ['-r', '-U', '-c', 'read -P 0xcd 0 1M', image], { encoding: 'utf8' })).not.toMatch(/verification failed/);

    const manifest = JSON.parse(lab.hosts.hv.exec(`cat ${STORE}/${snap.id}.json`).stdout);
    expect(manifest).toMatchObject({ domain: 'svc1', disk: 'vda', source: image, mode: 'live', state: 'completed', virtualSizeBytes: 64 * 2 ** 20 });
    expect(manifest.sha256).toBe(lab.hosts.hv.exec(`sha256sum ${stored}`).stdout.split(' ')[0]);
    await p.verifySnapshot(snap.id);
    expect(lab.hosts.hv.exec(`stat -c '%u %a' ${STORE}`).stdout.trim()).toBe('0 700');

    // A changed image no longer matches its manifest, and is refused.
    lab.hosts.hv.exec(`qemu-io -c 'write -P 0x11 0 4k' ${stored}`);
    await expect(p.verifySnapshot(snap.id)).rejects.toThrow(/does not match its manifest/);
    expect((await p.listSnapshots({ tags: { [TAG.run]: 'run-live-1' } })).map((s) => s.id)).toEqual([snap.id]);
  });

  it('a failure after the snapshot still commits the overlay back and leaves none', async () => {
    lv.createDomain('svc2');
    const p = provider('svc2');
    const m = await p.findMachine('svc2');
    p.afterSnapshot = async () => {
      throw new Error('injected: copy failed');
    };
    await expect(p.createSnapshots({ machine: m, disks: await p.disks(m), tags: { [TAG.run]: 'run-fail-1' }, description: 'x' })).rejects.toThrow(/injected: copy failed/);
    expect(lv.virsh('domblklist', 'svc2')).not.toMatch(/\.drydock-/);
    expect(overlays()).toEqual([]);
    const [listed] = await p.listSnapshots({ tags: { [TAG.run]: 'run-fail-1' } });
    expect(listed).toMatchObject({ state: 'error', message: 'injected: copy failed' });
  });

  it('a shut-off domain is copied as it is: no snapshot, no overlay, the domain left shut off', async () => {
    const { image } = lv.createDomain('svc-off');
    lv.write('svc-off', 0x3c, 0, '1M');
    lv.virsh('destroy', 'svc-off');
    const p = provider('svc-off');
    const m = await p.findMachine('svc-off');
    expect(m.running).toBe(false);
    let snapshotTaken = false;
    p.afterSnapshot = async () => {
      snapshotTaken = true;
    };
    const [snap] = await p.createSnapshots({ machine: m, disks: await p.disks(m), tags: { [TAG.run]: 'run-off-1', [TAG.mode]: 'consistent' }, description: 'shut off' });
    expect(snap).toMatchObject({ state: 'completed', root: true, device: 'vda', disk: image });
    expect(snapshotTaken, 'no external snapshot of a domain that is not running').toBe(false);
    expect(overlays()).toEqual([]);
    expect(lv.virsh('domstate', 'svc-off').trim()).toBe('shut off');
    expect(lv.virsh('domblklist', 'svc-off')).toContain(image);
    const stored = `${STORE}/${snap.id}.qcow2`;
    expect(readsAs(stored, 0x3c)).toMatch(/read 1048576\/1048576/);
    expect(readsAs(stored, 0x3c)).not.toMatch(/verification failed/);
    await p.verifySnapshot(snap.id);
  });

  it('refuses a store that is a symlink or open to others', async () => {
    const hv = lab.hosts.hv;
    hv.exec('mkdir -p /srv/real && ln -sfn /srv/real /srv/linked && mkdir -p -m 755 /srv/open');
    for (const [dir, why] of [['/srv/linked', /symlink/], ['/srv/open', /mode 755/]] as const) {
      const p = new LibvirtProvider(fx.engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'hv', dir }, domain: 'svc2' });
      const m = await p.findMachine('svc2');
      await expect(p.createSnapshots({ machine: m, disks: await p.disks(m), tags: {}, description: 'x' })).rejects.toThrow(why);
    }
    expect(lv.virsh('domblklist', 'svc2')).not.toMatch(/\.drydock-/);
  });

  it('the backup operation with a libvirt profile: live, completed, catalogued', async () => {
    lv.createDomain('svc3');
    lv.write('svc3', 0x5a, 0, '1M');
    const handlers = createHandlers(fx.engine);
    const call = async <T>(channel: string, request: unknown): Promise<T> => {
      const r = await dispatch(handlers, channel as never, request as never, { emit: () => undefined });
      if (!r.ok) throw fromErrorPayload(r.error);
      return r.value as T;
    };
    await call('backup:profile-set', { name: 'kvm', provider: 'libvirt', hypervisor: 'hv', domain: 'svc3', uri: lv.uri, store: { host: 'hv', dir: STORE } });
    const result = await call<{ runId: string; snapshots: { id: string; state: string }[]; warnings: string[] }>('backup:run', { profile: 'kvm', mode: 'live', wait: true });
    expect(result.snapshots.map((s) => s.state)).toEqual(['completed']);
    expect(overlays()).toEqual([]);
    expect(readsAs(`${STORE}/${result.snapshots[0].id}.qcow2`, 0x5a)).not.toMatch(/verification failed/);
    const { backups } = await call<{ backups: { id: string; ours: boolean; state: string }[] }>('backup:list', { profile: 'kvm' });
    expect(backups.find((b) => b.id === result.runId)).toMatchObject({ ours: true, state: 'completed' });
  });

  it('the CLI killed during the copy leaves the domain on the overlay; `runs resume` copies again from the frozen base and commits', async () => {
    const cli = bundleCli();
    try {
      lv.createDomain('svc4', { diskMiB: 256, fillMiB: 256 });
      const handlers = createHandlers(fx.engine);
      const r = await dispatch(handlers, 'backup:profile-set', { name: 'kvm4', provider: 'libvirt', hypervisor: 'hv', domain: 'svc4', uri: lv.uri, store: { host: 'hv', dir: STORE } }, { emit: () => undefined });
      expect(r.ok).toBe(true);
      const env = { DRYDOCK_HOME: fx.home, HOME: fx.home };
      const proc = cli.start(['backup', 'run', '--profile', 'kvm4', '--mode', 'live', '--yes'], env);
      const copying = () => lab.hosts.hv.exec(`ls ${STORE} | grep -c '^svc4-.*partial$' || true`).stdout.trim() !== '0';
      // What the loop saw, not a second look: the convert may finish between the two.
      let seen = false;
      for (let i = 0; i < 600 && !(seen = copying()); i++) await new Promise((res) => setTimeout(res, 20));
      expect(seen).toBe(true);
      proc.child.kill('SIGKILL');
      expect((await proc.done).signal).toBe('SIGKILL');
      // The crash state: the domain runs on the overlay, the manifest is pending.
      expect(lv.virsh('domblklist', 'svc4')).toMatch(/\.drydock-/);
      const run = new RunStore(fx.home).list().find((x) => x.operation === 'backup-run' && (x.input as { profile: string }).profile === 'kvm4')!;
      expect(run.status).toBe('interrupted');

      const resumed = await cli.start(['runs', 'resume', run.id], env).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(lv.virsh('domblklist', 'svc4')).not.toMatch(/\.drydock-/);
      expect(overlays()).toEqual([]);
      const p = provider('svc4');
      const mine = await p.listSnapshots({ tags: { [TAG.run]: run.id } });
      expect(mine.map((x) => x.state)).toEqual(['completed']);
      await p.verifySnapshot(mine[0].id);
      expect(lab.hosts.hv.exec(`qemu-io -r -U -c 'read -P 0x5a 0 256M' ${STORE}/${mine[0].id}.qcow2`).stdout).not.toMatch(/verification failed/);
      expect(lab.hosts.hv.exec(`ls ${STORE} | grep -c partial || true`).stdout.trim()).toBe('0');
    } finally {
      cli.dispose();
    }
  });
});
