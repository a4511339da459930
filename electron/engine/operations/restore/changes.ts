/**
 * What a restore run has changed so far, said when a step fails or is
 * stopped (the runner adds it to the error): the volume it made, the files
 * it rewrote, the drill's block, the keys it trusted — and the two ways on,
 * resume or abort, with what the abort puts back. Read from the run's state,
 * which every step checkpoints before it acts, so it needs no host.
 */
import type { Ctx } from './types';

export async function describeRestoreChanges(ctx: Ctx): Promise<string | null> {
  const { state, input } = ctx;
  const changed: string[] = [];
  if (state.volumeId) changed.push(`made volume ${state.volumeId} from ${state.snapshotId ?? input.backup.id} (the restored disk; kept by an abort)`);
  const files = state.fileDiffs ?? [];
  if (files.length) changed.push(`rewrote ${files.map((f) => `${f.host}:${f.path}`).join(', ')} (backed up in /var/backups/drydock on each host)`);
  if (state.isolation && !state.networkReleasedAt) changed.push(`cut the spare off at the provider (${state.isolation.summary}); the end of the run or an abort puts its network back`);
  if (state.isolatedByAdmin) changed.push('relied on your word that the spare\u2019s outbound network is cut at the hypervisor/cloud (yours to put back)');
  if (state.drillFirewall?.set && !state.drillFirewall.removed) changed.push('loaded the drill\u2019s outbound block on the spare');
  const trusted = state.hostKeys.filter((k) => k.proof !== 'refused');
  if (trusted.length) changed.push(`trusted the spare\u2019s host key ${trusted.map((k) => k.fingerprint).join(', ')}`);
  if (!changed.length) return null;
  return (
    `So far this restore ${changed.join('; ')}. ` +
    `To go on: drydock runs resume ${ctx.runId}. To put the spare back as it was: drydock restore abort --run ${ctx.runId} ` +
    `(its own root ${input.spare.originalRoot} is attached again, its own host key trusted again${state.isolation && !state.networkReleasedAt ? ' and its own network groups put back' : ''}; the restored volume is kept for inspection; ` +
    'refused once the Nomad clients have been re-pointed).'
  );
}
