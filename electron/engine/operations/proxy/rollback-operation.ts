/**
 * Proxy rollback: on every host, put back the files of its last proxy backup
 * set exactly as they were (same bytes, mode and owner; files that did not
 * exist are removed), then offer the same restarts as apply. The set to
 * restore is chosen once, in the first step, so a resumed rollback never
 * walks on to an older set.
 */
import { z } from 'zod';
import { DrydockError } from '../../../../shared/errors';
import { DOCKER_DROP_IN } from '../../../../shared/proxy/render';
import { RestartConsentSchema, type RollbackPlan, type RollbackResult } from '../../../../shared/channels/proxy';
import { rollbackFiles, type BackupManifest } from '../../files/change-set';
import { readRemoteFile } from '../../files/remote-file';
import { defineOperation, type EngineServices, type StepContext } from '../operation';
import { readManifest } from '../../files/change-set';
import { latestSet } from './host-files';
import { PendingRestarts } from './pending-restarts';
import { proxyHosts } from './plan';
import { dockerRestartStep, replicatedRestartStep, type RestartState } from './restart-steps';
import { proxyTopology } from './topology';

const RollbackInput = RestartConsentSchema;
type Input = z.output<typeof RollbackInput>;

interface HostBackup {
  host: string;
  role: 'services' | 'nomad';
  set: string | null;
  files: { path: string; existed: boolean }[];
}

export interface ProxyRollbackState extends RestartState {
  backups?: HostBackup[];
  restored: Record<string, string[]>;
}

type Ctx = StepContext<Input, ProxyRollbackState>;

/** Each host's newest proxy set that has not been rolled back yet. */
export async function findProxyBackups(services: EngineServices, signal?: AbortSignal): Promise<{ backups: HostBackup[]; manifests: Map<string, BackupManifest> }> {
  const topology = proxyTopology(services.inventory);
  const manifests = new Map<string, BackupManifest>();
  const backups: HostBackup[] = [];
  for (const { host, role } of proxyHosts(topology)) {
    const session = await services.pool.session(host.name, signal);
    const m = await latestSet(session, 'proxy', (s) => s.state !== 'rolled-back');
    if (m) manifests.set(host.name, m);
    backups.push({ host: host.name, role, set: m?.set ?? null, files: m ? m.files.map((f) => ({ path: f.path, existed: f.existed })) : [] });
  }
  return { backups, manifests };
}

/** What a rollback would do now, and which files were changed by someone since the apply. */
export async function rollbackPlan(services: EngineServices, signal?: AbortSignal): Promise<RollbackPlan> {
  const { backups, manifests } = await findProxyBackups(services, signal);
  const warnings: string[] = [];
  const hosts: RollbackPlan['hosts'] = [];
  for (const b of backups) {
    const m = manifests.get(b.host);
    const session = await services.pool.session(b.host, signal);
    const files: RollbackPlan['hosts'][number]['files'] = [];
    for (const f of m?.files ?? []) {
      const now = await readRemoteFile(session, f.path);
      const changedSinceApply = m!.state === 'applied' && now.sha256 !== f.sha256After;
      if (changedSinceApply) warnings.push(`${b.host}:${f.path} changed after the proxy apply of ${m!.createdAt}; the rollback discards that change too.`);
      files.push({ path: f.path, action: f.existed ? 'restore' : 'remove', changedSinceApply });
    }
    if (!m) warnings.push(`${b.host} has no proxy backup to restore; it is left as it is.`);
    hosts.push({ host: b.host, role: b.role, ...(m ? { set: m.set, createdAt: m.createdAt } : {}), files });
  }
  if (!manifests.size) throw new DrydockError('NOT_FOUND', 'No proxy backup to roll back on any host: Drydock has not applied proxy settings here (or they were rolled back already)');
  // Every restart the run could make is offered here, including one still owed from an
  // earlier run on these hosts: the run restarts only what the admin ticks of this list.
  const owed = new PendingRestarts(services.home).read();
  const restarts = {
    replicated: backups.some((b) => b.role === 'services' && (!!b.set || owed.replicated.includes(b.host))),
    docker: backups.filter((b) => b.role === 'nomad' && (b.files.some((f) => f.path === DOCKER_DROP_IN) || owed.docker.includes(b.host))).map((b) => b.host),
  };
  return { hosts, restarts, warnings };
}

async function restoreHost(ctx: Ctx, b: HostBackup): Promise<void> {
  if (!b.set) return;
  const session = await ctx.services.pool.session(b.host, ctx.signal);
  if ((await readManifest(session, b.set))?.state === 'rolled-back') return;
  // Owed before the first byte moves: an interruption must not lose the restart.
  const pending = new PendingRestarts(ctx.services.home);
  if (b.role === 'services') pending.add('replicated', b.host);
  if (b.role === 'nomad' && b.files.some((f) => f.path === DOCKER_DROP_IN)) pending.add('docker', b.host);
  ctx.note(`${b.host}: restoring ${b.files.map((f) => f.path).join(', ')} from ${b.set}`);
  await rollbackFiles(session, { set: b.set });
  ctx.state.restored[b.host] = b.files.map((f) => f.path);
}

async function hostRestored(ctx: Ctx, b: HostBackup): Promise<boolean> {
  if (!b.set) return true;
  const session = await ctx.services.pool.session(b.host, ctx.signal);
  return (await readManifest(session, b.set))?.state === 'rolled-back';
}

const byRole = (ctx: Ctx, role: 'services' | 'nomad') => (ctx.state.backups ?? []).filter((b) => b.role === role);

export const proxyRollback = defineOperation({
  name: 'proxy-rollback',
  title: 'Proxy rollback',
  input: RollbackInput,
  initialState: (): ProxyRollbackState => ({ restored: {}, nomadHosts: [], restartedReplicated: false, restartedDocker: [] }),
  steps: [
    {
      name: 'find',
      title: 'Find the last proxy backup on each host',
      check: async (ctx) => !!ctx.state.backups,
      apply: async (ctx) => {
        const { backups, manifests } = await findProxyBackups(ctx.services, ctx.signal);
        if (!manifests.size) throw new DrydockError('NOT_FOUND', 'No proxy backup to roll back on any host');
        ctx.state.backups = backups;
        ctx.state.servicesHost = backups.find((b) => b.role === 'services')?.host;
        ctx.state.nomadHosts = backups.filter((b) => b.role === 'nomad').map((b) => b.host);
        ctx.note(backups.map((b) => `${b.host}: ${b.set ?? 'nothing to restore'}`).join('; '));
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
