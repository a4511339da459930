/**
 * The spare cut off before the restored disk boots, and let out again at the
 * end (drill, refresh-spare). The disk is production's: Replicated starts the
 * app by itself at boot, minutes before any firewall on the host could be
 * loaded, and with the spare's open egress that copy could run scheduled
 * workflows, send mail and call GitHub. So the cut is made at the provider
 * (a security group of its own on EC2, an nwfilter on libvirt) while the
 * spare is still stopped; the drill's iptables block stays, as a second
 * layer, on the host.
 *
 * A provider that cannot do it (or not for this machine) leaves it to the
 * admin, who says so explicitly (spareIsolated: "I have cut the spare's
 * outbound network at the hypervisor/cloud: only SSH reaches it"); the plan
 * blocks without that. A failover cuts nothing: the spare becomes production.
 */
import { ISOLATION_STEPS } from '../../../../shared/restore/drill-steps';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import { isUnsupported, type BackupProvider, type NetworkIsolation } from '../backup/provider';
import type { Step } from '../operation';
import type { Ctx, RestoreInputT, RestoreState } from './types';
import { withProvider } from './waits';

type RestoreStep = Step<RestoreInputT, RestoreState>;

export const ADMIN_ISOLATION = "You said you cut the spare's outbound network at the hypervisor/cloud yourself (only SSH reaches it)";
const RESTORE_ADMIN = "Put back the spare's outbound network that you cut at the hypervisor/cloud for this run";

const failover = (ctx: Ctx): boolean => {
  if (ctx.input.mode !== 'restore') return false;
  ctx.note('Not in a failover: the spare becomes production and needs its network');
  return true;
};
const machineOf = (p: BackupProvider, ctx: Ctx) => p.findMachine(ctx.input.spare.machineId, { signal: ctx.signal });
const canIsolate = (p: BackupProvider) => !!p.isolateNetwork && !!p.releaseNetwork && !!p.networkIsolated;

/** The admin's word stands in for the provider: recorded, and their own release left to them at the end. */
function byAdmin(ctx: Ctx, why: string): true {
  if (!ctx.input.spareIsolated) {
    throw new DrydockError('CONFLICT', `${why}. The restored disk would boot with the spare's open egress and start production's app. Cut the spare's outbound network (only SSH in) at the hypervisor/cloud, then plan again with --spare-isolated; or abort.`);
  }
  ctx.state.isolatedByAdmin = true;
  ctx.note(`${why}: ${ADMIN_ISOLATION}`);
  return true;
}

export const isolateSpare: RestoreStep = {
  name: ISOLATION_STEPS.isolate,
  title: "Cut the spare's outbound network (only SSH reaches it) before the restored disk boots",
  disrupts: (input) => (input.mode === 'restore' ? null : `cuts ${input.spare.host}'s network at the provider (only SSH reaches it) before it boots production's disk`),
  check: async (ctx) =>
    failover(ctx) ||
    ctx.state.isolatedByAdmin === true ||
    withProvider(ctx, async (p) => {
      if (!canIsolate(p)) return byAdmin(ctx, `The ${p.kind} provider cannot isolate a machine`);
      // The record alone is not enough: the world says whether the spare is cut off now.
      return !!ctx.state.isolation && (await p.networkIsolated!(await machineOf(p, ctx), { signal: ctx.signal }));
    }),
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const m = await machineOf(p, ctx);
      // Saved before the provider changes anything: a crash between its change and the checkpoint below
      // would otherwise leave an abort nothing to put back while the spare stays cut off.
      ctx.state.isolating = true;
      ctx.checkpoint();
      try {
        // Idempotent at the provider: after a crash it finds the isolation it made (tags, names) and returns its record.
        ctx.state.isolation = await p.isolateNetwork!(m, { signal: ctx.signal });
      } catch (err) {
        if (isUnsupported(err)) return void byAdmin(ctx, `${p.kind} cannot isolate ${m.id}: ${toErrorPayload(err).message}`);
        throw err;
      }
      ctx.checkpoint();
      ctx.note(ctx.state.isolation.summary);
    }),
  verify: async (ctx) => {
    if (ctx.input.mode === 'restore' || ctx.state.isolatedByAdmin) return;
    const ok = await withProvider(ctx, async (p) => !!p.networkIsolated && (await p.networkIsolated(await machineOf(p, ctx), { signal: ctx.signal })));
    if (!ok) throw new DrydockError('COMMAND_FAILED', `The spare ${ctx.input.spare.machineId} is not cut off after isolation (its groups or filter changed): it is not started. Check it, then resume or abort.`);
  },
  undo: async (ctx) => {
    if (ctx.input.mode === 'restore') return ctx.note('Nothing to put back: a failover cuts nothing off');
    if (ctx.state.isolatedByAdmin && !ctx.state.isolation) return void remindAdmin(ctx);
    const record = ctx.state.isolation ?? (await recoverIsolation(ctx));
    if (!record) return;
    await withProvider(ctx, async (p) => p.releaseNetwork!(await machineOf(p, ctx), record, { signal: ctx.signal }));
    ctx.state.networkReleasedAt = Date.now();
    ctx.note(`Network put back as it was before the isolation (${record.summary})`);
  },
};

/**
 * No record in the run (it died between the provider's change and its checkpoint): the world says whether
 * the spare wears Drydock's isolation, and isolateNetwork, idempotent, reads the record back from what it left
 * there (the group's tags, the domain's metadata) without changing anything more.
 */
async function recoverIsolation(ctx: Ctx): Promise<NetworkIsolation | undefined> {
  return withProvider(ctx, async (p) => {
    if (!canIsolate(p)) return undefined;
    const m = await machineOf(p, ctx);
    let cut: boolean;
    try {
      // Drydock's group / filter on it at all (even if someone opened it since): that too is put back.
      cut = p.isolationLeft ? await p.isolationLeft(m, { signal: ctx.signal }) : await p.networkIsolated!(m, { signal: ctx.signal });
    } catch (err) {
      if (isUnsupported(err) && !ctx.state.isolating) return undefined;
      throw err;
    }
    if (!cut) {
      if (ctx.state.isolating) ctx.note(`The spare ${m.id} is not cut off by Drydock: nothing to put back`);
      return undefined;
    }
    const found = await p.isolateNetwork!(m, { signal: ctx.signal });
    ctx.state.isolation = found;
    ctx.checkpoint();
    return found;
  });
}

function remindAdmin(ctx: Ctx): void {
  if (!ctx.state.leftToAdmin.includes(RESTORE_ADMIN)) ctx.state.leftToAdmin.push(RESTORE_ADMIN);
  ctx.note(`Left to you: ${RESTORE_ADMIN}`);
}

/**
 * The last step. Drill: the spare is back on its own root (drill-put-back),
 * so it gets its own network back. Refresh-spare: it runs only after
 * stop-app (production's app, started at boot behind the cut, is stopped)
 * and fix-identity (the disk carries the spare's own addresses, no longer
 * production's): a spare left cut off would be a hidden state that breaks the
 * next failover (the app could not reach GitHub) and the spare's own updates
 * and monitoring, so it is released like after a drill.
 */
export const releaseSpareNetwork: RestoreStep = {
  name: ISOLATION_STEPS.release,
  title: "Give the spare its own network back (the isolation made before it booted)",
  disrupts: (input) => (input.mode === 'restore' ? null : `gives ${input.spare.host} its own network back (what the provider had before the isolation)`),
  check: async (ctx) => {
    if (failover(ctx)) return true;
    if (!ctx.state.isolation) {
      if (ctx.state.isolatedByAdmin) remindAdmin(ctx);
      else ctx.note('Nothing to put back: the spare was not isolated by this run');
      return true;
    }
    return !!ctx.state.networkReleasedAt && (await withProvider(ctx, async (p) => !(await p.networkIsolated!(await machineOf(p, ctx), { signal: ctx.signal }))));
  },
  apply: async (ctx) =>
    withProvider(ctx, async (p) => {
      const record = ctx.state.isolation!;
      await p.releaseNetwork!(await machineOf(p, ctx), record, { signal: ctx.signal });
      ctx.state.networkReleasedAt = Date.now();
      ctx.note(`Network put back as it was before the isolation (${record.summary})`);
    }),
};
