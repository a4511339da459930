/**
 * The disk swap (AWS path): copy the snapshot if the spare is in another
 * region, a new volume in the spare's AZ, stop the spare, detach its root
 * (tagged, never deleted), attach the new volume at RootDeviceName, start.
 * Every check reads the provider, not the runbook; every undo puts back the
 * spare as it was, in reverse, and keeps the restored volume for inspection.
 */
import { DrydockError } from '../../../../shared/errors';
import type { BackupProvider, Disk, Machine, StatusChecks } from '../backup/provider';
import type { Step } from '../operation';
import { KEPT_ROOT_TAG, RESTORE_RUN_TAG, type Ctx, type RestoreInputT, type RestoreState } from './types';
import { SPARE_DOMAIN_TAG } from '../backup/libvirt/restored-disk';
import { SPARE_TAG } from './spare-record';
import { waitUntil, withProvider } from './waits';

type RestoreStep = Step<RestoreInputT, RestoreState>;

const machineOf = (p: BackupProvider, ctx: Ctx) => p.findMachine(ctx.input.spare.machineId, { signal: ctx.signal });
const rootOf = async (p: BackupProvider, ctx: Ctx, m: Machine): Promise<Disk | undefined> => (await p.disks(m, { signal: ctx.signal })).find((d) => d.device === ctx.input.spare.rootDevice);
const libvirt = (ctx: Ctx) => ctx.input.profileData.provider === 'libvirt';
/** libvirt names a disk `host:/path` or `/path` (on the profile's hypervisor): the same image either way. */
export const sameDisk = (a: string | undefined, b: string | undefined) => !!a && !!b && a.replace(/^[^/:]+:(?=\/)/, '') === b.replace(/^[^/:]+:(?=\/)/, '');
/** EC2: the attachment says attached; libvirt: a disk in the domain's definition is attached. */
const attached = (ctx: Ctx, d: Disk | undefined) => !!d && (libvirt(ctx) || d.state === 'attached');
/** EC2 says stopped, libvirt `shut off`. */
export const isStopped = (m: Machine) => !m.running && (m.state === 'stopped' || m.state === 'shut off');
const crossRegion = (ctx: Ctx) => !!ctx.input.spare.region && !!ctx.input.backup.region && ctx.input.spare.region !== ctx.input.backup.region;
const volumeSteps = (ctx: Ctx) => ctx.state.volumeId ?? '';
/** The plan found the spare holding this backup (refresh-spare before): the swap steps stop and switch nothing. */
const heldAlready = (input: RestoreInputT) => input.spare.holds === input.backup.id;
/** The undo of a swap step, which did nothing when the spare already held the backup (an abort must not touch that disk). */
const unlessHeld = (undo: (ctx: Ctx) => Promise<void>) => async (ctx: Ctx) => (heldAlready(ctx.input) ? ctx.note('Nothing to put back: the spare already held the backup, no swap was made') : undo(ctx));
/** Refresh-spare left the spare holding this backup: the volume steps have nothing to do. */
function holds(ctx: Ctx): boolean {
  if (ctx.input.spare.holds !== ctx.input.backup.id) return false;
  ctx.state.volumeId = ctx.input.spare.originalRoot;
  ctx.note(`Not needed: the spare already holds backup ${ctx.input.backup.id} (refreshed before)`);
  return true;
}

async function waitMachine(ctx: Ctx, p: BackupProvider, want: 'stopped' | 'running'): Promise<Machine> {
  return waitUntil(
    ctx,
    () => machineOf(p, ctx),
    (m) => (want === 'stopped' ? isStopped(m) : m.state === want),
    (m) => `Instance ${m.id} is ${m.state} (waiting for ${want})`,
    `Check the ${libvirt(ctx) ? 'domain (virsh dominfo)' : 'instance in the EC2 console'}, then resume the run (it re-checks before acting) or abort it.`,
    20 * 60_000,
  );
}

async function waitDisk(ctx: Ctx, p: BackupProvider, id: string, want: (d: Disk) => boolean, label: string): Promise<Disk> {
  return waitUntil(ctx, () => p.describeDisk(id, { signal: ctx.signal }), want, (d) => `Volume ${id} is ${d.state ?? 'unknown'} (waiting for ${label})`, 'Resume the run to keep waiting (it re-checks first), or abort it.', 20 * 60_000);
}

export const copySnapshot: RestoreStep = {
  name: 'copy-snapshot',
  title: "Copy the snapshot to the spare's region",
  check: async (ctx) => {
    if (!crossRegion(ctx)) {
      ctx.state.snapshotId = ctx.input.backup.snapshotId;
      ctx.note(`Not needed: the spare is in the backup's region (snapshots are regional; any AZ of the region works)`);
      return true;
    }
    return withProvider(ctx, async (p) => {
      const [copy] = await p.listSnapshots({ tags: { [RESTORE_RUN_TAG]: ctx.runId } }, { signal: ctx.signal });
      if (copy) ctx.state.snapshotId = copy.id;
      return copy?.state === 'completed';
    }, ctx.input.spare.region);
  },
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      if (!ctx.state.snapshotId || ctx.state.snapshotId === ctx.input.backup.snapshotId) {
        const copy = await p.copySnapshot(ctx.input.backup.snapshotId, ctx.input.backup.region!, { [RESTORE_RUN_TAG]: ctx.runId, 'drydock:copy-of': ctx.input.backup.snapshotId }, { signal: ctx.signal });
        ctx.state.snapshotId = copy.id;
        ctx.checkpoint();
      }
      const id = ctx.state.snapshotId;
      await waitUntil(ctx, async () => (await p.listSnapshots({ ids: [id] }, { signal: ctx.signal }))[0], (s) => s?.state === 'completed', (s) => `Snapshot copy ${id} is ${s?.state ?? 'missing'} (${s?.progress ?? 0}%)`, 'Resume the run to keep waiting, or abort it.', 6 * 3_600_000);
    }, ctx.input.spare.region),
};

export const createVolume: RestoreStep = {
  name: 'create-volume',
  title: "Create the volume in the spare's availability zone",
  check: async (ctx) =>
    holds(ctx) ||
    withProvider(ctx, async (p) => {
      // libvirt: the copy is resumable and its name fixed (<spare>-restored-<backup>), so apply is always safe to run again.
      if (!p.findDisks) return false;
      // Found by its tag, so a crash between CreateVolume and the runbook's save never makes a second one.
      const [mine] = await p.findDisks({ [RESTORE_RUN_TAG]: ctx.runId }, { signal: ctx.signal });
      if (mine) ctx.state.volumeId = mine.id;
      return mine?.state === 'available' || mine?.state === 'in-use';
    }),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const snapshot = ctx.state.snapshotId ?? ctx.input.backup.snapshotId;
      if (!ctx.state.volumeId) {
        const made = await p.createDiskFromSnapshot(snapshot, ctx.input.spare.zone, {
          Name: `drydock restore ${ctx.input.backup.id} onto ${ctx.input.spare.host}`,
          [RESTORE_RUN_TAG]: ctx.runId,
          'drydock:restored-from': snapshot,
          [SPARE_TAG.backup]: ctx.input.backup.id,
          [SPARE_TAG.installation]: ctx.input.profileData.installationId,
          ...(libvirt(ctx) ? { [SPARE_DOMAIN_TAG]: ctx.input.spare.machineId } : {}),
        }, { signal: ctx.signal });
        ctx.state.volumeId = made.id;
        ctx.checkpoint();
      }
      const id = ctx.state.volumeId;
      ctx.note(libvirt(ctx) ? `${id}: backup ${snapshot} copied to the spare's hypervisor, SHA-256 verified` : `Volume ${id} from ${snapshot}: its blocks load lazily from the snapshot, so first reads on the spare are slow unless fast snapshot restore is enabled for it`);
      await waitUntil(
        ctx,
        () => p.describeDisk(id, { signal: ctx.signal }),
        (d) => d.state === 'available',
        (d) => `Volume ${id} is still ${d.state ?? 'unknown'}`,
        `EC2 has not finished creating it from ${snapshot}. Nothing on the spare has been touched yet. Resume the run to keep waiting, or abort it (the volume is kept; delete it in the EC2 console if you do not need it).`,
        30 * 60_000,
      );
    }),
};

export const stopSpare: RestoreStep = {
  name: 'stop-spare',
  title: 'Stop the spare',
  disrupts: (input) => (heldAlready(input) ? null : `stops the spare ${input.spare.host} (${input.spare.machineId})`),
  check: async (ctx) => holds(ctx) || withProvider(ctx, async (p) => isStopped(await machineOf(p, ctx))),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      if (m.state !== 'stopping') await p.stopMachine(m, { signal: ctx.signal });
      await waitMachine(ctx, p, 'stopped');
    }),
  undo: unlessHeld((ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      const root = await rootOf(p, ctx, m);
      if (!sameDisk(root?.id, ctx.input.spare.originalRoot)) throw new DrydockError('CONFLICT', `The spare's root is ${root?.id ?? 'missing'}, not its own ${ctx.input.spare.originalRoot}: it was not started again`);
      if (!ctx.input.spare.wasRunning) return ctx.note('The spare was stopped before the restore: left stopped');
      if (isStopped(m)) await p.startMachine(m, { signal: ctx.signal });
      await waitMachine(ctx, p, 'running');
      ctx.note('Started again on its own root');
    })),
};

export const detachRoot: RestoreStep = {
  name: 'detach-root',
  title: "Detach the spare's root (kept, tagged)",
  disrupts: (input) => (heldAlready(input) ? null : `takes the spare's own root ${input.spare.originalRoot} off ${input.spare.host} (kept, never deleted)`),
  check: async (ctx) =>
    holds(ctx) ||
    withProvider(ctx, async (p) => {
      if (sameDisk((await rootOf(p, ctx, await machineOf(p, ctx)))?.id, ctx.input.spare.originalRoot)) return false;
      // libvirt: out of the definition is detached (its image renamed .drydock-kept); EC2: wait for available.
      if (libvirt(ctx)) return true;
      const d = await p.describeDisk(ctx.input.spare.originalRoot, { signal: ctx.signal });
      return d.state === 'available';
    }),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      if (!isStopped(m)) throw new DrydockError('CONFLICT', `The spare ${m.id} is ${m.state}: its root is only detached while it is stopped`);
      const id = ctx.input.spare.originalRoot;
      if (libvirt(ctx)) {
        // The image is renamed <path>.drydock-kept and the domain's disk element saved: an abort puts exactly it back.
        const root = await rootOf(p, ctx, m);
        if (sameDisk(root?.id, id)) await p.detachDisk(m, { ...root!, root: true, device: ctx.input.spare.rootDevice }, { signal: ctx.signal });
        return ctx.note(`${id} taken out of ${m.id}'s definition and kept as ${id.replace(/^[^/:]+:(?=\/)/, '')}.drydock-kept; Drydock never deletes it`);
      }
      await p.tagDisk!(id, { [KEPT_ROOT_TAG]: m.id, [RESTORE_RUN_TAG]: ctx.runId }, { signal: ctx.signal });
      const d = await p.describeDisk(id, { signal: ctx.signal });
      if (d.state === 'in-use' && (await rootOf(p, ctx, m))?.id === id) await p.detachDisk(m, { ...d, root: true }, { signal: ctx.signal });
      await waitDisk(ctx, p, id, (x) => x.state === 'available', 'available');
      ctx.note(`${id} detached and kept (tag ${KEPT_ROOT_TAG}=${m.id}); Drydock never deletes it`);
    }),
  undo: unlessHeld((ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      const id = ctx.input.spare.originalRoot;
      const root = await rootOf(p, ctx, m);
      if (sameDisk(root?.id, id)) return ctx.note(`${id} is the spare's root already`);
      if (root) throw new DrydockError('CONFLICT', `${root.id} is still attached at ${ctx.input.spare.rootDevice}: the spare's own root cannot go back while another root is there`);
      await p.attachDisk(m, { id, device: '', root: true, sizeGiB: 0 }, ctx.input.spare.rootDevice, { signal: ctx.signal });
      await waitUntil(ctx, async () => rootOf(p, ctx, m), (d) => sameDisk(d?.id, id) && attached(ctx, d), (d) => `Volume ${id} is ${d?.state ?? 'not attached'} at ${ctx.input.spare.rootDevice}`, 'Resume the abort to keep waiting.');
      ctx.note(`The spare's own root ${id} is back at ${ctx.input.spare.rootDevice}`);
    })),
};

export const attachRoot: RestoreStep = {
  name: 'attach-root',
  title: 'Attach the restored volume as root',
  disrupts: (input, state) => (heldAlready(input) ? null : `attaches the restored volume ${state.volumeId ?? `of backup ${input.backup.id}`} as the spare's root (${input.spare.rootDevice})`),
  check: async (ctx) =>
    holds(ctx) ||
    withProvider(ctx, async (p) => {
      const root = await rootOf(p, ctx, await machineOf(p, ctx));
      return sameDisk(root?.id, volumeSteps(ctx)) && attached(ctx, root);
    }),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      const id = ctx.state.volumeId!;
      const root = await rootOf(p, ctx, m);
      // Never two roots: attach only at a free root device.
      if (root && !sameDisk(root.id, id)) throw new DrydockError('CONFLICT', `${root.id} is attached at ${ctx.input.spare.rootDevice}: the restored volume is not attached beside it`);
      if (!root) await p.attachDisk(m, { id, device: '', root: true, sizeGiB: 0 }, ctx.input.spare.rootDevice, { signal: ctx.signal });
      await waitUntil(ctx, async () => rootOf(p, ctx, m), (d) => sameDisk(d?.id, id) && attached(ctx, d), (d) => `Volume ${id} is ${d?.state ?? 'not attached'} at ${ctx.input.spare.rootDevice}`, 'Resume the run to keep waiting, or abort it.');
    }),
  undo: unlessHeld((ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      const id = ctx.state.volumeId;
      if (!id) return;
      if (libvirt(ctx)) {
        const root = await rootOf(p, ctx, m);
        if (sameDisk(root?.id, id)) {
          if (!isStopped(m)) throw new DrydockError('CONFLICT', `The spare is ${m.state}: the restored disk is only detached while it is stopped`);
          await p.detachDisk(m, { ...root!, device: ctx.input.spare.rootDevice }, { signal: ctx.signal });
        }
        return ctx.note(`Restored disk ${id} out of the spare's definition, kept for inspection (renamed .drydock-kept)`);
      }
      const d = await p.describeDisk(id, { signal: ctx.signal });
      if (d.state === 'in-use') {
        if (!isStopped(m)) throw new DrydockError('CONFLICT', `The spare is ${m.state}: the restored volume is only detached while it is stopped`);
        await p.detachDisk(m, d, { signal: ctx.signal });
      }
      await waitDisk(ctx, p, id, (x) => x.state === 'available', 'available');
      ctx.note(`Restored volume ${id} detached and kept for inspection`);
    })),
};

const checksOk = (c: StatusChecks) => c.system === 'ok' && c.instance === 'ok';

/**
 * EC2's system and instance status checks after the start: `running` only
 * says the hypervisor started it; the checks say it booted and answers
 * (issue 11 step 3: "wait running and status checks OK"). An `impaired`
 * check stops the run at once: waiting longer would not mend it.
 */
async function waitStatusChecks(ctx: Ctx, p: BackupProvider, m: Machine): Promise<void> {
  const read = p.statusChecks?.bind(p);
  if (!read) return;
  const checks = await waitUntil(
    ctx,
    () => read(m, { signal: ctx.signal }),
    (c) => checksOk(c) || c.system === 'impaired' || c.instance === 'impaired',
    (c) => `Instance ${m.id} status checks: system ${c.system}, instance ${c.instance} (waiting for both ok)`,
    'Look at the instance in the EC2 console (Status checks, Get system log), then resume the run (it waits again) or abort it (the spare goes back to its own root).',
    20 * 60_000,
  );
  if (!checksOk(checks)) {
    throw new DrydockError(
      'COMMAND_FAILED',
      `Instance ${m.id} started on the restored volume ${ctx.state.volumeId ?? ''} but its ${[checks.system === 'impaired' ? 'system' : '', checks.instance === 'impaired' ? 'instance' : ''].filter(Boolean).join(' and ')} status check is impaired (system ${checks.system}, instance ${checks.instance}). ` +
        'Nothing was run on it. Look at the EC2 console (Status checks, Get system log): a system check is AWS\'s side (stop and start moves the instance to other hardware), an instance check is the restored disk\'s boot. Then resume the run, or abort it to put the spare back on its own root.',
    );
  }
  ctx.note(`Instance ${m.id} status checks ok`);
}

/**
 * Production's disk boots only behind the cut isolate-spare made, read again now (not taken from its record):
 * a resume after start-spare failed may come after Terraform or an admin put the spare's groups back.
 */
async function assertStillIsolated(ctx: Ctx, p: BackupProvider, m: Machine): Promise<void> {
  if (ctx.input.mode === 'restore' || ctx.state.isolatedByAdmin) return;
  if (p.networkIsolated && (await p.networkIsolated(m, { signal: ctx.signal }))) return;
  throw new DrydockError(
    'CONFLICT',
    `The spare ${m.id} is no longer cut off (its security groups or network filter changed since isolate-spare): it is not started, because production's app would boot with open egress. Nothing was changed. Abort the run (drydock restore abort --run <id>: the spare gets back its own root and network), then run it again so that isolate-spare cuts it off anew.`,
  );
}

export const startSpare: RestoreStep = {
  name: 'start-spare',
  title: 'Start the spare on the restored disk',
  disrupts: (input) => `starts the spare ${input.spare.host} on the restored disk (if it is not running)`,
  check: async (ctx) =>
    withProvider(ctx, async (p) => {
      if (ctx.input.spare.holds === ctx.input.backup.id) ctx.state.volumeId = ctx.input.spare.originalRoot;
      const m = await machineOf(p, ctx);
      if (m.state !== 'running' || !sameDisk((await rootOf(p, ctx, m))?.id, ctx.state.volumeId)) return false;
      // Running but its checks not yet ok (a resume inside the wait): apply waits for them, starting nothing.
      return !p.statusChecks || checksOk(await p.statusChecks(m, { signal: ctx.signal }));
    }),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      if (!sameDisk((await rootOf(p, ctx, m))?.id, ctx.state.volumeId)) throw new DrydockError('CONFLICT', `The restored volume ${ctx.state.volumeId} is not the spare's root: not started`);
      if (isStopped(m)) {
        await assertStillIsolated(ctx, p, m);
        await p.startMachine(m, { signal: ctx.signal });
      }
      const up = await waitMachine(ctx, p, 'running');
      ctx.services.pool.drop(ctx.input.spare.host);
      if (up.publicAddress) ctx.state.sparePublicAddress = up.publicAddress;
      await waitStatusChecks(ctx, p, up);
    }),
  undo: async (ctx) =>
    withProvider(ctx, async (p) => {
      ctx.services.pool.drop(ctx.input.spare.host);
      const m = await machineOf(p, ctx);
      if (isStopped(m)) return;
      // On the held disk no swap is undone, so stop-spare's undo leaves the machine as it is: a spare that was
      // stopped before the run is stopped again here, or the abort would leave it running production's disk.
      const heldStopped = heldAlready(ctx.input) && !ctx.input.spare.wasRunning;
      if (!heldStopped && sameDisk((await rootOf(p, ctx, m))?.id, ctx.input.spare.originalRoot)) return;
      if (m.state !== 'stopping') await p.stopMachine(m, { signal: ctx.signal });
      await waitMachine(ctx, p, 'stopped');
      ctx.note(heldStopped ? 'Stopped again (it was stopped before the run)' : 'Stopped (it was running on the restored disk)');
    }),
};
