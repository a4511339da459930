/**
 * Writing a host's files through the file-change engine: planned from what
 * is there now, backed up on the host, written atomically, verified, and the
 * diff kept for the report. A resumed step reuses its backup set, so the
 * first backup (the true original) is the one kept.
 */
import { applyFiles, newSetName, planFile, type PlannedFile } from '../../files/change-set';
import { makeStaging, removeStaging } from '../../files/remote-file';
import { recordFileDiffs } from '../../report/run-record';
import type { HostSession } from '../../ssh/session';
import type { Ctx } from './types';

export async function planFiles(session: HostSession, files: { path: string; render: (current: string | null) => string | null }[]): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const f of files) planned.push(await planFile(session, f.path, f.render));
  return planned;
}

export async function writeFiles(ctx: Ctx, session: HostSession, key: string, planned: PlannedFile[]): Promise<void> {
  const changed = planned.filter((f) => f.changed);
  if (!changed.length) return;
  const sets = ((ctx.state as unknown as { sets?: Record<string, string> }).sets ??= {});
  sets[key] ??= newSetName(`restore-${key}`);
  ctx.checkpoint();
  recordFileDiffs(ctx.state, session.host.name, changed.map((f) => ({ path: f.path, action: 'changed', diff: f.diff })));
  const staging = await makeStaging(session, ctx.runId);
  try {
    await applyFiles(session, changed, sets[key], `restore ${key}`, { staging, onManifest: () => ctx.checkpoint() });
  } finally {
    await removeStaging(session, staging);
  }
}
