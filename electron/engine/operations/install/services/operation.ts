/**
 * The Services machine's air-gapped install, headless, step by step as
 * admin-commands.md §1 does it by hand: the bundle files on the host,
 * Docker (from the bundle's .debs when missing), /etc/replicated.conf and
 * the settings file (read by Replicated on its first start, so written
 * before), `install.sh airgap …`, then the wait for the app to start.
 * Console mode stops after the installer: the admin uploads the license and
 * bundle at https://HOST:8800.
 *
 * Every step checks whether its effect is already in place, so a resumed
 * run never runs a finished step again (the installer in particular). The
 * console password and a proxy password never reach the runbook on disk.
 */
import type { ServicesInstallResult } from '../../../../../shared/channels/install-services';
import { ServicesInstallRunSchema } from '../../../../../shared/channels/install-services';
import { DrydockError } from '../../../../../shared/errors';
import { INSTALL_SETTINGS, REPLICATED_CONF, describeAppStatus, installerArgs, installerDialect } from '../../../../../shared/install/replicated';
import { newSetName, recordOf, type SetRecord } from '../../../files/change-set';
import { makeStaging, removeStaging } from '../../../files/remote-file';
import { defineOperation, type StepContext } from '../../operation';
import { cleanStaleStaging, filesChangedSoFar } from '../../proxy/file-safety';
import { hostFilesInPlace, planHostFiles, reviewedOf, writeHostFiles, type ReviewedFiles } from '../../proxy/host-files';
import { hostBundleFiles, pushIfMissing } from '../bundle-files';
import { dockerState, installDockerDebs } from '../docker';
import { alreadyInstalled, configuredProxy, installFileSpecs, planServicesInstall, readInstaller } from './plan';
import { waitForAppStarted } from './wait';
import { extractInstaller, followInstaller, installerLogTail, installerRun, INSTALLER_LOG, launchInstaller } from './installer';
import type { z } from 'zod';
import { readRemoteFile } from '../../../files/remote-file';

type Input = z.output<typeof ServicesInstallRunSchema>;

export interface ServicesInstallState {
  host?: string;
  hostname?: string;
  privateAddress?: string;
  bundle: { role: string; name: string; remote: string; sha256: string | null; local?: string }[];
  /** Files were pushed by this run (the push step then hashes them again on the host). */
  pushed?: boolean;
  reviewed?: ReviewedFiles;
  /** install.sh's arguments as reviewed, a proxy password masked (the run rebuilds the real ones from the host). */
  argsShown?: string[];
  installerScriptSha256?: string | null;
  set?: string;
  records?: Record<string, SetRecord>;
  dockerFromBundle: boolean;
  /** The run started install.sh (detached on the host): a resume follows or re-checks it, never starts a second one while it runs. */
  installerStarted?: boolean;
  installerRan: boolean;
  appStatus?: string;
}

type Ctx = StepContext<Input, ServicesInstallState>;

const session = (ctx: Ctx) => ctx.services.pool.session(ctx.state.host!, ctx.signal);
const mask = (args: string[]) => args.map((a) => a.replace(/^(http-proxy=[a-z]+:\/\/)[^@/]*@/i, '$1***@'));

/** The arguments as they will run: the reviewed installer's dialect, the proxy as the host's replicated.conf says now. */
async function currentArgs(ctx: Ctx): Promise<{ args: string[]; secrets: string[] }> {
  const s = await session(ctx);
  const installer = ctx.state.bundle.find((b) => b.role === 'installer')!;
  const text = await readInstaller(s, installer.remote, ctx.signal);
  const dialect = text ? installerDialect(text) : null;
  if (!dialect) throw new DrydockError('CONFLICT', `${s.host.name}: ${installer.remote} no longer holds an installer Drydock can read; nothing was run`);
  const proxy = await configuredProxy(s, (await readRemoteFile(s, REPLICATED_CONF)).content);
  const built = installerArgs(dialect, { privateAddress: ctx.state.privateAddress!, noDocker: true, ...(proxy ? { proxy } : {}) });
  if ('error' in built) throw new DrydockError('CONFLICT', `${s.host.name}: ${built.error}`);
  if (JSON.stringify(mask(built.args)) !== JSON.stringify(ctx.state.argsShown)) {
    throw new DrydockError('CONFLICT', `${s.host.name}: the installer would now run as install.sh ${mask(built.args).join(' ')}, not as reviewed (install.sh ${(ctx.state.argsShown ?? []).join(' ')}); plan again. Nothing was run.`);
  }
  return { args: built.args, secrets: proxy && /\/\/[^/]*@/.test(proxy.url) ? [proxy.url] : [] };
}

export const servicesInstall = defineOperation({
  name: 'install-services',
  title: 'Install the Services machine (Replicated, air-gapped)',
  input: ServicesInstallRunSchema,
  secretInput: [{ path: ['request', 'consolePassword'], label: 'admin console password', env: 'DRYDOCK_CONSOLE_PASSWORD' }],
  group: 'install-services',
  initialState: (): ServicesInstallState => ({ bundle: [], dockerFromBundle: false, installerRan: false }),
  steps: [
    {
      name: 'plan',
      title: 'Check the Services machine and the bundle files',
      check: async (ctx) => !!ctx.state.host,
      apply: async (ctx) => {
        if (!ctx.input.confirm) throw new DrydockError('CONFIRMATION_REQUIRED', 'The install was not confirmed: review what it installs and starts, then confirm');
        const plan = await planServicesInstall(ctx.services, ctx.input.request, ctx.signal);
        if (plan.view.blockers.length) throw new DrydockError('CONFLICT', plan.view.blockers.join('; '));
        if (ctx.input.planFingerprint && ctx.input.planFingerprint !== plan.view.fingerprint) {
          throw new DrydockError('CONFLICT', 'The Services machine or the files changed since you reviewed the plan: review the new plan, then install again. Nothing was changed.');
        }
        ctx.state.host = plan.host;
        ctx.state.hostname = plan.view.hostname;
        ctx.state.privateAddress = plan.view.privateAddress;
        ctx.state.bundle = plan.bundle.map((b) => ({ role: b.role, name: b.name, remote: b.remote, sha256: b.sha256, ...(b.local ? { local: b.local.local } : {}) }));
        ctx.state.reviewed = reviewedOf(plan.files);
        ctx.state.argsShown = plan.args ? mask(plan.args) : undefined;
        ctx.state.installerScriptSha256 = plan.installerScriptSha256;
        ctx.state.set = newSetName('install-services');
        ctx.note(`${plan.host}: ${plan.view.installs.length} things to do`);
      },
    },
    {
      name: 'push',
      title: 'Put the license, bundle and installer on the Services machine',
      check: async (ctx) => {
        const found = await hostBundleFiles(await session(ctx), ctx.state.bundle.map((b) => b.name), ctx.signal);
        const ok = found.every((f, i) => f.sha256 !== null && f.sha256 === ctx.state.bundle[i].sha256);
        if (ok) ctx.note(`all ${found.length} file(s) already on ${ctx.state.host} with matching SHA-256`);
        return ok;
      },
      apply: async (ctx) => {
        const s = await session(ctx);
        const found = await hostBundleFiles(s, ctx.state.bundle.map((b) => b.name), ctx.signal);
        for (const [i, b] of ctx.state.bundle.entries()) {
          if (found[i].sha256 === b.sha256) continue;
          if (!b.local || !b.sha256) throw new DrydockError('CONFLICT', `${s.host.name}: ${b.remote} changed since the plan and there is no laptop copy to push again`);
          ctx.note(`pushing ${b.name}`);
          await pushIfMissing(ctx.services, s, { local: b.local, name: b.name, sha256: b.sha256, bytes: 0 }, { signal: ctx.signal, onUpdate: (u) => ctx.transfer?.(u) });
        }
        ctx.state.pushed = true;
      },
      verify: async (ctx) => {
        // The check hashed every file on the host just now; only a push calls for hashing them again.
        if (!ctx.state.pushed) return;
        const found = await hostBundleFiles(await session(ctx), ctx.state.bundle.map((b) => b.name), ctx.signal);
        const off = found.filter((f, i) => f.sha256 !== ctx.state.bundle[i].sha256).map((f) => f.remote);
        if (off.length) throw new DrydockError('COMMAND_FAILED', `${ctx.state.host}: ${off.join(', ')} do not have the expected SHA-256`);
      },
    },
    {
      name: 'docker',
      title: "Install Docker from the bundle's .deb files (if missing)",
      check: async (ctx) => {
        const d = await dockerState(await session(ctx), ctx.signal);
        if (d.installed) ctx.note(ctx.state.dockerFromBundle ? `installed from the bundle (${d.version ?? 'daemon not answering'})` : `already installed (${d.version ?? 'daemon not answering'}): left as it is`);
        return d.installed;
      },
      apply: async (ctx) => {
        const s = await session(ctx);
        const debs = ctx.state.bundle.filter((b) => b.role === 'docker-deb').map((b) => b.remote);
        ctx.state.dockerFromBundle = true;
        ctx.checkpoint();
        const version = await installDockerDebs(s, debs, (stream, text) => ctx.output(s.host.name, stream, text), ctx.signal);
        ctx.note(`Docker ${version} installed from ${debs.length} .deb file(s)`);
      },
    },
    {
      name: 'files',
      title: `Write ${REPLICATED_CONF} and the settings file`,
      check: async (ctx) => {
        if (ctx.input.request.mode === 'console') {
          ctx.note('console mode: nothing to write, the license is uploaded in the console');
          return true;
        }
        const s = await session(ctx);
        const plan = await planHostFiles(s, fileSpecs(ctx));
        return hostFilesInPlace(s, plan, ctx.state.set);
      },
      apply: async (ctx) => {
        const s = await session(ctx);
        const plan = await planHostFiles(s, fileSpecs(ctx));
        await cleanStaleStaging(ctx.services.home, s, ctx.runId);
        const staging = await makeStaging(s, ctx.runId);
        try {
          const onManifest = (m: Parameters<typeof recordOf>[0]) => {
            (ctx.state.records ??= {})[s.host.name] = recordOf(m);
            ctx.checkpoint();
          };
          const written = await writeHostFiles(s, plan, ctx.state.set!, 'install-services', { staging, onManifest, ...(ctx.state.reviewed ? { reviewed: ctx.state.reviewed } : {}), secrets: secretsOf(ctx) });
          ctx.note(written.length ? `wrote ${written.join(', ')} (backup set ${ctx.state.set})` : 'already as planned');
        } finally {
          await removeStaging(s, staging);
        }
      },
      verify: async (ctx) => {
        if (ctx.input.request.mode === 'console') return;
        const plan = await planHostFiles(await session(ctx), fileSpecs(ctx));
        const off = plan.files.filter((f) => f.changed).map((f) => f.path);
        if (off.length) throw new DrydockError('COMMAND_FAILED', `${ctx.state.host}: ${off.join(', ')} do not hold the planned content after writing`);
      },
    },
    {
      name: 'install',
      title: 'Run the Replicated installer (install.sh airgap)',
      check: async (ctx) => {
        const s = await session(ctx);
        const run = await installerRun(s, ctx.signal);
        if (run.kind === 'finished' && run.code === 0 && ctx.state.installerStarted) {
          ctx.state.installerRan = true;
          ctx.note('the installer had finished: not run again');
          return true;
        }
        // Started by this run and still going, or stopped half way: apply follows it, or runs it again (the resume was confirmed).
        if (ctx.state.installerStarted) return false;
        const done = await alreadyInstalled(s, ctx.signal);
        if (done) ctx.note('Replicated is installed and running: the installer is not run again');
        return done;
      },
      apply: async (ctx) => {
        const s = await session(ctx);
        const out = (stream: 'stdout' | 'stderr', text: string) => ctx.output(s.host.name, stream, text);
        let run = await installerRun(s, ctx.signal);
        if (run.kind === 'running' && ctx.state.installerStarted) {
          ctx.note(`install.sh is still running (pid ${run.pid}): following it`);
        } else {
          const { args, secrets } = await currentArgs(ctx);
          const installer = ctx.state.bundle.find((b) => b.role === 'installer')!;
          if ((await extractInstaller(s, installer.remote, ctx.signal)) !== ctx.state.installerScriptSha256) {
            throw new DrydockError('CONFLICT', `${s.host.name}: the extracted install.sh is not the one the plan read; nothing was run. Push the installer again and plan again.`);
          }
          ctx.note(`install.sh ${mask(args).join(' ')}`);
          ctx.state.installerStarted = true;
          ctx.checkpoint();
          run = { kind: 'running', pid: await launchInstaller(s, args, secrets, ctx.signal) };
        }
        const code = await followInstaller(s, run.pid, out, ctx.signal);
        if (code !== 0) {
          throw new DrydockError('COMMAND_FAILED', `${s.host.name}: install.sh exited ${code}: ${await installerLogTail(s)} (whole log: ${INSTALLER_LOG} there, and /var/log/replicated)`, { host: s.host.name });
        }
        ctx.state.installerRan = true;
      },
      verify: async (ctx) => {
        if (!(await alreadyInstalled(await session(ctx), ctx.signal))) throw new DrydockError('COMMAND_FAILED', `${ctx.state.host}: the installer finished but Replicated is not running (systemctl status replicated there)`);
      },
    },
    {
      name: 'wait',
      title: 'Wait for the CircleCI app to report started',
      check: async (ctx) => {
        if (ctx.input.request.mode !== 'console') return false;
        ctx.note(`console mode: open https://${ctx.state.hostname}:8800 and upload the license and the bundle`);
        return true;
      },
      apply: async (ctx) => {
        const s = await session(ctx);
        const status = await waitForAppStarted(s, {
          timeoutMs: ctx.input.request.waitMinutes * 60_000,
          pollMs: ctx.input.request.pollSeconds * 1000,
          signal: ctx.signal,
          onStatus: (text) => {
            ctx.state.appStatus = text;
            ctx.note(text);
          },
        });
        ctx.state.appStatus = describeAppStatus(status);
      },
    },
  ],
  describeChanges: async (ctx) => {
    const parts: string[] = [];
    if (ctx.state.dockerFromBundle) parts.push(`Docker was installed from the bundle's .debs on ${ctx.state.host} (remove with dpkg --remove if you start over)`);
    if (ctx.state.set && ctx.state.host) {
      const files = await filesChangedSoFar(ctx.services, { [ctx.state.host]: ctx.state.set }, ctx.signal);
      if (files) parts.push(`${files} The originals are in /var/backups/drydock/${ctx.state.set}.`);
    }
    if (ctx.state.installerRan) parts.push(`the Replicated installer ran on ${ctx.state.host}`);
    else if (ctx.state.installerStarted) parts.push(`the Replicated installer was started on ${ctx.state.host} and may still be running (its log: ${INSTALLER_LOG})`);
    return parts.length ? `${parts.join('; ')}.` : null;
  },
  result: (state: ServicesInstallState, input: Input): Omit<ServicesInstallResult, 'runId'> => {
    const consoleUrl = `https://${state.hostname}:8800`;
    const license = state.bundle.find((b) => b.role === 'license');
    const bundle = state.bundle.find((b) => b.role === 'bundle');
    const upload = input.request.mode === 'console' ? [`the license ${license?.local ?? license?.remote} (from this computer)`, `the air-gap bundle: choose Airgapped and give the path ${bundle?.remote} on the Services machine`] : undefined;
    const summary =
      input.request.mode === 'console'
        ? `Replicated is installed on ${state.host}. Open ${consoleUrl} and upload ${upload!.join(', then ')}.`
        : `CircleCI Server is installed on ${state.host}: the app reports started. The admin console is at ${consoleUrl}.`;
    return { host: state.host!, mode: input.request.mode, installerRan: state.installerRan, dockerFromBundle: state.dockerFromBundle, ...(state.appStatus ? { appStatus: state.appStatus } : {}), consoleUrl, ...(upload ? { upload } : {}), summary };
  },
});

function fileSpecs(ctx: Ctx) {
  const license = ctx.state.bundle.find((b) => b.role === 'license')!;
  const bundle = ctx.state.bundle.find((b) => b.role === 'bundle')!;
  return installFileSpecs(ctx.input.request, ctx.state.hostname!, license.remote, bundle.remote);
}

function secretsOf(ctx: Ctx): string[] {
  return ctx.input.request.consolePassword ? [ctx.input.request.consolePassword] : [];
}

export { INSTALL_SETTINGS };
