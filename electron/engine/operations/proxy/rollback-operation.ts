/**
 * Proxy rollback: on every host, put back the files of its proxy backup sets
 * exactly as they were (same bytes, mode and owner; files that did not exist
 * are removed, and folders Drydock created with them), newest set first, down
 * to the chosen one: by default the oldest, so the hosts return to the state
 * before the first Drydock apply. Then the same restarts as apply. The sets
 * are chosen once, in the first step, so a resumed rollback never walks on
 * to an older set.
 *
 * A set is restored only if its manifest names nothing but the proxy's own
 * files and agrees with this laptop's record of it (kept in the apply's
 * runbook); a set this laptop has no record of is restored only after the
 * admin saw its paths and hashes and accepted it.
 */
import { DrydockError } from '../../../../shared/errors';
import { CUSTOMIZATIONS, DOCKER_DROP_IN, ENVIRONMENT, REPLICATED_CONF } from '../../../../shared/proxy/render';
import { ProxyRollbackRequestSchema, type RollbackPlan, type RollbackResult } from '../../../../shared/channels/proxy';
import { listSets, readManifest, rollbackFiles, type BackupManifest } from '../../files/change-set';
import { readRemoteFile } from '../../files/remote-file';
import { defineOperation, type EngineServices, type StepContext } from '../operation';
import { cleanStaleStaging, findSetRecord } from './file-safety';
import { PendingRestarts } from './pending-restarts';
import { proxyHosts } from './plan';
import { dockerRestartStep, replicatedRestartStep, type RestartState } from './restart-steps';
import { proxyTopology } from './topology';
import type { z } from 'zod';

type Input = z.output<typeof ProxyRollbackRequestSchema>;

/** The only files a proxy apply ever writes: a manifest naming any other is refused. */
export const PROXY_PATHS = [REPLICATED_CONF, CUSTOMIZATIONS, ENVIRONMENT, DOCKER_DROP_IN];

interface HostBackup {
  host: string;
  role: 'services' | 'nomad';
  /** The oldest set restored: the host ends as it was before it. */
  set: string | null;
  /** Every set to restore, newest first. */
  sets?: string[];
  files: { path: string; existed: boolean }[];
}

export interface ProxyRollbackState extends RestartState {
  backups?: HostBackup[];
  restored: Record<string, string[]>;
}

type Ctx = StepContext<Input, ProxyRollbackState>;

const key = (host: string, set: string) => `${host}/${set}`;

/**
 * Each host's proxy sets not rolled back yet, newest first, down to `to`
 * (a set name: the state before that apply) or to the oldest.
 */
export async function findProxyBackups(
  services: EngineServices,
  to?: string,
  signal?: AbortSignal,
): Promise<{ backups: HostBackup[]; manifests: Map<string, BackupManifest[]>; all: Map<string, BackupManifest[]> }> {
  const topology = proxyTopology(services.inventory);
  const manifests = new Map<string, BackupManifest[]>();
  const all = new Map<string, BackupManifest[]>();
  const backups: HostBackup[] = [];
  for (const { host, role } of proxyHosts(topology)) {
    const session = await services.pool.session(host.name, signal);
    const open = (await listSets(session)).filter((m) => m.label === 'proxy' && m.state !== 'rolled-back');
    all.set(host.name, open);
    const chosen = open.filter((m) => !to || m.set >= to);
    if (chosen.length) manifests.set(host.name, chosen);
    // The state before the oldest chosen set: for each path, the first time a set touched it.
    const files = new Map<string, boolean>();
    for (const m of [...chosen].reverse()) for (const f of m.files) if (!files.has(f.path)) files.set(f.path, f.existed);
    backups.push({
      host: host.name,
      role,
      set: chosen.length ? chosen[chosen.length - 1].set : null,
      sets: chosen.map((m) => m.set),
      files: [...files].map(([path, existed]) => ({ path, existed })),
    });
  }
  return { backups, manifests, all };
}

/** What a rollback would do now, which files were changed by someone since the apply, and which sets need confirming. */
export async function rollbackPlan(services: EngineServices, to?: string, signal?: AbortSignal): Promise<RollbackPlan> {
  const { backups, manifests, all } = await findProxyBackups(services, to, signal);
  const warnings: string[] = [];
  const hosts: RollbackPlan['hosts'] = [];
  const unrecorded: string[] = [];
  for (const b of backups) {
    const sets = manifests.get(b.host) ?? [];
    const newest = sets[0];
    const oldest = sets[sets.length - 1];
    const session = await services.pool.session(b.host, signal);
    const files: RollbackPlan['hosts'][number]['files'] = [];
    for (const f of b.files) {
      const now = await readRemoteFile(session, f.path);
      const last = newest?.files.find((x) => x.path === f.path) ?? sets.flatMap((m) => m.files).find((x) => x.path === f.path);
      const changedSinceApply = newest?.state === 'applied' && !!last && now.sha256 !== last.sha256After;
      if (changedSinceApply) warnings.push(`${b.host}:${f.path} changed after the proxy apply of ${newest!.createdAt}; the rollback discards that change too.`);
      files.push({ path: f.path, action: f.existed ? 'restore' : 'remove', changedSinceApply });
    }
    const setViews = sets.map((m) => {
      const recorded = !!findSetRecord(services.home, b.host, m.set);
      if (!recorded) {
        unrecorded.push(key(b.host, m.set));
        warnings.push(`${b.host}: backup set ${m.set} was not made from this laptop; check its files and hashes below before confirming.`);
      }
      return { set: m.set, createdAt: m.createdAt, recorded, files: m.files.map((f) => ({ path: f.path, existed: f.existed, sha256Before: f.sha256Before, sha256After: f.sha256After })) };
    });
    if (!sets.length) warnings.push(`${b.host} has no proxy backup to restore; it is left as it is.`);
    hosts.push({ host: b.host, role: b.role, ...(oldest ? { set: oldest.set, createdAt: oldest.createdAt } : {}), files, sets: setViews });
  }
  if (!manifests.size) throw new DrydockError('NOT_FOUND', 'No proxy backup to roll back on any host: Drydock has not applied proxy settings here (or they were rolled back already)');
  // Every restart the run could make is offered here, including one still owed from an
  // earlier run on these hosts: the run restarts only what the admin ticks of this list.
  const owed = new PendingRestarts(services.home).read();
  const choices = new Map<string, { set: string; createdAt: string; hosts: string[] }>();
  for (const [host, sets] of all) for (const m of sets) (choices.get(m.set) ?? choices.set(m.set, { set: m.set, createdAt: m.createdAt, hosts: [] }).get(m.set)!).hosts.push(host);
  const restarts = {
    replicated: backups.some((b) => b.role === 'services' && (!!b.set || owed.replicated.includes(b.host))),
    docker: backups.filter((b) => b.role === 'nomad' && (b.files.some((f) => f.path === DOCKER_DROP_IN) || owed.docker.includes(b.host))).map((b) => b.host),
  };
  return {
    hosts,
    restarts,
    warnings,
    choices: [...choices.values()].sort((a, b) => b.set.localeCompare(a.set)),
    ...(to ? { to } : {}),
    unrecorded,
  };
}

async function restoreHost(ctx: Ctx, b: HostBackup): Promise<void> {
  const sets = b.sets ?? (b.set ? [b.set] : []);
  if (!sets.length) return;
  const session = await ctx.services.pool.session(b.host, ctx.signal);
  await cleanStaleStaging(ctx.services.home, session, ctx.runId);
  // Owed before the first byte moves: an interruption must not lose the restart.
  const pending = new PendingRestarts(ctx.services.home);
  if (b.role === 'services') pending.add('replicated', b.host);
  if (b.role === 'nomad' && b.files.some((f) => f.path === DOCKER_DROP_IN)) pending.add('docker', b.host);
  for (const set of sets) {
    if ((await readManifest(session, set))?.state === 'rolled-back') continue;
    ctx.note(`${b.host}: restoring from ${set}`);
    const trust = { allowed: PROXY_PATHS, record: findSetRecord(ctx.services.home, b.host, set), acceptUnrecorded: (ctx.input.accept ?? []).includes(key(b.host, set)) };
    const m = await rollbackFiles(session, { set, trust });
    ctx.state.restored[b.host] = [...new Set([...(ctx.state.restored[b.host] ?? []), ...m.files.map((f) => f.path)])];
    ctx.checkpoint();
  }
}

async function hostRestored(ctx: Ctx, b: HostBackup): Promise<boolean> {
  const sets = b.sets ?? (b.set ? [b.set] : []);
  const session = sets.length ? await ctx.services.pool.session(b.host, ctx.signal) : null;
  for (const set of sets) if ((await readManifest(session!, set))?.state !== 'rolled-back') return false;
  return true;
}

const byRole = (ctx: Ctx, role: 'services' | 'nomad') => (ctx.state.backups ?? []).filter((b) => b.role === role);

export const proxyRollback = defineOperation({
  name: 'proxy-rollback',
  title: 'Proxy rollback',
  input: ProxyRollbackRequestSchema,
  group: 'proxy-files',
  initialState: (): ProxyRollbackState => ({ restored: {}, nomadHosts: [], restartedReplicated: false, restartedDocker: [] }),
  steps: [
    {
      name: 'find',
      title: 'Find the proxy backups to restore on each host',
      check: async (ctx) => !!ctx.state.backups,
      apply: async (ctx) => {
        const { backups, manifests } = await findProxyBackups(ctx.services, ctx.input.to, ctx.signal);
        if (!manifests.size) throw new DrydockError('NOT_FOUND', 'No proxy backup to roll back on any host');
        ctx.state.backups = backups;
        ctx.state.servicesHost = backups.find((b) => b.role === 'services')?.host;
        ctx.state.nomadHosts = backups.filter((b) => b.role === 'nomad').map((b) => b.host);
        ctx.note(backups.map((b) => `${b.host}: ${b.sets?.length ? b.sets.join(', ') : 'nothing to restore'}`).join('; '));
      },
    },
    {
      name: 'services-restore',
      title: "Restore the Services machine's files",
      check: async (ctx) => {
        for (const b of byRole(ctx, 'services')) if (!(await hostRestored(ctx, b))) return false;
        return true;
      },
      apply: async (ctx) => {
        for (const b of byRole(ctx, 'services')) await restoreHost(ctx, b);
      },
    },
    {
      name: 'nomad-restore',
      title: "Restore each Nomad client's files",
      check: async (ctx) => {
        for (const b of byRole(ctx, 'nomad')) if (!(await hostRestored(ctx, b))) return false;
        return true;
      },
      apply: async (ctx) => {
        for (const b of byRole(ctx, 'nomad')) await restoreHost(ctx, b);
      },
    },
    replicatedRestartStep<Input, ProxyRollbackState>(),
    dockerRestartStep<Input, ProxyRollbackState>(() => null),
  ],
  describeChanges: async (ctx) => {
    const done = Object.entries(ctx.state.restored).filter(([, files]) => files.length);
    return done.length ? `Restored so far — ${done.map(([host, files]) => `${host}: ${files.join(', ')}`).join('; ')}.` : null;
  },
  result: (state: ProxyRollbackState): Omit<RollbackResult, 'runId' | 'pendingRestarts'> => {
    const restored = (state.backups ?? []).filter((b) => b.set && state.restored[b.host]).map((b) => ({ host: b.host, set: b.set!, files: state.restored[b.host] }));
    const restarted = { replicated: state.restartedReplicated, docker: state.restartedDocker };
    const parts = [
      `Restored ${restored.reduce((n, r) => n + r.files.length, 0)} file(s) on ${restored.length} host(s)`,
      restarted.replicated ? 'restarted Replicated' : '',
      restarted.docker.length ? `restarted Docker on ${restarted.docker.join(', ')}` : '',
    ].filter(Boolean);
    return { restored, restarted, summary: parts.join('; ') + '.' };
  },
});
