/**
 * Proxy apply on the runbook model, step by step as the guide does it by
 * hand. Every step can be re-entered: the file steps compare the hosts'
 * files with the plan (and finish a half-done backup set), the restart steps
 * look at what is still owed, so an interrupted apply resumed, or simply run
 * again, finishes the job and keeps the first backups.
 *
 * The run's state holds host names, backup-set names and NO_PROXY, never a
 * file's content; the proxy URL itself comes from the run's input.
 */
import { ProxyApplyRequestSchema, type ProxyApplyResult, type VerifyResult } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import { proxyEndpoints, proxySecrets } from '../../../../shared/proxy/input';
import type { NoProxyEntry } from '../../../../shared/proxy/no-proxy';
import { DOCKER_DROP_IN, type ProxySettings } from '../../../../shared/proxy/render';
import { defineOperation, type StepContext } from '../operation';
import { newSetName, recordOf, type SetRecord } from '../../files/change-set';
import { makeStaging, removeStaging } from '../../files/remote-file';
import { cleanStaleStaging, filesChangedSoFar } from './file-safety';
import { fileChangeView, hostFilesInPlace, planFingerprint, reviewedOf, unfinishedSet, unreviewed, unreviewedConflict, writeHostFiles, type ReviewedFiles } from './host-files';
import { recordFileDiffs, type ReportableState } from '../../report/run-record';
import { PendingRestarts } from './pending-restarts';
import { defaultVerifyUrl, planProxy, planProxyHost, type ProxyHostPlan } from './plan';
import { dockerRestartStep, replicatedRestartStep, type RestartState } from './restart-steps';
import { proxyTopology } from './topology';
import { verifyFromHosts } from './verify';
import type { z } from 'zod';

type ApplyInput = z.output<typeof ProxyApplyRequestSchema>;

export interface ProxyApplyState extends RestartState, ReportableState {
  noProxy?: NoProxyEntry[];
  javaNonProxyHosts?: string[];
  /** Backup set per host: this run's, or an interrupted apply's that this run finishes. */
  sets: Record<string, string>;
  /** Files that differed from the plan when this run first looked, per host. */
  changes: Record<string, string[]>;
  /**
   * What the reviewed plan saw in each file and would write (hashes), per
   * host: a resume writes a file only if it still holds what was reviewed.
   */
  reviewed?: Record<string, ReviewedFiles>;
  /** The fingerprint of the plan those hashes come from. */
  reviewedFingerprint?: string;
  /** This laptop's copy of each host's backup-set manifest: a rollback trusts only a manifest that agrees. */
  records?: Record<string, SetRecord>;
  verifyUrl?: string;
  verification: VerifyResult[];
}

type Ctx = StepContext<ApplyInput, ProxyApplyState>;

function hasPassword(url: unknown): boolean {
  return typeof url === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url);
}

/** The settings the run writes: URLs from its input, NO_PROXY as the first step assembled it. */
function settingsOf(ctx: Ctx): ProxySettings {
  return { ...proxyEndpoints(ctx.input.settings), noProxy: ctx.state.noProxy!.map((e) => e.value), javaNonProxyHosts: ctx.state.javaNonProxyHosts! };
}

function planHost(ctx: Ctx, name: string, role: 'services' | 'nomad'): Promise<ProxyHostPlan> {
  return planProxyHost(ctx.services, ctx.services.inventory.get(name), role, settingsOf(ctx), ctx.signal);
}

const pending = (ctx: Ctx) => new PendingRestarts(ctx.services.home);

const secretsOf = (ctx: Ctx) => proxySecrets(ctx.input.settings);

/**
 * A re-run of an interrupted apply brings the plan the admin reviewed just
 * now (its fingerprint): if the hosts still match it, it becomes the
 * reference for what may be written; if not, nothing is written.
 */
async function adoptNewerReview(ctx: Ctx): Promise<void> {
  const wanted = ctx.input.planFingerprint;
  if (!ctx.state.reviewed || !wanted || wanted === ctx.state.reviewedFingerprint) return;
  const plan = await planProxy(ctx.services, ctx.input.settings, ctx.signal);
  if (planFingerprint(plan.hosts) !== wanted) {
    throw new DrydockError('CONFLICT', 'The files on the hosts changed since you reviewed the plan: review the new plan, then apply again. Nothing more was written.');
  }
  ctx.state.reviewed = Object.fromEntries(plan.hosts.map((h) => [h.host, reviewedOf(h)]));
  ctx.state.reviewedFingerprint = wanted;
  ctx.checkpoint();
}

/** Back up and write one host's files; records the restart it will need before touching anything. */
async function writeHost(ctx: Ctx, name: string, role: 'services' | 'nomad'): Promise<void> {
  await adoptNewerReview(ctx);
  const plan = await planHost(ctx, name, role);
  const reviewed = ctx.state.reviewed?.[name];
  // Checked before anything is recorded or written: a resume writes only what the admin reviewed.
  const off = reviewed ? unreviewed(plan, reviewed) : [];
  if (off.length) throw unreviewedConflict(name, off, secretsOf(ctx));
  const changed = plan.files.filter((f) => f.changed);
  if (changed.length) {
    ctx.note(`${name}: backing up and writing ${changed.map((f) => f.path).join(', ')}`);
    if (role === 'services') pending(ctx).add('replicated', name);
    if (role === 'nomad' && changed.some((f) => f.path === DOCKER_DROP_IN)) pending(ctx).add('docker', name);
  }
  const session = await ctx.services.pool.session(name, ctx.signal);
  // For the change-control report: the diffs as approved, passwords masked.
  if (changed.length) recordFileDiffs(ctx.state, name, changed.map((f) => fileChangeView(f, secretsOf(ctx))));
  await cleanStaleStaging(ctx.services.home, session, ctx.runId);
  const staging = await makeStaging(session, ctx.runId);
  try {
    const onManifest = (m: Parameters<typeof recordOf>[0]) => {
      (ctx.state.records ??= {})[name] = recordOf(m);
      ctx.checkpoint();
    };
    const written = await writeHostFiles(session, plan, ctx.state.sets[name], 'proxy', { staging, onManifest, ...(reviewed ? { reviewed } : {}), secrets: secretsOf(ctx) });
    ctx.state.changes[name] = [...new Set([...(ctx.state.changes[name] ?? []), ...written])];
  } finally {
    await removeStaging(session, staging);
  }
}

async function hostInPlace(ctx: Ctx, name: string, role: 'services' | 'nomad'): Promise<boolean> {
  const session = await ctx.services.pool.session(name, ctx.signal);
  return hostFilesInPlace(session, await planHost(ctx, name, role), ctx.state.sets[name]);
}

async function assertHostInPlace(ctx: Ctx, name: string, role: 'services' | 'nomad'): Promise<void> {
  const plan = await planHost(ctx, name, role);
  const off = plan.files.filter((f) => f.changed).map((f) => f.path);
  if (off.length) throw new DrydockError('COMMAND_FAILED', `${name}: ${off.join(', ')} do not hold the planned settings after writing`, { host: name });
}

export const proxyApply = defineOperation({
  name: 'proxy-apply',
  title: 'Proxy settings',
  input: ProxyApplyRequestSchema,
  // The proxy password (separate, or inside a URL) stays out of the runbook on disk.
  secretInput: [
    { path: ['settings', 'proxyPassword'], label: 'proxy password', env: 'DRYDOCK_PROXY_PASSWORD' },
    { path: ['settings', 'proxy'], when: hasPassword, label: 'proxy URL (with its password)', env: 'DRYDOCK_PROXY_URL' },
    { path: ['settings', 'httpsProxy'], when: hasPassword, label: 'HTTPS proxy URL (with its password)', env: 'DRYDOCK_HTTPS_PROXY_URL' },
  ],
  group: 'proxy-files',
  initialState: (): ProxyApplyState => ({ sets: {}, changes: {}, nomadHosts: [], restartedReplicated: false, restartedDocker: [], verification: [] }),
  steps: [
    {
      name: 'plan',
      title: "Read every host's files and plan the changes",
      check: async (ctx) => !!ctx.state.noProxy,
      apply: async (ctx) => {
        const plan = await planProxy(ctx.services, ctx.input.settings, ctx.signal);
        const broken = plan.hosts.filter((h) => h.error).map((h) => h.error!);
        if (broken.length) throw new DrydockError('CONFLICT', broken.join('; '));
        if (ctx.input.planFingerprint && ctx.input.planFingerprint !== planFingerprint(plan.hosts)) {
          throw new DrydockError('CONFLICT', 'The files on the hosts changed since you reviewed the plan: review the new plan, then apply again. Nothing was written.');
        }
        const runSet = newSetName('proxy');
        ctx.state.reviewed = Object.fromEntries(plan.hosts.map((h) => [h.host, reviewedOf(h)]));
        ctx.state.reviewedFingerprint = planFingerprint(plan.hosts);
        for (const h of plan.hosts) {
          const session = await ctx.services.pool.session(h.host, ctx.signal);
          const unfinished = await unfinishedSet(session, 'proxy');
          ctx.state.sets[h.host] = unfinished ?? runSet;
          ctx.state.changes[h.host] = h.files.filter((f) => f.changed).map((f) => f.path);
          if (unfinished) {
            // An earlier apply stopped half-way here: it may have written files whose restart never came.
            if (h.role === 'services') pending(ctx).add('replicated', h.host);
            else pending(ctx).add('docker', h.host);
          }
        }
        ctx.state.servicesHost = plan.topology.services.name;
        ctx.state.nomadHosts = plan.topology.nomadClients.map((h) => h.name);
        ctx.state.noProxy = plan.noProxy;
        ctx.state.javaNonProxyHosts = plan.settings.javaNonProxyHosts;
        ctx.state.verifyUrl = ctx.input.verifyUrl ?? defaultVerifyUrl(plan.topology);
        const count = Object.values(ctx.state.changes).reduce((n, paths) => n + paths.length, 0);
        ctx.note(count ? `${count} file(s) to change on ${plan.hosts.length} host(s)` : `every file on the ${plan.hosts.length} host(s) already holds these settings`);
      },
    },
    {
      name: 'services-files',
      title: "Back up and write the Services machine's files",
      check: async (ctx) => {
        const done = await hostInPlace(ctx, ctx.state.servicesHost!, 'services');
        if (done) ctx.note(`${ctx.state.servicesHost}: already as planned`);
        return done;
      },
      apply: async (ctx) => {
        await writeHost(ctx, ctx.state.servicesHost!, 'services');
        ctx.note(`${ctx.state.servicesHost}: written and read back`);
      },
      verify: (ctx) => assertHostInPlace(ctx, ctx.state.servicesHost!, 'services'),
    },
    {
      name: 'nomad-files',
      title: "Write each Nomad client's files",
      check: async (ctx) => {
        for (const name of ctx.state.nomadHosts) if (!(await hostInPlace(ctx, name, 'nomad'))) return false;
        ctx.note(ctx.state.nomadHosts.length ? 'every client already as planned' : 'no Nomad clients in the inventory');
        return true;
      },
      apply: async (ctx) => {
        for (const name of ctx.state.nomadHosts) {
          if (await hostInPlace(ctx, name, 'nomad')) continue;
          await writeHost(ctx, name, 'nomad');
        }
        ctx.note(`${ctx.state.nomadHosts.length} client(s) written and read back`);
      },
      verify: async (ctx) => {
        for (const name of ctx.state.nomadHosts) await assertHostInPlace(ctx, name, 'nomad');
      },
    },
    replicatedRestartStep<ApplyInput, ProxyApplyState>(),
    dockerRestartStep<ApplyInput, ProxyApplyState>((ctx) => settingsOf(ctx).http.url),
    {
      name: 'verify',
      title: 'Verify: fetch a URL from every host as its programs would',
      check: async (ctx) => {
        if (ctx.state.verifyUrl) return false;
        ctx.note('no URL to check: give one (the inventory has no GitHub Enterprise host to default to)');
        return true;
      },
      apply: async (ctx) => {
        const hosts = [ctx.state.servicesHost!, ...ctx.state.nomadHosts].map((n) => ctx.services.inventory.get(n));
        const directUrl = defaultVerifyUrl(proxyTopology(ctx.services.inventory)) ?? null;
        ctx.state.verification = await verifyFromHosts(ctx.services.pool, hosts, ctx.state.verifyUrl!, directUrl, ctx.signal);
        const failed = ctx.state.verification.filter((r) => !r.ok);
        ctx.note(
          failed.length
            ? `${failed.length} of ${hosts.length} host(s) could not fetch ${ctx.state.verifyUrl} as their files say: ${failed.map((r) => `${r.host}: ${r.message}`).join('; ')}`
            : `all ${hosts.length} host(s) fetched ${ctx.state.verifyUrl} as their files say`,
        );
      },
    },
    {
      name: 'check-files',
      title: "Check every host's files against the plan",
      apply: async (ctx) => {
        await adoptNewerReview(ctx);
        const off: string[] = [];
        for (const [name, role] of [[ctx.state.servicesHost!, 'services'] as const, ...ctx.state.nomadHosts.map((n) => [n, 'nomad'] as const)]) {
          const plan = await planHost(ctx, name, role);
          const reviewed = ctx.state.reviewed?.[name];
          for (const f of plan.files) {
            const expected = reviewed?.[f.path]?.after;
            if (plan.error || (reviewed && expected !== undefined ? f.beforeSha256 !== expected : f.changed)) off.push(`${name}:${f.path}`);
          }
        }
        if (off.length) {
          throw new DrydockError('CONFLICT', `${off.join(', ')} ${off.length > 1 ? 'do' : 'does'} not hold what the plan wrote (changed by someone since, or by another run); look at ${off.length > 1 ? 'them' : 'it'}, then apply again or roll back`, { paths: off });
        }
        ctx.note('every host holds the planned files');
      },
    },
  ],
  outcome: (result: Omit<ProxyApplyResult, 'runId' | 'resumed' | 'pendingRestarts'>) => {
    const failed = result.verification.filter((r) => !r.ok);
    return failed.length ? { ok: false, message: `${failed.map((r) => r.host).join(', ')} could not reach ${result.verifyUrl} through the proxy.` } : { ok: true };
  },
  describeChanges: async (ctx) => {
    const changed = await filesChangedSoFar(ctx.services, ctx.state.sets, ctx.signal);
    return changed && `${changed} To undo: roll back the proxy settings (drydock proxy rollback).`;
  },
  result: (state: ProxyApplyState): Omit<ProxyApplyResult, 'runId' | 'resumed' | 'pendingRestarts'> => {
    const changed = Object.entries(state.changes).flatMap(([host, paths]) => paths.map((path) => ({ host, path })));
    const restarted = { replicated: state.restartedReplicated, docker: state.restartedDocker };
    const parts = [
      changed.length ? `Wrote ${changed.length} file(s) on ${new Set(changed.map((c) => c.host)).size} host(s)` : 'Nothing changed: every host already had these proxy settings',
      restarted.replicated ? 'restarted Replicated' : '',
      restarted.docker.length ? `restarted Docker on ${restarted.docker.join(', ')}` : '',
      state.verification.length ? `${state.verification.filter((r) => r.ok).length} of ${state.verification.length} host(s) reached ${state.verifyUrl} as their files say` : '',
    ].filter(Boolean);
    return { changed, restarted, ...(state.verifyUrl ? { verifyUrl: state.verifyUrl } : {}), verification: state.verification, summary: parts.join('; ') + '.' };
  },
});
