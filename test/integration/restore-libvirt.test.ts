/**
 * The restore side of the libvirt provider against a real libvirtd + QEMU,
 * over SSH to two lab hosts: `hv` holds the backup store, `hv2` is the
 * spare's hypervisor (the same daemon's folder is bind-mounted into both, the
 * store only lives in hv's filesystem, so a copy to hv2 really travels
 * hv → this laptop → hv2).
 *
 * - a copy interrupted about half way resumes from the bytes already there
 *   (their prefix re-hashed on both sides, in Drydock's root-only staging
 *   folder) and sends less the second time; a partial copy whose bytes
 *   differ is started again from zero;
 * - a spare whose image folder (or a folder above it) someone other than
 *   root could change is refused, nothing written there; a symlink planted
 *   where the image or its partial copy goes is not followed;
 * - a full swap onto the spare domain and back: the spare's own image is
 *   kept (renamed, never deleted), the domain boots the restored image, undo
 *   puts the spare's image back and keeps the restored one for inspection;
 *   a device never gets a second image;
 * - a damaged backup image is detected (SHA-256 against its manifest) and
 *   nothing is left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG } from '../../shared/backup/profile';
import { spareHolds, SPARE_TAG } from '../../electron/engine/operations/restore/spare-record';
import { LibvirtProvider } from '../../electron/engine/operations/backup/libvirt/libvirt-provider';
import type { Snapshot } from '../../electron/engine/operations/backup/provider';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { startLibvirt, type Libvirt } from './libvirt-fixture';

const STORE = '/var/backups/drydock-images';
const SUDO_PW = 'hv3-sudo-pw';
let lv: Libvirt;
let lab: Lab;
let fx: EngineFixture;
let snap: Snapshot;
let sha: string;
let total: number;

const provider = (spareDomain: string, spareHypervisor?: string) => {
  const p = new LibvirtProvider(fx.engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'hv', dir: STORE }, domain: 'prim', spareDomain, ...(spareHypervisor ? { spareHypervisor } : {}) });
  p.stopGraceMs = 1500; // the lab's domains have no OS to answer ACPI: powered off after the grace
  return p;
};
const rootOf = (domain: string) => lv.virsh('domblklist', domain).trim().split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === 'vda')?.[1];
/** qemu-io on the real file (the images folder is the same path everywhere). */
const holds = (image: string, pattern: number) => !/verification failed/.test(execFileSync('qemu-io', ['-r', '-U', '-c', `read -P 0x${pattern.toString(16)} 0 1M`, image], { encoding: 'utf8' }));

beforeAll(async () => {
  [lv, lab] = await Promise.all([startLibvirt(), startLab([{ name: 'hv' }, { name: 'hv2' }, { name: 'hv3', users: [{ name: 'admin', password: SUDO_PW, sudo: 'password' }] }])]);
  for (const h of ['hv', 'hv2', 'hv3']) lv.bindInto(lab.hosts[h]);
  fx = await engineWithHosts(lab, [
    { name: 'hv', role: 'hypervisor' },
    { name: 'hv2', role: 'hypervisor' },
    { name: 'hv3', role: 'hypervisor', user: 'admin' },
  ]);
  fx.engine.credentials.set('hv3', { sudoPassword: SUDO_PW });
  // The primary's backup: 160 MiB of pattern 0x5a, taken live into hv's store.
  lv.createDomain('prim', { diskMiB: 160, fillMiB: 160 });
  const p = provider('spare', 'hv2');
  const m = await p.findMachine('prim');
  [snap] = await p.createSnapshots({ machine: m, disks: await p.disks(m), tags: { [TAG.run]: 'run-restore-src', [TAG.mode]: 'live' }, description: 'restore source' });
  const manifest = JSON.parse(lab.hosts.hv.exec(`cat ${STORE}/${snap.id}.json`).stdout) as { sha256: string; sizeBytes: number };
  [sha, total] = [manifest.sha256, manifest.sizeBytes];
  lv.createDomain('spare', { diskMiB: 160, folder: lv.rootPool });
  lv.write('spare', 0x33, 0, '1M');
}, 240_000);

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  await lv?.stop();
});

describe('libvirt restore onto a spare (real libvirtd, two hypervisors over SSH)', () => {
  it('a copy interrupted about half way resumes from the bytes already there and sends less; a differing partial starts again', async () => {
    const p = provider('spare', 'hv2');
    const spare = await p.findMachine('spare');
    expect(spare).toMatchObject({ zone: 'hv2', running: true, rootDevice: 'vda' });
    const dest = `${lv.rootPool}/spare-restored-${snap.id}.qcow2`;
    const partialFile = `${lv.rootPool}/.drydock-restore/spare-restored-${snap.id}.qcow2.partial`;

    const stop = new AbortController();
    const first = p.createDiskFromSnapshot(snap.id, 'hv2', { 'drydock:spare': 'spare1' }, { signal: stop.signal, onProgress: (pct) => pct >= 50 && stop.abort() });
    await expect(first).rejects.toThrow(/Cancelled/);
    const partial = statSync(partialFile).size;
    // Staged where only root can reach: Drydock's folder, root's, 0700.
    expect([statSync(`${lv.rootPool}/.drydock-restore`).uid, (statSync(`${lv.rootPool}/.drydock-restore`).mode & 0o7777).toString(8)]).toEqual([0, '700']);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(total);
    expect(existsSync(dest)).toBe(false);

    const disk = await p.createDiskFromSnapshot(snap.id, 'hv2', { 'drydock:spare': 'spare1' });
    const second = p.lastCopy!;
    console.log(`restore copy: ${total} bytes; interrupted at ${partial} (${Math.round((partial / total) * 100)} %); resumed from ${second.resumedFrom}, sent ${second.bytesSent} the second time`);
    expect(second.resumedFrom).toBeGreaterThanOrEqual(partial);
    expect(second.bytesSent).toBe(total - second.resumedFrom);
    expect(second.bytesSent).toBeLessThan(total * 0.75);
    expect(disk).toMatchObject({ id: `hv2:${dest}`, zone: 'hv2', state: 'available', sizeGiB: 0.16, tags: { 'drydock:spare': 'spare1' } });
    expect(execFileSync('sha256sum', [dest], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
    expect(existsSync(partialFile)).toBe(false);
    // Owned like the spare's own image (libvirt's user in this lab: QEMU opens it), open to no one else.
    expect((statSync(dest).mode & 0o777).toString(8)).toBe('600');
    expect(statSync(dest).uid).toBe(statSync(`${lv.rootPool}/spare.qcow2`).uid);
    expect(statSync(dest).uid).not.toBe(0);
    // The store never left hv: hv2 got the bytes through this laptop.
    expect(lab.hosts.hv2.exec(`ls ${STORE}/${snap.id}.qcow2 2>&1 || true`).stdout).toMatch(/No such file/);

    // Asked again: already there and verified, nothing moved.
    await p.createDiskFromSnapshot(snap.id, 'hv2', {});
    expect(p.lastCopy).toEqual({ resumedFrom: total, bytesSent: 0, alreadyThere: true });
    await p.tagDisk(disk.id, { 'drydock:spare-ready-at': '2026-11-30T03:00:00Z' });
    expect((await p.describeDisk(disk.id)).tags).toEqual({ 'drydock:spare': 'spare1', 'drydock:spare-ready-at': '2026-11-30T03:00:00Z' });

    // A partial copy of the same size but other bytes is not trusted: the copy starts from zero.
    const other = dest;
    lab.hosts.hv2.exec(`mv ${other} /tmp/keep.qcow2 && head -c ${partial} /dev/urandom > ${partialFile}`);
    await p.createDiskFromSnapshot(snap.id, 'hv2', { 'drydock:spare': 'spare1' });
    expect(p.lastCopy).toMatchObject({ resumedFrom: 0, bytesSent: total, alreadyThere: false });
    expect(execFileSync('sha256sum', [other], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
  });

  it('swaps the spare domain onto the restored image and back (undo): the spare’s own image is kept, never two roots', async () => {
    const p = provider('spare', 'hv2');
    const spareImage = `${lv.rootPool}/spare.qcow2`;
    const restored = `${lv.rootPool}/spare-restored-${snap.id}.qcow2`;
    const disk = await p.describeDisk(`hv2:${restored}`);
    let spare = await p.findMachine('spare');
    const [root] = await p.disks(spare);
    expect(root).toMatchObject({ id: `hv2:${spareImage}`, device: 'vda', root: true });
    expect(await p.describeDisk(root.id)).toMatchObject({ zone: 'hv2', sizeGiB: 0.16 });

    await p.stopMachine(spare);
    expect(lv.virsh('domstate', 'spare').trim()).toBe('shut off');
    spare = await p.findMachine('spare');
    await expect(p.attachDisk(spare, disk, 'vda')).rejects.toThrow(/vda already holds .*spare\.qcow2: detach it first/);

    await p.detachDisk(spare, root);
    expect(rootOf('spare')).toBeUndefined();
    expect(existsSync(spareImage)).toBe(false);
    expect(holds(`${spareImage}.drydock-kept`, 0x33)).toBe(true);
    await p.detachDisk(spare, root); // resumed: already done
    await p.attachDisk(spare, disk, 'vda');
    await p.attachDisk(spare, disk, 'vda'); // resumed: already done
    expect(rootOf('spare')).toBe(restored);
    await p.startMachine(spare);
    expect(lv.virsh('domstate', 'spare').trim()).toBe('running');
    expect(holds(restored, 0x5a)).toBe(true);
    await expect(p.detachDisk(await p.findMachine('spare'), disk)).rejects.toThrow(/spare is running: stop it before detaching vda/);

    // Undo: the spare's own image back on vda, the restored one kept for inspection.
    await p.stopMachine(spare);
    await p.detachDisk(spare, { ...disk, device: 'vda' });
    await p.attachDisk(spare, root, 'vda');
    expect(rootOf('spare')).toBe(spareImage);
    expect(existsSync(`${spareImage}.drydock-kept`)).toBe(false);
    expect(holds(spareImage, 0x33)).toBe(true);
    expect(holds(`${restored}.drydock-kept`, 0x5a)).toBe(true);
    await p.startMachine(spare);
    expect(lv.virsh('domstate', 'spare').trim()).toBe('running');
    // The domain's own disk settings survived the round trip (the saved element was reused).
    expect(lv.virsh('dumpxml', '--inactive', 'spare')).toMatch(/<target dev='vda' bus='virtio'\/>/);
  });

  it('to a hypervisor reached as a sudo user: the password goes to sudo, the bytes to dd; the refresh record rides on the disk', async () => {
    lv.createDomain('spare4', { diskMiB: 160, folder: lv.rootPool });
    const p = provider('spare4', 'hv3');
    const disk = await p.createDiskFromSnapshot(snap.id, 'hv3', { [SPARE_TAG.backup]: 'run-restore-src', [SPARE_TAG.installation]: 'inst-a' });
    const dest = `${lv.rootPool}/spare4-restored-${snap.id}.qcow2`;
    expect(p.lastCopy).toMatchObject({ resumedFrom: 0, bytesSent: total });
    expect(execFileSync('sha256sum', [dest], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
    expect(lab.hosts.hv3.exec(`grep -c ${SUDO_PW} ${dest} || true`).stdout.trim()).toBe('0');

    // What a failover's preview reads back from the spare's disk: the restore operation's spare record.
    const ask = async () => spareHolds((await p.describeDisk(disk.id)).tags, 'inst-a', 'run-restore-src');
    expect((await ask()).reasons).toEqual(['the refresh that wrote it did not finish (or it was a restore, not a refresh)']);
    await p.tagDisk(disk.id, { [SPARE_TAG.readyAt]: new Date().toISOString() });
    expect(await ask()).toEqual({ backup: 'run-restore-src', usable: true, reasons: [] });
    await p.tagDisk(disk.id, { [SPARE_TAG.usedAt]: new Date().toISOString() });
    expect((await ask()).usable).toBe(false);
  });

  it('refuses a pool folder anyone but root could change (nothing written there); never follows a symlink planted where the image or its partial copy goes', async () => {
    // The fixture's own images folder is libvirt's user's (nobody here), as a pool folder owned by libvirt-qemu would be.
    const images = `${lv.dir}/images`;
    lv.createDomain('spare5', { diskMiB: 16 });
    await expect(provider('spare5', 'hv2').createDiskFromSnapshot(snap.id, 'hv2', {})).rejects.toThrow(
      new RegExp(`hv2:${images}, the folder of the spare's image, is owned by nobody \\(uid 65534\\) with mode 0755: .*Nothing was written or renamed there. Make it root's .*chown root: ${images}`),
    );
    expect(readdirSync(images).filter((f) => /restored|drydock-restore/.test(f))).toEqual([]);
    // Nor is the spare's own image renamed (kept) there, and its definition is left as it was.
    const p5 = provider('spare5', 'hv2');
    await p5.stopMachine(await p5.findMachine('spare5'));
    const m5 = await p5.findMachine('spare5');
    await expect(p5.detachDisk(m5, (await p5.disks(m5))[0])).rejects.toThrow(/the folder of the spare's image, is owned by nobody .*: Drydock renames disk images there as root only when/);
    expect(rootOf('spare5')).toBe(`${images}/spare5.qcow2`);
    expect(existsSync(`${images}/spare5.qcow2`)).toBe(true);

    // Root's folder, but inside one libvirt's user could rename: refused too.
    const sub = `${images}/sub`;
    mkdirSync(sub, { mode: 0o755 });
    lv.createDomain('spare6', { diskMiB: 16, folder: sub });
    await expect(provider('spare6', 'hv2').createDiskFromSnapshot(snap.id, 'hv2', {})).rejects.toThrow(new RegExp(`hv2:${images}, a folder on the way to ${sub}, is owned by nobody`));
    expect(readdirSync(sub)).toEqual(['spare6.qcow2']);

    // Symlinks where the image or its partial copy go (only root could put them there, but still): refused, not followed.
    lv.createDomain('spare7', { diskMiB: 16, folder: lv.rootPool });
    const outside = `${lv.dir}/outside-target`;
    writeFileSync(outside, 'not an image\n', { mode: 0o644 });
    const before = statSync(outside);
    const dest = `${lv.rootPool}/spare7-restored-${snap.id}.qcow2`;
    symlinkSync(outside, dest);
    await expect(provider('spare7', 'hv2').createDiskFromSnapshot(snap.id, 'hv2', {})).rejects.toThrow(/spare7-restored-.* is a symlink/);
    unlinkSync(dest);
    const partial = `${lv.rootPool}/.drydock-restore/spare7-restored-${snap.id}.qcow2.partial`;
    symlinkSync(outside, partial);
    await expect(provider('spare7', 'hv2').createDiskFromSnapshot(snap.id, 'hv2', {})).rejects.toThrow(/spare7-restored-.*\.partial is a symlink/);
    expect(lstatSync(partial).isSymbolicLink()).toBe(true);
    expect(existsSync(dest)).toBe(false);
    unlinkSync(partial);
    const after = statSync(outside);
    expect([readFileSync(outside, 'utf8'), after.uid, after.mode, after.mtimeMs, after.size]).toEqual(['not an image\n', before.uid, before.mode, before.mtimeMs, before.size]);
  });

  it('on the same hypervisor the copy runs on the host; a damaged backup image is detected and nothing is left', async () => {
    lv.createDomain('spare3', { diskMiB: 160, folder: lv.rootPool });
    const p = provider('spare3');
    const dest = `${lv.rootPool}/spare3-restored-${snap.id}.qcow2`;
    const disk = await p.createDiskFromSnapshot(snap.id, 'hv', {});
    expect(disk.id).toBe(`hv:${dest}`);
    expect(p.lastCopy).toMatchObject({ resumedFrom: 0, bytesSent: total });
    expect(execFileSync('sha256sum', [dest], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
    lab.hosts.hv.exec(`rm -f ${dest}`);

    lab.hosts.hv.exec(`qemu-io -c 'write -P 0x11 1M 4k' ${STORE}/${snap.id}.qcow2`);
    await expect(p.createDiskFromSnapshot(snap.id, 'hv', {})).rejects.toThrow(/Backup .* does not match its manifest .*the backup image is damaged/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${lv.rootPool}/.drydock-restore/spare3-restored-${snap.id}.qcow2.partial`)).toBe(false);
  });

  it('copySnapshot is not applicable to libvirt; there is no console output to read', async () => {
    const p = provider('spare', 'hv2');
    await expect(p.copySnapshot(snap.id, 'x', {})).rejects.toThrow(/not applicable to libvirt/);
    expect(await p.consoleOutput(await p.findMachine('spare'))).toBe('');
  });
});
