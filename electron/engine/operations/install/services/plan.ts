/**
 * The Services machine's install, planned without changing anything: the
 * laptop files hashed and looked for on the host, Docker, the installer's
 * own usage text read from the tarball (`tar -xzO`), the proxy the proxy
 * feature configured, and /etc/replicated.conf and the settings file
 * rendered and diffed through the file-change engine.
 */
import { readTarMember } from '../../support/tar-read';
import { createHash } from 'node:crypto';
import type { ServicesInstallPlan, ServicesInstallRequest, BundleFile } from '../../../../../shared/channels/install-services';
import { DrydockError } from '../../../../../shared/errors';
import { isIpAddress } from '../../../../../shared/hosts';
import { readVariable } from '../../../../../shared/proxy/env-file';
import { parseProxyUrl, maskedUrl } from '../../../../../shared/proxy/proxy-url';
import { CUSTOMIZATIONS } from '../../../../../shared/proxy/render';
import {
  INSTALL_SETTINGS,
  LDAP_WARNING,
  REPLICATED_CONF,
  ReplicatedConfError,
  installerArgs,
  installerDialect,
  parseReplicatedConf,
  renderInstallReplicatedConf,
  renderInstallSettings,
} from '../../../../../shared/install/replicated';
import { readRemoteFile } from '../../../files/remote-file';
import { sh } from '../../../ssh/quote';
import type { HostSession } from '../../../ssh/session';
import type { EngineServices } from '../../operation';
import { fileChangeView, planFingerprint, planHostFiles, type FileSpec, type HostFilesPlan } from '../../proxy/host-files';
import { proxyTopology } from '../../proxy/topology';
import { hashLocal, hostBundleFiles, listBundleFolder, type LocalFile } from '../bundle-files';
import { dockerState, type DockerState } from '../docker';

export interface BundleRef {
  role: BundleFile['role'];
  name: string;
  remote: string;
  local?: LocalFile;
  /** The hash the file must have on the host (the laptop copy's, or the host's own when there is no laptop copy). */
  sha256: string | null;
  onHost: boolean;
}

export interface ServicesPlanDetail {
  view: ServicesInstallPlan;
  host: string;
  files: HostFilesPlan;
  bundle: BundleRef[];
  docker: DockerState;
  /** SHA-256 of install.sh as read from the tarball (the run checks the extracted one against it). */
  installerScriptSha256: string | null;
  args: string[] | null;
  secrets: string[];
}

/** /etc/replicated.conf and the settings file, rendered from the request (the console password included). */
export function installFileSpecs(request: ServicesInstallRequest, hostname: string, licenseRemote: string, bundleRemote: string): FileSpec[] {
  return [
    // It holds the console password: root's alone.
    {
      path: REPLICATED_CONF,
      mode: 0o600,
      render: (current) =>
        renderInstallReplicatedConf(current, { licensePath: licenseRemote, airgapPath: bundleRemote, settingsPath: INSTALL_SETTINGS, hostname, consolePassword: request.consolePassword!, ...(request.tls ? { tls: request.tls } : {}) }),
    },
    { path: INSTALL_SETTINGS, mode: 0o600, render: () => renderInstallSettings({ hostname, ldap: request.ldap }) },
  ];
}

export function servicesHostName(services: EngineServices, request: ServicesInstallRequest): string {
  if (request.host) {
    const h = services.inventory.get(request.host);
    if (h.role !== 'services') throw new DrydockError('INVALID_INPUT', `${h.name} is not the Services machine in the inventory (its role is ${h.role})`);
    return h.name;
  }
  return proxyTopology(services.inventory).services.name;
}

async function bundleRefs(session: HostSession, request: ServicesInstallRequest, needDocker: boolean, signal?: AbortSignal): Promise<{ refs: BundleRef[]; blockers: string[] }> {
  const blockers: string[] = [];
  const wanted: { role: BundleRef['role']; local: LocalFile }[] = [
    { role: 'license', local: await hashLocal(request.license, signal) },
    { role: 'bundle', local: await hashLocal(request.bundle, signal) },
  ];
  if (request.installer) wanted.push({ role: 'installer', local: await hashLocal(request.installer, signal) });
  if (needDocker) for (const deb of request.dockerDebs ?? []) wanted.push({ role: 'docker-deb', local: await hashLocal(deb, signal) });
  const found = await hostBundleFiles(session, wanted.map((w) => w.local.name), signal);
  const refs: BundleRef[] = wanted.map((w, i) => ({ role: w.role, name: w.local.name, remote: found[i].remote, local: w.local, sha256: w.local.sha256, onHost: found[i].sha256 === w.local.sha256 }));
  // No laptop copy given: what the host's bundle folder holds is used as it is.
  const fromHost = async (role: BundleRef['role'], pattern: string, many: boolean) => {
    const names = await listBundleFolder(session, pattern, signal);
    if (!many && names.length !== 1) {
      blockers.push(names.length ? `${session.host.name}: the bundle folder holds ${names.length} installers (${names.join(', ')}); name one with --installer` : `${session.host.name}: no replicated.tar.gz in the bundle folder: give the installer (--installer replicated.tar.gz)`);
      return;
    }
    for (const f of await hostBundleFiles(session, names, signal)) refs.push({ role, name: f.name, remote: f.remote, sha256: f.sha256, onHost: true });
  };
  if (!request.installer) await fromHost('installer', 'replicated*.tar.gz', false);
  if (needDocker && !request.dockerDebs?.length) await fromHost('docker-deb', '*.deb', true);
  if (needDocker && !refs.some((r) => r.role === 'docker-deb')) blockers.push(`${session.host.name}: Docker is not installed and no Docker .deb files were given (--docker-deb) or found in the bundle folder`);
  return { refs, blockers };
}

/** install.sh's text from the tarball on the host, without extracting anything. */
async function readInstaller(session: HostSession, tarball: string, signal?: AbortSignal): Promise<string | null> {
  const r = await session.sudo(sh`tar -xzOf ${tarball} ./install.sh 2>/dev/null || tar -xzOf ${tarball} install.sh`, { signal, timeoutMs: 10 * 60_000 });
  return r.code === 0 && r.stdout.length ? r.stdout : null;
}

/** The proxy the proxy feature wrote: HttpProxy in replicated.conf, NO_PROXY in the installation customizations. */
async function configuredProxy(session: HostSession, conf: string | null): Promise<{ url: string; noProxy: string[] } | null> {
  let url: unknown;
  try {
    url = parseReplicatedConf(conf).HttpProxy;
  } catch {
    return null;
  }
  if (typeof url !== 'string' || !url) return null;
  const custom = (await readRemoteFile(session, CUSTOMIZATIONS)).content;
  const noProxy = (readVariable(custom, 'NO_PROXY') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { url, noProxy };
}

async function alreadyInstalled(session: HostSession, signal?: AbortSignal): Promise<boolean> {
  const r = await session.sudo('{ [ -f /etc/default/replicated ] || [ -f /etc/sysconfig/replicated ]; } && { if command -v systemctl >/dev/null 2>&1; then systemctl is-active replicated; else service replicated status; fi; } >/dev/null 2>&1', { signal });
  return r.code === 0;
}

export { alreadyInstalled, configuredProxy, readInstaller };

export async function planServicesInstall(services: EngineServices, request: ServicesInstallRequest, signal?: AbortSignal): Promise<ServicesPlanDetail> {
  const host = servicesHostName(services, request);
  const inv = services.inventory.get(host);
  const session = await services.pool.session(host, signal);
  const blockers: string[] = [];
  const warnings: string[] = [];
  const docker = await dockerState(session, signal);
  const { refs, blockers: missing } = await bundleRefs(session, request, !docker.installed, signal);
  blockers.push(...missing);
  const privateAddress = request.privateAddress ?? (isIpAddress(inv.address) ? inv.address : '');
  if (!privateAddress) blockers.push(`Give the Services machine's private address (the inventory names it ${inv.address}, not an IP): the Nomad clients reach the Nomad server there`);
  const hostname = request.hostname ?? inv.address;

  const installer = refs.find((r) => r.role === 'installer');
  let args: string[] | null = null;
  let scriptSha: string | null = null;
  if (installer?.onHost || installer?.local) {
    // Not on the host yet: the laptop copy is the very file the push will send (its hash is checked on arrival).
    const text = installer.onHost
      ? await readInstaller(session, installer.remote, signal)
      : ((await readTarMember(installer.local!.local, ['install.sh']).catch(() => null))?.toString('utf8') ?? null);
    if (!text) blockers.push(`${host}: ${installer.onHost ? installer.remote : installer.local!.local} holds no install.sh (is it Replicated's replicated.tar.gz?)`);
    else {
      scriptSha = createHash('sha256').update(text).digest('hex');
      const dialect = installerDialect(text);
      if (!dialect) blockers.push(`${host}: the installer's usage names neither private-address= nor local-address=; Drydock cannot tell how to give it the private address`);
      else if (privateAddress) {
        const conf = (await readRemoteFile(session, REPLICATED_CONF)).content;
        const proxy = await configuredProxy(session, conf).catch(() => null);
        const built = installerArgs(dialect, { privateAddress, noDocker: true, ...(proxy ? { proxy } : {}) });
        if ('error' in built) blockers.push(`${host}: ${built.error}`);
        else args = built.args;
      }
    }
  }

  const secrets = request.consolePassword ? [request.consolePassword] : [];
  const conf = (await readRemoteFile(session, REPLICATED_CONF)).content;
  const proxy = await configuredProxy(session, conf).catch(() => null);
  const license = refs.find((r) => r.role === 'license')!;
  const bundle = refs.find((r) => r.role === 'bundle')!;
  let files: HostFilesPlan = { host, files: [] };
  if (request.mode === 'headless') {
    try {
      parseReplicatedConf(conf);
      files = await planHostFiles(session, installFileSpecs(request, hostname, license.remote, bundle.remote));
      if (files.error) blockers.push(files.error);
    } catch (err) {
      if (err instanceof ReplicatedConfError) blockers.push(`${host}: ${err.message}`);
      else throw err;
    }
  }
  if (request.tls) {
    for (const p of [request.tls.cert, request.tls.key]) {
      const f = await readRemoteFile(session, p).catch((err: Error) => ({ exists: false, error: err.message }));
      if (!f.exists) blockers.push(`${host}: ${p} (TLS bootstrap) is not there${'error' in f ? `: ${f.error}` : ''}`);
    }
  }
  const installed = await alreadyInstalled(session, signal);
  if (installed) blockers.push(`${host}: Replicated is already installed and running there; Drydock installs only on a fresh Services machine (LDAP, for one, cannot be added to an existing installation). An install Drydock started and that stopped is finished from Runbooks (drydock runs list, drydock runs resume ID)`);

  const installs = [
    ...refs.filter((r) => !r.onHost).map((r) => `push ${r.name} to ${host}:${r.remote}`),
    ...(docker.installed ? [] : [`install Docker on ${host} from ${refs.filter((r) => r.role === 'docker-deb').map((r) => r.name).join(', ') || 'the bundle\'s .debs'} (dpkg), then enable and start it`]),
    ...(request.mode === 'headless' ? [`write ${REPLICATED_CONF} and ${INSTALL_SETTINGS} (backed up)`] : []),
    `run the Replicated installer on ${host}: install.sh ${args ? args.join(' ') : 'airgap …'} — it installs and starts Replicated (replicated, replicated-ui, replicated-operator) and its containers`,
    request.mode === 'headless' ? `wait up to ${request.waitMinutes} min for the CircleCI app to report started` : `then stop: you open https://${hostname}:8800 and upload the license and the bundle`,
  ];
  const shown: BundleFile[] = refs.map((r) => ({ role: r.role, host, ...(r.local ? { local: r.local.local } : {}), remote: r.remote, sha256: r.sha256, onHost: r.onHost }));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([planFingerprint([files]), refs.map((r) => [r.role, r.name, r.sha256]), docker.installed, args, scriptSha, request.mode, request.ldap, hostname]))
    .digest('hex');
  const view: ServicesInstallPlan = {
    host,
    hostname,
    privateAddress,
    mode: request.mode,
    files: shown,
    fileChanges: files.files.map((f) => fileChangeView(f, secrets)),
    docker: { installed: docker.installed, ...(docker.version ? { version: docker.version } : {}), fromBundle: !docker.installed },
    installerArgs: args ? args.map((a) => (proxy && a.startsWith('http-proxy=') ? `http-proxy=${maskProxy(proxy.url)}` : a)) : null,
    proxy: proxy ? { url: maskProxy(proxy.url), noProxy: proxy.noProxy } : null,
    ldap: request.ldap,
    ldapWarning: LDAP_WARNING,
    alreadyInstalled: installed,
    installs,
    blockers,
    warnings,
    fingerprint,
  };
  return { view, host, files, bundle: refs, docker, installerScriptSha256: scriptSha, args, secrets: [...secrets, ...(proxy && /\/\/[^/]*@/.test(proxy.url) ? [proxy.url] : [])] };
}

function maskProxy(url: string): string {
  const p = parseProxyUrl(url);
  return p.ok ? maskedUrl(p.value) : url.replace(/\/\/[^@/]*@/, '//***@');
}
