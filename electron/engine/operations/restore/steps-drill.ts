/**
 * The DR drill's own steps (issue 11): the spare's outbound traffic blocked
 * before the app starts (drill-firewall/, loaded and verified rule for rule),
 * and when the app is verified and the RTO measured, the block removed and
 * the spare put back as it was: its own root re-attached, the restored disk
 * kept. In a restore or a refresh-spare these steps say so and do nothing.
 *
 * Order matters: the rules files live on the restored disk, so the block is
 * removed BEFORE the spare goes back to its own root.
 */
import { DRILL_STEPS } from '../../../../shared/restore/drill-steps';
import type { Step } from '../operation';
import { drillFirewallSteps } from './drill-firewall/steps';
import { drillTarget } from './drill-target';
import { reconnect, startApp } from './steps-host';
import { attachRoot, detachRoot, sameDisk, startSpare, stopSpare } from './steps-volume';
import type { Ctx, RestoreInputT, RestoreState } from './types';
import { withProvider } from './waits';

type RestoreStep = Step<RestoreInputT, RestoreState>;

const slot = (ctx: Ctx) => (ctx.state.drillFirewall ??= {});
const firewall = drillFirewallSteps<RestoreInputT, RestoreState>(drillTarget, slot);

const notDrill = (ctx: Ctx): boolean => {
  if (ctx.input.mode === 'drill') return false;
  ctx.note(`Only in a DR drill (this is a ${ctx.input.mode})`);
  return true;
};

/** Drill-only: the firewall module's step, inert in the other modes. */
function drillOnly(step: RestoreStep, undo?: (ctx: Ctx) => Promise<void>): RestoreStep {
  return {
    ...step,
    check: async (ctx) => notDrill(ctx) || (await step.check!(ctx)),
    ...(step.verify ? { verify: async (ctx: Ctx) => (ctx.input.mode === 'drill' ? step.verify!(ctx) : undefined) } : {}),
    ...(undo ? { undo: async (ctx: Ctx) => (ctx.input.mode === 'drill' ? undo(ctx) : undefined) } : {}),
  };
}

/** Write the rules files; its undo takes out the block (if loaded) and puts the files back: an abort after either step. */
export const drillBlockWrite = drillOnly(firewall.block[0], firewall.undo);
/** Load the block and check it against iptables -S. */
export const drillBlockLoad: RestoreStep = {
  ...drillOnly(firewall.block[1]),
  disrupts: (input) => (input.mode === 'drill' ? `loads the drill's firewall rules on ${input.spare.host} (its outbound traffic refused but SSH, loopback and the Docker bridges)` : null),
};

export const drillBlockRemove: RestoreStep = {
  ...drillOnly(firewall.remove),
  title: "Remove the drill's outbound block (before the spare goes back to its own root)",
  disrupts: (input) => (input.mode === 'drill' ? `removes the drill's firewall rules on ${input.spare.host}` : null),
};

/** The spare on its own root, running if it was: what the drill leaves. */
async function spareBack(ctx: Ctx): Promise<boolean> {
  return withProvider(ctx, async (p) => {
    const m = await p.findMachine(ctx.input.spare.machineId, { signal: ctx.signal });
    const root = (await p.disks(m, { signal: ctx.signal })).find((d) => d.device === ctx.input.spare.rootDevice);
    return sameDisk(root?.id, ctx.input.spare.originalRoot) && (ctx.input.spare.wasRunning ? m.state === 'running' : m.state !== 'running');
  });
}

export const drillPutBack: RestoreStep = {
  name: DRILL_STEPS.putBack,
  title: 'Put the spare back as it was (its own root re-attached, the restored disk kept)',
  disrupts: (input) => (input.mode === 'drill' ? `stops the spare ${input.spare.host}, puts its own root ${input.spare.originalRoot} back${input.spare.wasRunning ? ' and starts it again' : ''}` : null),
  check: async (ctx) => notDrill(ctx) || (!!ctx.state.drillPutBack && (await spareBack(ctx))),
  apply: async (ctx) => {
    // The app first: should the spare still run production's disk when its network comes back (a held disk has
    // no swap to undo), it must not run production's app. Stops only what this run started; a spare that no
    // longer answers (a resume after the stop below) is noted, and the steps below stop it anyway.
    await startApp.undo!(ctx);
    // The volume steps' own undos, in reverse: each inspects the provider first, so a resume half-way is safe.
    await startSpare.undo!(ctx); // stop the spare (it runs the restored disk)
    await attachRoot.undo!(ctx); // detach the restored disk, kept for inspection
    await detachRoot.undo!(ctx); // the spare's own root back at its root device
    await stopSpare.undo!(ctx); // started again if it was running before the drill
    await reconnect.undo!(ctx); // its own host key again
    ctx.state.drillPutBack = Date.now();
    ctx.checkpoint();
  },
};
