/**
 * The drill's outbound block as steps the restore operation includes (before
 * the app starts: write, load, verify; when the drill ends, or on abort:
 * remove). The rules files go through the file-change engine (planned and
 * diffed, backed up, written atomically, rolled back exactly); loading is
 * checked against `iptables -S`, rule for rule.
 */
import { DRILL_STEPS } from '../../../../../shared/restore/drill-steps';
import { DrydockError } from '../../../../../shared/errors';
import { applyFiles, newSetName, planFile, recordOf, rollbackFiles, type PlannedFile, type SetRecord } from '../../../files/change-set';
import type { CommandResult } from '../../../ssh/exec';
import type { HostSession } from '../../../ssh/session';
import type { Step, StepContext } from '../../operation';
import { blockDifference, blockGone, renderRules, RULES_FILE, type DrillBlock } from './rules';
import { loadScript, removeScript, showScript } from './scripts';

export interface DrillFirewallState {
  /** The file-change engine's backup set for the rules files, and this laptop's record of it. */
  set?: string;
  record?: SetRecord;
  /** Per family: load created DOCKER-USER (Docker had not started), so removal takes it back. */
  createdDockerUser?: { v4?: boolean; v6?: boolean };
  /** IPv6 was blocked too (false: the host has no ip6tables or IPv6 is off). */
  ipv6?: boolean;
  removed?: boolean;
}

export interface DrillFirewallTarget {
  session: HostSession;
  block: DrillBlock;
  /** Root shell on the spare; default the session's sudo. (The tests give a throw-away network namespace.) */
  shell?: (script: string) => Promise<CommandResult>;
}

const FAMILIES = ['v4', 'v6'] as const;
const LABEL = 'drill-firewall';

async function root(t: DrillFirewallTarget, script: string, what: string): Promise<string> {
  const r = t.shell ? await t.shell(script) : await t.session.sudo(script);
  if (r.code !== 0) throw new DrydockError('COMMAND_FAILED', `${t.session.host.name}: ${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}

/** The rules files as the preview shows them (diff against what is there). */
export function planBlockFiles(t: DrillFirewallTarget): Promise<PlannedFile[]> {
  return Promise.all(FAMILIES.map((f) => planFile(t.session, RULES_FILE[f], () => renderRules(t.block, f), 0o600)));
}

export async function writeBlockFiles(t: DrillFirewallTarget, state: DrillFirewallState, onRecord?: () => void): Promise<void> {
  state.set ??= newSetName(LABEL);
  onRecord?.();
  const planned = await planBlockFiles(t);
  await applyFiles(t.session, planned, state.set, LABEL, {
    onManifest: (m) => {
      state.record = recordOf(m);
      onRecord?.();
    },
  });
}

export async function loadBlock(t: DrillFirewallTarget, state: DrillFirewallState): Promise<void> {
  for (const f of FAMILIES) {
    const out = await root(t, loadScript(f), `loading the drill's ${f === 'v4' ? 'IPv4' : 'IPv6'} block`);
    if (out.includes(`${f}: created DOCKER-USER`)) state.createdDockerUser = { ...state.createdDockerUser, [f]: true };
    if (f === 'v6') state.ipv6 = !out.includes('ipv6: none');
  }
}

/** Why the loaded block differs from the plan, per family (null: exactly in place). */
export async function blockStatus(t: DrillFirewallTarget): Promise<string | null> {
  for (const f of FAMILIES) {
    const shown = await root(t, showScript(f), `reading the ${f} firewall`);
    if (f === 'v6' && shown.includes('ipv6: none')) continue;
    const why = blockDifference(t.block, f, shown);
    if (why) return `${f === 'v4' ? 'IPv4' : 'IPv6'}: ${why}`;
  }
  return null;
}

export async function verifyBlock(t: DrillFirewallTarget): Promise<void> {
  const why = await blockStatus(t);
  if (why) throw new DrydockError('CONFLICT', `${t.session.host.name}: the drill's outbound block is not in place (${why}); the app must not start until it is`);
}

/** Take the block out (exactly our chains and hooks), then put the rules files back as they were (removed). */
export async function removeBlock(t: DrillFirewallTarget, state: DrillFirewallState): Promise<void> {
  for (const f of FAMILIES) await root(t, removeScript(f, !!state.createdDockerUser?.[f]), `removing the drill's ${f} block`);
  for (const f of FAMILIES) {
    const shown = await root(t, showScript(f), `reading the ${f} firewall`);
    if (!shown.includes('ipv6: none') && !blockGone(shown)) throw new DrydockError('COMMAND_FAILED', `${t.session.host.name}: the drill's ${f} block is still loaded after removal; remove it by hand: iptables -D OUTPUT -j DRYDOCK-DRILL; iptables -F DRYDOCK-DRILL; iptables -X DRYDOCK-DRILL (and -FWD in DOCKER-USER)`);
  }
  if (state.set && state.record) {
    await rollbackFiles(t.session, { set: state.set, trust: { allowed: Object.values(RULES_FILE), record: state.record, acceptUnrecorded: false } });
  }
  state.removed = true;
}

/**
 * The steps, for the restore operation's drill path. `target` finds the
 * spare's session and block from the run's input/state; `slot` is where this
 * block's state lives in the run's state (persisted after every step).
 */
export function drillFirewallSteps<I, S>(
  target: (ctx: StepContext<I, S>) => Promise<DrillFirewallTarget>,
  slot: (ctx: StepContext<I, S>) => DrillFirewallState,
): { block: Step<I, S>[]; remove: Step<I, S>; undo(ctx: StepContext<I, S>): Promise<void> } {
  const write: Step<I, S> = {
    name: DRILL_STEPS.blockWrite,
    title: 'Write the drill\'s outbound firewall rules',
    async check(ctx) {
      return (await planBlockFiles(await target(ctx))).every((p) => !p.changed);
    },
    async apply(ctx) {
      await writeBlockFiles(await target(ctx), slot(ctx), () => ctx.checkpoint());
    },
  };
  const load: Step<I, S> = {
    name: DRILL_STEPS.blockLoad,
    title: 'Block the spare\'s outbound traffic (all but SSH, loopback, Docker and its own address)',
    async check(ctx) {
      return (await blockStatus(await target(ctx))) === null;
    },
    async apply(ctx) {
      await loadBlock(await target(ctx), slot(ctx));
      ctx.checkpoint();
    },
    async verify(ctx) {
      await verifyBlock(await target(ctx));
    },
  };
  const undo = async (ctx: StepContext<I, S>) => {
    const state = slot(ctx);
    if (!state.set && !state.createdDockerUser) return; // nothing was written or loaded
    await removeBlock(await target(ctx), state);
    ctx.checkpoint();
  };
  const remove: Step<I, S> = {
    name: DRILL_STEPS.blockRemove,
    title: 'Remove the drill\'s outbound block',
    async check(ctx) {
      return !!slot(ctx).removed;
    },
    apply: undo,
  };
  return { block: [write, load], remove, undo };
}
