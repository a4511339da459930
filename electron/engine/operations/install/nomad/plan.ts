/**
 * Provisioning planned for every Nomad client at once, changing nothing:
 * Docker, the bundle files (nomad binary, .debs), the three files diffed,
 * the binary, network and agent, and the node as the Nomad server on the
 * Services machine lists it now.
 */
import { createHash } from 'node:crypto';
import type { BundleFile, NomadClientPlan, NomadInstallPlan, NomadInstallRequest } from '../../../../../shared/channels/install-services';
import { DrydockError } from '../../../../../shared/errors';
import type { NomadNode } from '../../../../../shared/install/nomad';
import type { EngineServices } from '../../operation';
import { fileChangeView, planFingerprint, planHostFiles, type HostFilesPlan } from '../../proxy/host-files';
import { hashLocal, hostBundleFiles, listBundleFolder, type LocalFile } from '../bundle-files';
import { dockerState } from '../docker';
import type { BundleRef } from '../services/plan';
import { advertiseAddress, binarySha256, clientFileSpecs, networkExists, unitActive } from './client-files';
import { nodeList, nodeName, nomadServer } from './cluster';

export interface ClientDetail {
  view: NomadClientPlan;
  files: HostFilesPlan;
  bundle: BundleRef[];
  hostname: string;
}

export interface NomadPlanDetail {
  view: NomadInstallPlan;
  servicesHost: string;
  servicesAddress: string;
  clients: ClientDetail[];
}

export function nomadClientNames(services: EngineServices, hosts?: string[]): string[] {
  if (hosts?.length) {
    for (const h of hosts) {
      const role = services.inventory.get(h).role;
      if (role !== 'nomad') throw new DrydockError('INVALID_INPUT', `${h} is not a Nomad client in the inventory (its role is ${role})`);
    }
    return hosts;
  }
  const all = services.inventory.list().filter((h) => h.role === 'nomad').map((h) => h.name);
  if (!all.length) throw new DrydockError('NOT_FOUND', 'No Nomad clients in the inventory: add them first (drydock hosts add NAME --address … --role nomad)');
  return all;
}

async function planClient(services: EngineServices, name: string, request: NomadInstallRequest, servicesAddress: string, nodes: NomadNode[] | null, signal?: AbortSignal): Promise<ClientDetail> {
  const session = await services.pool.session(name, signal);
  const blockers: string[] = [];
  const docker = await dockerState(session, signal);
  const bundle: BundleRef[] = [];
  const locals: { role: BundleRef['role']; file: LocalFile }[] = [];
  if (request.nomadBinary) locals.push({ role: 'nomad', file: await hashLocal(request.nomadBinary, signal) });
  if (!docker.installed) for (const d of request.dockerDebs ?? []) locals.push({ role: 'docker-deb', file: await hashLocal(d, signal) });
  const found = await hostBundleFiles(session, locals.map((l) => l.file.name), signal);
  locals.forEach((l, i) => bundle.push({ role: l.role, name: l.file.name, remote: found[i].remote, local: l.file, sha256: l.file.sha256, onHost: found[i].sha256 === l.file.sha256 }));
  if (!request.nomadBinary) {
    const [f] = await hostBundleFiles(session, ['nomad'], signal);
    if (f.sha256) bundle.push({ role: 'nomad', name: 'nomad', remote: f.remote, sha256: f.sha256, onHost: true });
    else blockers.push(`${name}: no nomad binary in the bundle folder: give it (--nomad FILE) or push it (drydock bundle push --file nomad --to ${name})`);
  }
  if (!docker.installed && !request.dockerDebs?.length) {
    const debs = await hostBundleFiles(session, await listBundleFolder(session, '*.deb', signal), signal);
    for (const f of debs) bundle.push({ role: 'docker-deb', name: f.name, remote: f.remote, sha256: f.sha256, onHost: true });
    if (!debs.length) blockers.push(`${name}: Docker is not installed and no Docker .deb files were given (--docker-deb) or found in the bundle folder`);
  }
  const advertise = await advertiseAddress(session, signal);
  const files = await planHostFiles(session, clientFileSpecs(advertise, servicesAddress));
  if (files.error) blockers.push(files.error);
  const binary = bundle.find((b) => b.role === 'nomad');
  const installedSha = await binarySha256(session, signal);
  const hostname = await nodeName(session, signal);
  const node = nodes?.find((n) => n.name === hostname);
  const view: NomadClientPlan = {
    host: name,
    advertise,
    docker: { installed: docker.installed, ...(docker.version ? { version: docker.version } : {}) },
    files: bundle.map((b): BundleFile => ({ role: b.role, host: name, ...(b.local ? { local: b.local.local } : {}), remote: b.remote, sha256: b.sha256, onHost: b.onHost })),
    fileChanges: files.files.map((f) => fileChangeView(f, [])),
    binaryInstalled: !!binary && installedSha === binary.sha256,
    networkExists: docker.installed ? await networkExists(session, signal) : false,
    nomadRunning: await unitActive(session, 'nomad', signal),
    ...(node ? { node: { id: node.id, status: node.status, drain: node.drain } } : {}),
    blockers,
  };
  return { view, files, bundle, hostname };
}

/** A client whose agent already runs the planned files and binary is left running. */
export function needsStart(v: NomadClientPlan): boolean {
  return !v.nomadRunning || !v.binaryInstalled || !v.docker.installed || v.fileChanges.some((f) => f.action !== 'unchanged');
}

/** What provisioning does on one client, for the confirmation. */
function clientInstalls(c: ClientDetail): string[] {
  const v = c.view;
  const out = v.files.filter((f) => !f.onHost).map((f) => `push ${f.remote.split('/').pop()} to ${v.host}`);
  if (!v.docker.installed) out.push(`install Docker on ${v.host} from the bundle's .debs`);
  const changed = v.fileChanges.filter((f) => f.action !== 'unchanged').map((f) => f.path);
  if (changed.length) out.push(`write ${changed.join(', ')} on ${v.host} (backed up)`);
  if (v.docker.installed && changed.includes('/etc/docker/daemon.json')) out.push(`restart Docker on ${v.host} (userns-remap; running containers there stop)`);
  if (!v.binaryInstalled) out.push(`install /usr/bin/nomad on ${v.host}`);
  if (!v.networkExists) out.push(`create the ci-privileged Docker network on ${v.host}`);
  if (needsStart(v)) out.push(`${v.nomadRunning ? 'restart' : 'enable and start'} nomad on ${v.host}`);
  return out;
}

export async function planNomadInstall(services: EngineServices, request: NomadInstallRequest, signal?: AbortSignal): Promise<NomadPlanDetail> {
  const names = nomadClientNames(services, request.hosts);
  const server = await nomadServer(services, signal);
  const blockers: string[] = [];
  const warnings: string[] = [];
  if (!server.address) blockers.push(`The Services machine's private address is not known (no PRIVATE_ADDRESS in /etc/default/replicated, and the inventory names it by a DNS name): install the Services machine first`);
  const address = server.address ?? '0.0.0.0';
  let nodes: NomadNode[] | null = null;
  try {
    nodes = await nodeList(await services.pool.session(server.host, signal), { signal });
  } catch (err) {
    warnings.push(`The Nomad server's node list could not be read (${(err as Error).message}); the run checks again at the end`);
  }
  // Every client at once: they are independent machines.
  const clients = await Promise.all(names.map((n) => planClient(services, n, request, address, nodes, signal)));
  for (const c of clients) blockers.push(...c.view.blockers);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([planFingerprint(clients.map((c) => c.files)), address, clients.map((c) => [c.view.host, c.bundle.map((b) => [b.role, b.name, b.sha256]), c.view.docker.installed, c.view.advertise])]))
    .digest('hex');
  return {
    view: { servicesHost: server.host, servicesAddress: address, clients: clients.map((c) => c.view), installs: clients.flatMap(clientInstalls), blockers, warnings, fingerprint },
    servicesHost: server.host,
    servicesAddress: address,
    clients,
  };
}
