/** Where the drill's outbound block is loaded, and the check the app's start makes before it starts in a drill. */
import { verifyBlock, type DrillFirewallTarget } from './drill-firewall/steps';
import type { Ctx } from './types';

/**
 * Where the block's root shell runs. Default: the spare's SSH session with
 * sudo. Tests replace it (in this process only) to run the same scripts in a
 * throw-away network namespace: lab hosts share the machine's own.
 */
export type DrillShell = (host: string) => DrillFirewallTarget['shell'] | undefined;
let drillShell: DrillShell = () => undefined;
export function setDrillShellForTests(shell: DrillShell | undefined): void {
  drillShell = shell ?? (() => undefined);
}

export async function drillTarget(ctx: Ctx): Promise<DrillFirewallTarget> {
  const session = await ctx.services.pool.session(ctx.input.spare.host, ctx.signal);
  const shell = drillShell(ctx.input.spare.host);
  // sshd's own port stays open for the admin's session (rules.ts): the port Drydock reaches the spare on.
  return { session, block: { privateAddress: ctx.input.spare.address, sshPort: session.host.port }, ...(shell ? { shell } : {}) };
}

/** The app starts only with the block in place (checked again, not taken from the record). */
export async function assertDrillBlocked(ctx: Ctx): Promise<void> {
  if (ctx.input.mode !== 'drill') return;
  await verifyBlock(await drillTarget(ctx));
  ctx.note("The drill's outbound block is in place: the app may start");
}

