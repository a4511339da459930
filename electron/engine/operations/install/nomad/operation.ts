/**
 * Nomad clients provisioned as CircleCI's provisioning script does it
 * (admin-commands.md §2), every client through each step before the next:
 * Docker from the bundle, daemon.json with userns-remap, config.hcl and the
 * unit (all through the file-change engine, backed up), the nomad binary,
 * Docker restarted where daemon.json changed, the ci-privileged network,
 * nomad started; done when every node is `ready` in the Services machine's
 * `nomad node-status`. State records what each client has had done, so a
 * resume repeats nothing that finished.
 */
import type { NomadInstallResult } from '../../../../../shared/channels/install-services';
import { NomadInstallRunSchema } from '../../../../../shared/channels/install-services';
import { DrydockError } from '../../../../../shared/errors';
import { DAEMON_JSON } from '../../../../../shared/install/nomad';
import { newSetName, recordOf, type SetRecord } from '../../../files/change-set';
import { makeStaging, removeStaging } from '../../../files/remote-file';
import { defineOperation, type StepContext } from '../../operation';
import { cleanStaleStaging, filesChangedSoFar } from '../../proxy/file-safety';
import { hostFilesInPlace, planHostFiles, reviewedOf, writeHostFiles, type ReviewedFiles } from '../../proxy/host-files';
import { restartDocker } from '../../proxy/restarts';
import { hostBundleFiles, pushIfMissing } from '../bundle-files';
import { dockerState, installDockerDebs } from '../docker';
import { sleep } from '../../../sleep';
import { binarySha256, clientFileSpecs, createNetwork, installBinary, networkExists, unitActive } from './client-files';
import { nodeList } from './cluster';
import { needsStart, planNomadInstall } from './plan';
import type { z } from 'zod';

type Input = z.output<typeof NomadInstallRunSchema>;

export interface ClientState {
  advertise: string;
  hostname: string;
  bundle: { role: string; name: string; remote: string; sha256: string | null; local?: string }[];
  reviewed: ReviewedFiles;
  set: string;
  dockerFromBundle: boolean;
  /** daemon.json changed while Docker was running: Docker owes a restart. */
  dockerRestartOwed: boolean;
  dockerRestarted: boolean;
  started: boolean;
  nodeId?: string;
  status?: string;
}

export interface NomadInstallState {
  servicesHost?: string;
  servicesAddress?: string;
  order: string[];
  clients: Record<string, ClientState>;
  records?: Record<string, SetRecord>;
}

type Ctx = StepContext<Input, NomadInstallState>;

const each = (ctx: Ctx) => ctx.state.order.map((h) => [h, ctx.state.clients[h]] as const);
const session = (ctx: Ctx, host: string) => ctx.services.pool.session(host, ctx.signal);

async function filesOf(ctx: Ctx, host: string) {
  const c = ctx.state.clients[host];
  return planHostFiles(await session(ctx, host), clientFileSpecs(c.advertise, ctx.state.servicesAddress!));
}

export const nomadInstall = defineOperation({
  name: 'install-nomad',
  title: 'Provision Nomad clients',
  input: NomadInstallRunSchema,
  group: 'install-nomad',
  initialState: (): NomadInstallState => ({ order: [], clients: {} }),
  steps: [
    {
      name: 'plan',
      title: 'Check every client and the Nomad server',
      check: async (ctx) => !!ctx.state.servicesHost,
      apply: async (ctx) => {
        if (!ctx.input.confirm) throw new DrydockError('CONFIRMATION_REQUIRED', 'Provisioning was not confirmed: review what it installs and restarts, then confirm');
        const plan = await planNomadInstall(ctx.services, ctx.input.request, ctx.signal);
        if (plan.view.blockers.length) throw new DrydockError('CONFLICT', plan.view.blockers.join('; '));
        if (ctx.input.planFingerprint && ctx.input.planFingerprint !== plan.view.fingerprint) {
          throw new DrydockError('CONFLICT', 'A client or the Services machine changed since you reviewed the plan: review the new plan, then provision again. Nothing was changed.');
        }
        ctx.state.servicesHost = plan.servicesHost;
        ctx.state.servicesAddress = plan.servicesAddress;
        ctx.state.order = plan.clients.map((c) => c.view.host);
        for (const c of plan.clients) {
          ctx.state.clients[c.view.host] = {
            advertise: c.view.advertise,
            hostname: c.hostname,
            bundle: c.bundle.map((b) => ({ role: b.role, name: b.name, remote: b.remote, sha256: b.sha256, ...(b.local ? { local: b.local.local } : {}) })),
            reviewed: reviewedOf(c.files),
            set: newSetName('install-nomad'),
            dockerFromBundle: false,
            dockerRestartOwed: false,
            dockerRestarted: false,
            // Nothing to change and the agent runs: it is not restarted.
            started: !needsStart(c.view),
          };
        }
        ctx.note(`${plan.clients.length} client(s), Nomad server at ${plan.servicesAddress}:4647`);
      },
    },
    {
      name: 'push',
      title: 'Put the nomad binary (and Docker .debs) on each client',
      check: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          const found = await hostBundleFiles(await session(ctx, host), c.bundle.map((b) => b.name), ctx.signal);
          if (found.some((f, i) => f.sha256 === null || f.sha256 !== c.bundle[i].sha256)) return false;
        }
        return true;
      },
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          const s = await session(ctx, host);
          const found = await hostBundleFiles(s, c.bundle.map((b) => b.name), ctx.signal);
          for (const [i, b] of c.bundle.entries()) {
            if (found[i].sha256 === b.sha256) continue;
            if (!b.local || !b.sha256) throw new DrydockError('CONFLICT', `${host}: ${b.remote} changed since the plan and there is no laptop copy to push again`);
            await pushIfMissing(ctx.services, s, { local: b.local, name: b.name, sha256: b.sha256, bytes: 0 }, { signal: ctx.signal, onUpdate: (u) => ctx.transfer?.(u) });
          }
        }
      },
    },
    {
      name: 'docker',
      title: "Install Docker from the bundle's .deb files where missing",
      check: async (ctx) => {
        for (const [host] of each(ctx)) if (!(await dockerState(await session(ctx, host), ctx.signal)).installed) return false;
        ctx.note('Docker is installed on every client');
        return true;
      },
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          const s = await session(ctx, host);
          if ((await dockerState(s, ctx.signal)).installed) continue;
          c.dockerFromBundle = true;
          ctx.checkpoint();
          const version = await installDockerDebs(s, c.bundle.filter((b) => b.role === 'docker-deb').map((b) => b.remote), (stream, text) => ctx.output(host, stream, text), ctx.signal);
          ctx.note(`${host}: Docker ${version} installed`);
        }
      },
    },
    {
      name: 'files',
      title: 'Write daemon.json, config.hcl and the nomad unit on each client',
      check: async (ctx) => {
        for (const [host, c] of each(ctx)) if (!(await hostFilesInPlace(await session(ctx, host), await filesOf(ctx, host), c.set))) return false;
        return true;
      },
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          const s = await session(ctx, host);
          const plan = await filesOf(ctx, host);
          if (await hostFilesInPlace(s, plan, c.set)) continue;
          // Recorded before the write: a kill right after it must still restart Docker.
          if (plan.files.some((f) => f.path === DAEMON_JSON && f.changed) && !c.dockerFromBundle) c.dockerRestartOwed = true;
          ctx.checkpoint();
          await cleanStaleStaging(ctx.services.home, s, ctx.runId);
          const staging = await makeStaging(s, ctx.runId);
          try {
            const onManifest = (m: Parameters<typeof recordOf>[0]) => {
              (ctx.state.records ??= {})[host] = recordOf(m);
              ctx.checkpoint();
            };
            const written = await writeHostFiles(s, plan, c.set, 'install-nomad', { staging, onManifest, reviewed: c.reviewed });
            ctx.note(`${host}: wrote ${written.join(', ') || 'nothing new'}`);
          } finally {
            await removeStaging(s, staging);
          }
        }
      },
    },
    {
      name: 'binary',
      title: 'Install the nomad binary',
      check: async (ctx) => {
        for (const [host, c] of each(ctx)) if ((await binarySha256(await session(ctx, host), ctx.signal)) !== c.bundle.find((b) => b.role === 'nomad')!.sha256) return false;
        return true;
      },
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          const s = await session(ctx, host);
          const b = c.bundle.find((x) => x.role === 'nomad')!;
          if ((await binarySha256(s, ctx.signal)) === b.sha256) continue;
          await installBinary(s, b.remote, b.sha256!, ctx.signal);
        }
      },
    },
    {
      name: 'restart-docker',
      title: 'Restart Docker where daemon.json changed (userns-remap)',
      check: async (ctx) => {
        const owed = each(ctx).filter(([, c]) => c.dockerRestartOwed && !c.dockerRestarted);
        if (!owed.length) ctx.note('not needed');
        return !owed.length;
      },
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          if (!c.dockerRestartOwed || c.dockerRestarted) continue;
          await restartDocker(await session(ctx, host), ctx.signal);
          c.dockerRestarted = true;
          ctx.checkpoint();
        }
      },
    },
    {
      name: 'network',
      title: 'Create the ci-privileged Docker network',
      check: async (ctx) => {
        for (const [host] of each(ctx)) if (!(await networkExists(await session(ctx, host), ctx.signal))) return false;
        return true;
      },
      apply: async (ctx) => {
        for (const [host] of each(ctx)) {
          const s = await session(ctx, host);
          if (!(await networkExists(s, ctx.signal))) await createNetwork(s, ctx.signal);
        }
      },
    },
    {
      name: 'start',
      title: 'Enable and start nomad',
      check: async (ctx) => each(ctx).every(([, c]) => c.started),
      apply: async (ctx) => {
        for (const [host, c] of each(ctx)) {
          if (c.started) continue;
          const s = await session(ctx, host);
          await s.check('systemctl daemon-reload', { asRoot: true, signal: ctx.signal });
          await s.check('systemctl enable nomad', { asRoot: true, signal: ctx.signal });
          await s.check('systemctl restart nomad', { asRoot: true, signal: ctx.signal });
          c.started = true;
          ctx.checkpoint();
        }
      },
      verify: async (ctx) => {
        for (const [host] of each(ctx)) if (!(await unitActive(await session(ctx, host), 'nomad', ctx.signal))) throw new DrydockError('COMMAND_FAILED', `${host}: nomad is not running after the start (systemctl status nomad there)`);
      },
    },
    {
      name: 'ready',
      title: 'Wait for every node to be ready in nomad node-status',
      apply: async (ctx) => {
        const server = await session(ctx, ctx.state.servicesHost!);
        const deadline = Date.now() + ctx.input.request.waitMinutes * 60_000;
        for (;;) {
          const nodes = await nodeList(server, { signal: ctx.signal }).catch(() => []);
          for (const [, c] of each(ctx)) {
            const node = nodes.find((n) => n.name === c.hostname);
            c.nodeId = node?.id;
            c.status = node?.status ?? 'not registered';
          }
          const waiting = each(ctx).filter(([, c]) => c.status !== 'ready');
          ctx.note(each(ctx).map(([h, c]) => `${h}: ${c.status}`).join(', '));
          if (!waiting.length) return;
          if (Date.now() + ctx.input.request.pollSeconds * 1000 > deadline) {
            throw new DrydockError('TIMEOUT', `Not ready in nomad node-status on ${ctx.state.servicesHost} after ${ctx.input.request.waitMinutes} min: ${waiting.map(([h, c]) => `${h} (${c.status})`).join(', ')}. Check that the clients reach ${ctx.state.servicesAddress}:4647 and look at journalctl -u nomad there; then resume this run.`);
          }
          await sleep(ctx.input.request.pollSeconds * 1000, ctx.signal);
        }
      },
    },
  ],
  describeChanges: async (ctx) => {
    const parts: string[] = [];
    const docker = each(ctx).filter(([, c]) => c.dockerFromBundle).map(([h]) => h);
    if (docker.length) parts.push(`Docker installed from the bundle on ${docker.join(', ')}`);
    const files = await filesChangedSoFar(ctx.services, Object.fromEntries(each(ctx).map(([h, c]) => [h, c.set])), ctx.signal);
    if (files) parts.push(files);
    const started = each(ctx).filter(([, c]) => c.started).map(([h]) => h);
    if (started.length) parts.push(`nomad started on ${started.join(', ')}`);
    return parts.length ? `${parts.join('; ')}.` : null;
  },
  result: (state: NomadInstallState): Omit<NomadInstallResult, 'runId'> => {
    const clients = state.order.map((host) => {
      const c = state.clients[host];
      return { host, ...(c.nodeId ? { nodeId: c.nodeId } : {}), status: c.status ?? 'unknown', dockerFromBundle: c.dockerFromBundle, dockerRestarted: c.dockerRestarted };
    });
    return { clients, summary: `${clients.filter((c) => c.status === 'ready').length} of ${clients.length} Nomad client(s) ready in nomad node-status on ${state.servicesHost}.` };
  },
});
