/**
 * What an interrupted file-writing run leaves behind, told and tidied: the
 * exact files it changed on each host (read from its backup sets'
 * manifests, so the report is what the hosts say, not what the run hoped),
 * and the staging folders of killed runs, which may hold a proxy password.
 */
import { readManifest, type SetRecord } from '../../files/change-set';
import { readRemoteFile, removeStaleStaging } from '../../files/remote-file';
import { RunStore } from '../../runbook/run-store';
import type { HostSession } from '../../ssh/session';
import type { EngineServices } from '../operation';

/** "Changed so far — services: a, b; nomad-1: c." from each host's set (null: nothing changed). */
export async function filesChangedSoFar(services: EngineServices, sets: Record<string, string>, signal?: AbortSignal): Promise<string | null> {
  const parts: string[] = [];
  for (const [host, set] of Object.entries(sets)) {
    try {
      const session = await services.pool.session(host, signal);
      const manifest = await readManifest(session, set);
      if (!manifest) continue;
      const changed: string[] = [];
      for (const f of manifest.files) if ((await readRemoteFile(session, f.path)).sha256 !== f.sha256Before) changed.push(f.path);
      if (changed.length) parts.push(`${host}: ${changed.join(', ')} (backup set ${set})`);
    } catch (err) {
      parts.push(`${host}: could not be read back (${(err as Error).message})`);
    }
  }
  return parts.length ? `Changed so far — ${parts.join('; ')}.` : null;
}

/**
 * Remove staging folders left by this laptop's runs that are no longer going
 * (killed runs), before this run stages its own. Uploads of older Drydocks
 * and one-off staging folders (no run) go once they are ten minutes old.
 */
export async function cleanStaleStaging(home: string, session: HostSession, runId: string): Promise<string[]> {
  const runs = new Map(new RunStore(home).list().map((r) => [r.id, r.status]));
  return removeStaleStaging(session, (tag, age) => {
    if (tag === runId) return false;
    const status = tag ? runs.get(tag) : undefined;
    if (status) return status !== 'running';
    return age > 600;
  });
}

/**
 * This laptop's record of a backup set (the manifest as the apply wrote it,
 * kept in its runbook), newest run first; null when no run here made it.
 */
export function findSetRecord(home: string, host: string, set: string): SetRecord | null {
  for (const run of new RunStore(home).list()) {
    const record = (run.state as { records?: Record<string, SetRecord> } | null)?.records?.[host];
    if (record && record.set === set) return record;
  }
  return null;
}
