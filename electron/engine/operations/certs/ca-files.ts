/**
 * Custom CA certificates on a host, the way update-ca-certificates wants
 * them: PEM, `.crt`, one certificate per file, under
 * /usr/local/share/ca-certificates/. Written through the file-change engine
 * (backed up on the host, atomic, reversible with `rollbackFiles`), then the
 * bundle /etc/ssl/certs/ca-certificates.crt is regenerated.
 */
import { applyFiles, listSets, newSetName, planFile, rollbackFiles, type PlannedFile } from '../../files/change-set';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';

export const CA_DIR = '/usr/local/share/ca-certificates';
export const GHE_LABEL = 'trust-ghe';

/** `drydock-ghe-<host>-<n>.crt`: ours (so a later run can replace them) and named for the server they serve. */
export function caFileNames(gheHost: string, count: number): string[] {
  const slug = gheHost.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
  return Array.from({ length: count }, (_, i) => `${CA_DIR}/drydock-ghe-${slug}-${i}.crt`);
}

/** New files, plus removal of files a previous run wrote for a longer chain. */
export async function planCaFiles(session: HostSession, gheHost: string, pems: string[]): Promise<PlannedFile[]> {
  const names = caFileNames(gheHost, pems.length);
  const prefix = caFileNames(gheHost, 1)[0].replace(/-0\.crt$/, '-');
  const listed = await session.check(sh`ls -1 ${CA_DIR} 2>/dev/null || true`, { asRoot: true });
  const stale = listed
    .split('\n')
    .map((n) => `${CA_DIR}/${n.trim()}`)
    .filter((p) => p.startsWith(prefix) && /-\d+\.crt$/.test(p) && !names.includes(p));
  const plans = await Promise.all(names.map((file, i) => planFile(session, file, () => pems[i], 0o644)));
  const removals = await Promise.all(stale.map((file) => planFile(session, file, () => null)));
  return [...plans, ...removals];
}

/**
 * Apply the plan (only if something changes) and rebuild the system bundle.
 * `set` is the backup-set name kept in the run's state, so a resumed run
 * re-enters the same set and keeps the true originals.
 */
export async function installCaFiles(session: HostSession, plans: PlannedFile[], set: string, signal?: AbortSignal, label = GHE_LABEL): Promise<boolean> {
  const changed = plans.filter((p) => p.changed);
  if (changed.length) await applyFiles(session, changed, set, label);
  // Always: an earlier run may have written the files but died before this.
  await session.check('update-ca-certificates', { asRoot: true, signal, timeoutMs: 120_000 });
  return changed.length > 0;
}

export function caSetName(label = GHE_LABEL): string {
  return newSetName(label);
}

/**
 * Undo the newest trust-ghe (or other `label`) change on one host: files restored byte for byte
 * (or removed when they did not exist), then the system bundle rebuilt.
 * Returns null when the host has no such change to undo.
 */
export async function rollbackCaFiles(session: HostSession, signal?: AbortSignal, label = GHE_LABEL): Promise<{ set: string; files: string[] } | null> {
  const sets = await listSets(session);
  if (!sets.some((m) => m.label === label && m.state !== 'rolled-back')) return null;
  // Only the CA files these operations name (drydock-ghe-*, drydock-ca-*): a manifest naming anything else is refused.
  const ours = (p: string) => /^drydock-(ghe|ca)-[^/]+\.crt$/.test(p.slice(CA_DIR.length + 1)) && p.startsWith(`${CA_DIR}/`);
  const manifest = await rollbackFiles(session, { label, trust: { allowed: ours, record: null, acceptUnrecorded: true } });
  await session.check('update-ca-certificates --fresh >/dev/null', { asRoot: true, signal });
  return { set: manifest.set, files: manifest.files.map((f) => f.path) };
}
