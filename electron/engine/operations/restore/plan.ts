/**
 * The restore preview: which backup (its age is the recovery point), which
 * machine, every step and what it will do, the volume changes, the lines of
 * /etc/default/replicated* that will change, the Nomad clients to re-point,
 * the DNS / load balancer change, and what blocks the run. Reads only: the
 * provider's API, the inventory, and the clients' config files.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BackupView } from '../../../../shared/backup/catalog';
import type { BackupProfile } from '../../../../shared/backup/profile';
import type { RestoreMode, RestorePlan, RestorePlanRequest } from '../../../../shared/channels/restore';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import { knownHostsName } from '../../../../shared/hosts';
import type { Engine } from '../../engine';
import { lockAlive, readLock } from '../../runbook/recovery-lock';
import { KnownHosts } from '../../ssh/known-hosts';
import { readCatalog } from '../backup/catalog';
import { providerFor } from '../backup/factory';
import { BackupProfiles } from '../backup/profiles';
import { isUnsupported, type Disk, type Machine } from '../backup/provider';
import { clientBypassLines } from './steps-no-proxy';
import { NOMAD_CONFIG, repointNomadConfig } from './identity';
import { restoreOperation } from './operation';
import { spareHolds } from './spare-record';
import { CHAIN, FWD_CHAIN, RULES_FILE } from './drill-firewall/rules';
import type { RestoreInputT } from './types';

type Problem = RestorePlan['blocking'][number];

export function chooseProfile(engine: Engine, name?: string): BackupProfile {
  const profiles = new BackupProfiles(engine.home);
  if (name) return profiles.get(name);
  const all = profiles.list();
  if (all.length === 1) return all[0];
  if (!all.length) throw new DrydockError('NOT_FOUND', 'No backup profile: a restore uses the profile whose backups it restores (drydock backup profile set …)');
  throw new DrydockError('INVALID_INPUT', `There are ${all.length} backup profiles (${all.map((p) => p.name).join(', ')}): say which with --profile`);
}

function chooseBackup(backups: BackupView[], wanted?: string): BackupView | undefined {
  if (wanted) return backups.find((b) => b.id === wanted || b.snapshots.some((s) => s.id === wanted));
  return backups.find((b) => b.ours && b.state === 'completed');
}

const modeOf = (req: RestorePlanRequest): RestoreMode => req.mode ?? (req.drill ? 'drill' : 'restore');

function age(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min < 120 ? `${min} min` : min < 48 * 60 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}

export interface ResolvedPlan {
  plan: RestorePlan;
  /** The runbook input, when nothing blocks. */
  input?: Omit<RestoreInputT, 'planFingerprint' | 'createdBy'>;
}

export async function resolveRestore(engine: Engine, req: RestorePlanRequest, signal?: AbortSignal): Promise<ResolvedPlan> {
  const mode = modeOf(req);
  const profile = chooseProfile(engine, req.profile);
  const spareHost = engine.inventory.get(req.spare);
  const blocking: Problem[] = [];
  const warnings: string[] = [];
  if (spareHost.role !== 'spare') blocking.push({ code: 'spare-not-spare', message: `${spareHost.name} has role ${spareHost.role} in the inventory, not spare: Drydock restores only onto a host it knows as the hot spare` });
  const lock = readLock(engine.home);
  if (lock && lockAlive(lock)) blocking.push({ code: 'lock-held', message: `Another recovery run is going on: run ${lock.runId}, by ${lock.holder}, process ${lock.pid}` });
  const unfinished = engine.runner.store.list().find((r) => r.operation === restoreOperation.name && r.status !== 'done' && r.status !== 'aborted' && (r.input as RestoreInputT).spare?.host === spareHost.name);
  if (unfinished) blocking.push({ code: 'lock-held', message: `Run ${unfinished.id} on ${spareHost.name} is unfinished (${unfinished.status}): resume it (drydock runs resume ${unfinished.id}) or abort it (drydock restore abort --run ${unfinished.id}) first` });

  const provider = await providerFor(engine, profile, signal);
  // Read now, the provider is closed below: whether it can cut the spare off itself (drill, refresh-spare).
  const canIsolate = !!(provider.isolateNetwork && provider.releaseNetwork && provider.networkIsolated);
  let machine: Machine | undefined;
  let root: Disk | undefined;
  let backup: BackupView | undefined;
  let primary: Machine | undefined;
  let backups: BackupView[] = [];
  let isolationUnsupported: string | undefined;
  try {
    backups = await readCatalog(provider, profile, engine.runner.store, signal);
    backup = chooseBackup(backups, req.backup);
    if (!backup) blocking.push({ code: 'no-backup', message: req.backup ? `No backup ${req.backup} in profile ${profile.name}'s catalog` : `Profile ${profile.name} has no completed backup` });
    else if (backup.state !== 'completed') blocking.push({ code: 'backup-not-completed', message: `Backup ${backup.id} is ${backup.state}${backup.message ? ` (${backup.message})` : ''}: only a completed backup can be restored` });
    const ref = req.spareInstance ?? (profile.provider === 'aws' ? profile.spareInstance : profile.spareDomain) ?? spareHost.address;
    try {
      machine = await provider.findMachine(ref, { signal });
      root = (await provider.disks(machine, { signal })).find((d) => d.device === machine!.rootDevice);
    } catch (err) {
      blocking.push({ code: 'spare-not-found', message: `The spare's machine (${ref}) was not found through profile ${profile.name}: ${toErrorPayload(err).message}. Give it with --spare-instance.` });
    }
    // "Unsupported for this machine" is known before anything is touched: the preview says so, not the run.
    if (canIsolate && mode !== 'restore' && machine) {
      try {
        await provider.networkIsolated!(machine, { signal });
      } catch (err) {
        if (isUnsupported(err)) isolationUnsupported = toErrorPayload(err).message;
        else warnings.push(`Whether the spare is cut off could not be read (${toErrorPayload(err).message}); the run checks again before it boots`);
      }
    }
    // A failover onto a spare an earlier drill or refresh left cut off would bring production up with no egress.
    if (provider.isolationLeft && mode === 'restore' && machine) {
      try {
        if (await provider.isolationLeft(machine, { signal })) {
          blocking.push({ code: 'spare-still-isolated', message: `The spare ${machine.id} is still cut off by Drydock (its isolating security group / network filter from an earlier drill or refresh-spare): production would come up on it with no outbound network. If a drill or refresh-spare on it is unfinished, abort it (drydock restore abort --run <id>: the abort gives the network back); otherwise put the spare's own security groups back by hand (the isolating group's drydock:original-group-N tags name them) or take the drydock-isolate filter off its interfaces, then plan again.` });
        }
      } catch (err) {
        if (!isUnsupported(err)) warnings.push(`Whether the spare is still cut off by an earlier drill could not be read (${toErrorPayload(err).message})`);
      }
    }
    try {
      primary = await provider.findMachine(profile.provider === 'aws' ? profile.instance : profile.domain, { signal });
    } catch {
      warnings.push("The primary's machine is not found (that may be why you are restoring)");
    }
  } catch (err) {
    blocking.push({ code: 'provider', message: `${profile.provider} could not be asked: ${toErrorPayload(err).message}` });
  } finally {
    await provider.close();
  }
  if (machine && primary && machine.id === primary.id) blocking.push({ code: 'spare-not-spare', message: `${machine.id} is the primary itself (profile ${profile.name}'s instance): choose the spare` });
  if (machine && !root) blocking.push({ code: 'root-device-mismatch', message: `${machine.id} has no volume at its RootDeviceName ${machine.rootDevice}` });
  const snapshot = backup?.snapshots.find((s) => s.root) ?? backup?.snapshots[0];
  if (machine && snapshot?.device && snapshot.device !== machine.rootDevice) {
    blocking.push({ code: 'root-device-mismatch', message: `The backup's root was ${snapshot.device} on the primary, the spare boots from ${machine.rootDevice}: attach at another device is not safe` });
  }
  if (machine && !machine.zone) blocking.push({ code: 'zone-unknown', message: `The availability zone of ${machine.id} is unknown` });
  if (backup && backup.snapshots.length > 1) warnings.push(`Backup ${backup.id} also holds ${backup.snapshots.length - 1} data volume snapshot(s): only the root is restored; restore data volumes (e.g. /data/circle/storage-fileserver) the same way if the install keeps data there`);

  const isolation = isolationOf(mode, profile.provider, canIsolate && !isolationUnsupported, !!req.spareIsolated, isolationUnsupported);
  if (isolation.needed && !isolation.available && !isolation.acknowledged) {
    blocking.push({ code: 'spare-not-isolated', message: `${isolationUnsupported ? `The ${profile.provider} provider cannot cut this spare off (${isolationUnsupported.replace(/\.$/, '')})` : `The ${profile.provider} provider cannot cut the spare off`} before the restored disk boots, and production's app starts at boot with the spare's open egress (scheduled workflows, mail, GitHub). Cut the spare's outbound network at the hypervisor/cloud (only SSH reaches it), then confirm it: --spare-isolated (CLI) or the wizard's checkbox.` });
  }

  const servicesHost = engine.inventory.list().find((h) => h.role === 'services');
  const kh = new KnownHosts(path.join(engine.home, 'known_hosts'));
  const primaryKeys = servicesHost ? kh.lookup(knownHostsName(servicesHost.address, servicesHost.port)).map((k) => k.fingerprint) : [];
  const oldPrivate = backup?.privateAddress ?? servicesHost?.address;
  const sparePublic = machine?.publicAddress;

  const lineChanges: RestorePlan['lineChanges'] = [];
  const line = (file: string, key: string, old: string | undefined, nu: string | undefined, wrap = (a: string) => a) =>
    lineChanges.push({ host: spareHost.name, file, key, ...(old ? { old: wrap(old) } : {}), ...(nu ? { new: wrap(nu) } : {}), readAfterBoot: !old || !nu });
  line('/etc/default/replicated', 'PRIVATE_ADDRESS', backup?.privateAddress, spareHost.address);
  if (backup?.publicAddress || sparePublic) line('/etc/default/replicated', 'PUBLIC_ADDRESS', backup?.publicAddress, sparePublic);
  line('/etc/default/replicated-operator', 'DAEMON_ENDPOINT', backup?.privateAddress, spareHost.address, (a) => `[${a}]:9879`);
  line('/etc/default/replicated-operator', 'DAEMON_HOST', backup?.privateAddress, spareHost.address, (a) => `[${a}]`);
  line('/etc/default/replicated-operator', 'PRIVATE_ADDRESS', backup?.privateAddress, spareHost.address);

  const nomadClients: RestorePlan['nomadClients'] = [];
  const noProxy: RestorePlan['noProxy'] = [];
  const clients = mode === 'restore' ? engine.inventory.list().filter((h) => h.role === 'nomad') : [];
  for (const c of clients) {
    let from: string | undefined;
    try {
      const session = await engine.pool.session(c.name, signal);
      const text = (await session.readFile(NOMAD_CONFIG))?.toString('utf8');
      if (text) from = repointNomadConfig(text, spareHost.address).changes.map((x) => `${x.key} = ${x.old}`).join('; ') || 'already the spare';
      else warnings.push(`${c.name}: ${NOMAD_CONFIG} not found`);
      if (oldPrivate) for (const n of await clientBypassLines(session, oldPrivate)) noProxy.push({ host: c.name, ...n });
    } catch (err) {
      warnings.push(`${c.name}: its config could not be read (${toErrorPayload(err).message}); it is read again when the step runs`);
    }
    nomadClients.push({ host: c.name, address: c.address, file: NOMAD_CONFIG, ...(from ? { from } : {}), to: `servers = ["${spareHost.address}:4647"], statsd_address = "${spareHost.address}:8125"` });
  }

  // The spare is found through the profile, in the profile's region: no copy needed (a spare in
  // another region needs its own profile region; the copy step is there for it).
  const crossRegion = false;
  const now = Date.now();
  // A root restored by Drydock says which backup it holds (refresh-spare); only a finished, unused refresh skips the volume steps.
  const heldBy = spareHolds(root?.tags, profile.installationId, backup?.id);
  const held = heldBy.backup;
  const heldAt = held ? backups.find((b) => b.id === held)?.startedAt : undefined;
  // Never in a drill: a drill boots a fresh copy and puts the spare's own root back at the end. On the held disk
  // itself there would be no swap to undo, so the put-back would leave production's app running there, its
  // network given back when the drill's block and isolation are lifted.
  const holdsChosen = heldBy.usable && mode !== 'drill';
  if (held && !heldBy.usable) warnings.push(`The spare's root ${root?.id ?? ''} holds backup ${held}, which cannot be used as it is: ${heldBy.reasons.join('; ')}. The full restore runs.`);
  else if (held && !holdsChosen) warnings.push(`The spare's root ${root?.id ?? ''} holds backup ${held}: the drill restores a fresh copy and puts that root back afterwards, as it is.`);
  const titles = new Map(restoreOperation.steps.map((s) => [s.name, s]));
  const step = (name: string, detail: string, skipped = false, why?: string) => {
    const s = titles.get(name)!;
    return { name, title: s.title, detail, skipped, ...(why ? { why } : {}), ...(s.skip ? { skipConsequence: s.skip.consequence } : {}), undoable: !!s.undo };
  };
  const notRestore = mode !== 'restore';
  const drill = mode === 'drill';
  const appStopped = mode === 'refresh-spare';
  const steps = [
    step('copy-snapshot', `CopySnapshot ${snapshot?.id ?? '?'} into the spare's region`, !crossRegion, 'the spare is in the backup\'s region'),
    step('create-volume', `New volume from ${snapshot?.id ?? '?'} in ${machine?.zone ?? '?'} (wait available; blocks load lazily from the snapshot)`, holdsChosen, `the spare already holds backup ${held}`),
    step('stop-spare', `Stop ${machine?.id ?? '?'} (wait stopped)`, holdsChosen, `the spare already holds backup ${held}`),
    step('detach-root', `Detach ${root?.id ?? '?'} from ${machine?.rootDevice ?? '?'}, tag it drydock:kept-root-of=${machine?.id ?? '?'}; never deleted`, holdsChosen, `the spare already holds backup ${held}`),
    step('attach-root', `Attach the new volume at ${machine?.rootDevice ?? '?'}`, holdsChosen, `the spare already holds backup ${held}`),
    step('isolate-spare', isolation.how, !isolation.needed, 'a failover: the spare becomes production and keeps its network'),
    step('start-spare', `Start ${machine?.id ?? '?'} (wait running${profile.provider === 'aws' ? ' and both status checks ok' : ''})`),
    step('reconnect', "Accept only the primary's known key or a fingerprint cloud-init printed on the spare's console; anything else waits for your confirmation"),
    step('stop-app', 'replicatedctl app stop (the restored disk started the primary\'s app)'),
    step('fix-identity', `Addresses in /etc/default/replicated* (and /etc/sysconfig/* where present) from ${oldPrivate ?? 'the old address'} to ${spareHost.address}, through the file-change engine (backed up, diffed)`),
    step('reset-nomad', 'rm -rf /opt/nomad'),
    step('drill-block-write', `${RULES_FILE.v4} and ${RULES_FILE.v6} on the spare (chains ${CHAIN} for OUTPUT, ${FWD_CHAIN} for DOCKER-USER), through the file-change engine`, !drill, 'only in a DR drill'),
    step('drill-block-load', `iptables-restore / ip6tables-restore, hooks first in OUTPUT and DOCKER-USER; checked rule for rule (iptables -S) before the app starts: everything outbound refused but SSH, loopback, the Docker bridges and ${spareHost.address}`, !drill, 'only in a DR drill'),
    step('no-proxy', `NO_PROXY / nonProxyHosts elements naming ${oldPrivate ?? 'the old address'} replaced by ${spareHost.address} in the spare's /etc/circle-installation-customizations (read by the Replicated restart of the next step) and the clients' /etc/environment and Docker drop-in, through the proxy feature's file engine (backed up; an abort puts them back); the clients' Docker restart is left to you`, notRestore, `${mode} re-points nothing`),
    step('start-app', 'systemctl restart replicated…; replicatedctl app start; wait started', appStopped, 'refresh-spare leaves the app stopped'),
    step('verify-app', 'replicatedctl app status inspect clean, containers up (docker ps), frontend /health-check 200', appStopped, 'refresh-spare leaves the app stopped'),
    step('repoint-nomad', `${clients.map((c) => c.name).join(', ') || 'no Nomad client in the inventory'}: servers and statsd_address to ${spareHost.address}, restart nomad, wait ready on the spare`, notRestore, `${mode} re-points nothing`),
    step('switch-traffic', 'Check from this computer that the hostname resolves to the spare; otherwise the exact DNS / load balancer change is left to you', notRestore, `${mode} re-points nothing`),
    step('drill-block-remove', `Take out ${CHAIN} and ${FWD_CHAIN} and put the rules files back as they were (before the spare leaves the restored disk they live on)`, !drill, 'only in a DR drill'),
    step('drill-put-back', `Stop ${machine?.id ?? '?'}, detach the restored disk (kept for inspection), re-attach ${root?.id ?? '?'} at ${machine?.rootDevice ?? '?'}${machine?.running ? ', start it' : ''}; its own host key trusted again`, !drill, 'only in a DR drill'),
    step('release-spare-network', isolation.available ? `Put back ${machine?.id ?? 'the spare'}'s own security groups / network filter, as isolate-spare recorded them${drill ? ' (after it is back on its own root)' : ' (after the app was stopped and its identity fixed)'}` : "Left to you: give the spare its outbound network back where you cut it", !isolation.needed, 'a failover isolates nothing'),
  ];
  const volumes: RestorePlan['volumes'] = [
    { action: 'create', subject: 'new', detail: `from ${snapshot?.id ?? '?'} in ${machine?.zone ?? '?'}` },
    { action: 'detach-keep', subject: root?.id ?? '?', detail: `the spare's current root: detached, tagged drydock:kept-root-of=${machine?.id ?? '?'}, never deleted; an abort re-attaches it` },
    { action: 'attach-root', subject: 'new', detail: `at ${machine?.rootDevice ?? '?'}` },
    ...(drill ? [{ action: 'detach-keep' as const, subject: 'new', detail: `after the drill: detached and kept for inspection; ${root?.id ?? '?'} goes back at ${machine?.rootDevice ?? '?'}` }] : []),
  ];
  const targets = [spareHost.address, ...(sparePublic ? [sparePublic] : [])];
  const traffic = {
    ...(oldPrivate ? { from: oldPrivate } : {}),
    to: targets.join(' / '),
    instructions: notRestore
      ? [`${mode}: nothing is re-pointed`]
      : [`Change the DNS A record of the CircleCI hostname from ${backup?.publicAddress ?? oldPrivate ?? 'the old address'} to ${targets.join(' or ')}, or set the load balancer's target to instance ${machine?.id ?? '?'}`, 'If the hostname changes, update the GitHub OAuth application\'s callback URL'],
  };
  const preview: Omit<RestorePlan, 'fingerprint'> = {
    mode,
    profile: profile.name,
    provider: profile.provider,
    backup: backup && snapshot
      ? { id: backup.id, snapshotId: snapshot.id, state: backup.state, startedAt: backup.startedAt, ageMs: now - Date.parse(backup.startedAt), recoveryPoint: `${age(now - Date.parse(backup.startedAt))} ago (${backup.startedAt})`, ...(backup.machine ? { sourceMachine: backup.machine } : {}), ...(backup.privateAddress ? { privateAddress: backup.privateAddress } : {}), ...(backup.publicAddress ? { publicAddress: backup.publicAddress } : {}), sizeGiB: snapshot.sizeGiB }
      : null,
    spare: { host: spareHost.name, address: spareHost.address, machineId: machine?.id ?? '', state: machine?.state ?? 'unknown', ...(machine?.zone ? { zone: machine.zone } : {}), ...(profile.provider === 'aws' ? { region: profile.region } : {}), rootDevice: machine?.rootDevice ?? '', ...(root ? { rootDisk: root.id } : {}), ...(held ? { holds: { backup: held, ageMs: heldAt ? now - Date.parse(heldAt) : 0 } } : {}) },
    primary: { ...(servicesHost ? { host: servicesHost.name, address: servicesHost.address } : {}) },
    steps,
    volumes,
    lineChanges,
    nomadClients,
    noProxy,
    traffic,
    isolation,
    blocking,
    warnings,
  };
  const input: ResolvedPlan['input'] =
    blocking.length || !machine || !root || !backup || !snapshot
      ? undefined
      : {
          mode,
          profileData: profile,
          spare: { host: spareHost.name, address: spareHost.address, machineId: machine.id, zone: machine.zone!, ...(profile.provider === 'aws' ? { region: profile.region } : {}), rootDevice: machine.rootDevice, originalRoot: root.id, wasRunning: machine.running, keys: kh.lookup(knownHostsName(spareHost.address, spareHost.port)).map((k) => ({ keyType: k.keyType, key: k.key })), ...(holdsChosen ? { holds: held } : {}) },
          backup: { id: backup.id, snapshotId: snapshot.id, startedAt: backup.startedAt, ...(profile.provider === 'aws' ? { region: profile.region } : {}), ...(backup.privateAddress ? { privateAddress: backup.privateAddress } : {}), ...(backup.publicAddress ? { publicAddress: backup.publicAddress } : {}) },
          primary: { ...(servicesHost ? { host: servicesHost.name, address: servicesHost.address } : {}), fingerprints: primaryKeys },
          nomadClients: clients.map((c) => c.name),
          ...(isolation.needed && req.spareIsolated ? { spareIsolated: true } : {}),
          ...(process.env.DRYDOCK_HEALTH_ENDPOINT_HOST ? { endpointHost: process.env.DRYDOCK_HEALTH_ENDPOINT_HOST } : {}),
        };
  // Everything the run acts on, so a run whose world moved on since the review is refused: the whole runbook
  // input (the primary's and the spare's keys, what the spare's root holds, the backup's recorded addresses,
  // wasRunning, the roots, the clients, the mode, the endpoint, the spare's isolation or the admin's word for it)
  // each client's current servers lines, the clients' proxy files the no-proxy step rewrites, and how the spare is
  // reached (its SSH port and jump host).
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([mode, profile.name, snapshot?.id, machine?.id, machine?.rootDevice, root?.id, spareHost.address, held ?? null, isolation, input ?? null, nomadClients.map((c) => [c.host, c.address, c.from ?? null]), noProxy, spareHost.port, spareHost.jump ?? null]))
    .digest('hex');
  const plan: RestorePlan = { ...preview, fingerprint };
  return input ? { plan, input } : { plan };
}

/** How the spare is kept from reaching out while it boots production's disk, as the preview says it. */
function isolationOf(mode: RestoreMode, provider: string, available: boolean, acknowledged: boolean, unsupported?: string): RestorePlan['isolation'] {
  const cannot = unsupported ? `The ${provider} provider cannot isolate this spare (${unsupported.replace(/\.$/, '')})` : `The ${provider} provider cannot isolate the spare`;
  const needed = mode !== 'restore';
  const how = !needed
    ? 'Not in a failover: the spare becomes production and keeps its network'
    : available
      ? provider === 'aws'
        ? "Before it boots: the spare's security groups replaced by one of its own (tagged drydock:isolates=<instance>, in its VPC) with no egress and only the tcp/22 rules of its groups in; checked through EC2; put back at the end or by an abort"
        : 'Before it boots: a network filter on the spare that drops every outbound connection but the replies to SSH; checked through the provider; taken off at the end or by an abort'
      : acknowledged
        ? `${cannot}: you confirmed you cut its outbound network at the hypervisor/cloud (only SSH reaches it); recorded in the run and the report`
        : `${cannot}: blocked until you cut its outbound network yourself and confirm it`;
  return { needed, available, acknowledged, how };
}

export async function planRestore(engine: Engine, req: RestorePlanRequest, signal?: AbortSignal): Promise<RestorePlan> {
  return (await resolveRestore(engine, req, signal)).plan;
}

