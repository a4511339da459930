/**
 * Cutting a libvirt domain (the spare) off the network before a restored
 * disk boots, and putting it back: the nwfilter `drydock-isolate`
 * (isolate-xml.ts) on every interface of the domain's persistent definition.
 *
 * - Isolating is done while the domain is shut off (the restore runs it
 *   after stop-spare, before start-spare): the filter is then part of the
 *   boot. A running domain that is not already isolated is refused rather
 *   than changed live: it has already started with open egress, so
 *   isolating it now would not be what the step promises, and cutting a
 *   running machine's network is not in the plan the admin approved.
 * - What each interface had (its filterref, or none) is recorded in the
 *   domain's own <metadata> before anything changes, so a run resumed after
 *   a crash finds the same record, never mistaking Drydock's filter for the
 *   interface's own.
 * - Releasing happens on the running spare (after Drydock's own firewall is
 *   loaded in the guest): the persistent definition and the live domain get
 *   back exactly the filterref each interface had; an interface someone
 *   changed since is a conflict, and nothing is changed.
 * - Interfaces nwfilter cannot see (anything but a tap on a Linux bridge:
 *   macvtap, PCI passthrough, vhost-user, user-mode, Open vSwitch…) are
 *   refused with UNSUPPORTED before anything changes, so the plan falls back
 *   to the admin isolating the spare another way.
 */
import { randomBytes } from 'node:crypto';
import { DrydockError } from '../../../../../shared/errors';
import type { CommandResult } from '../../../ssh/exec';
import { quote, sh } from '../../../ssh/quote';
import type { NetworkIsolation } from '../provider';
import type { DomainAccess } from './domain-disk';
import {
  attributes,
  checkRecord,
  filterMatches,
  filterUuid,
  filterXml,
  ISOLATE_FILTER,
  ISOLATE_FILTERREF,
  ISOLATION_METADATA_KEY,
  ISOLATION_METADATA_URI,
  nicsOf,
  parseRecord,
  passthroughDevices,
  recordXml,
  sameXml,
  withFilterref,
  type Nic,
  type NicRecord,
} from './isolate-xml';

export interface IsolationAccess extends DomainAccess {
  /** The hypervisor's name in the inventory, and libvirt's URI there. */
  host: string;
  uri: string;
  signal?: AbortSignal;
}

/** virsh without insisting on exit 0 (an absent filter or record is an answer, not a failure). */
const tryVirsh = (a: IsolationAccess, args: string): Promise<CommandResult> => a.session.sudo(`virsh -q -c ${quote(a.uri)} ${args}`, { signal: a.signal });

const where = (a: IsolationAccess) => `${a.domain} on ${a.host}`;

async function state(a: IsolationAccess): Promise<{ running: boolean; word: string }> {
  const word = (await a.virsh(`domstate ${quote(a.domain)}`)).trim();
  return { running: word !== 'shut off' && word !== 'crashed', word };
}

const config = async (a: IsolationAccess) => a.virsh(`dumpxml --inactive ${quote(a.domain)}`);
const live = async (a: IsolationAccess) => a.virsh(`dumpxml ${quote(a.domain)}`);

/** Why nwfilter cannot hold this domain, one line per device; empty when it can. */
async function unsupported(a: IsolationAccess, domainXml: string): Promise<string[]> {
  const why: string[] = passthroughDevices(domainXml).map((d) => `a passed-through device (${d}) may be a network card, which no filter on the hypervisor sees`);
  for (const nic of nicsOf(domainXml)) {
    const name = `interface ${nic.mac || '(no MAC)'} (type='${nic.type}')`;
    if (nic.openvswitch) why.push(`${name} is an Open vSwitch port: nwfilter's ebtables/iptables rules do not see its traffic`);
    else if (nic.type === 'network' && nic.network) {
      const reason = await networkUnsupported(a, nic.network);
      if (reason) why.push(`${name} is on network ${nic.network}, ${reason}`);
    } else if (nic.type !== 'bridge') why.push(`${name}: nwfilter applies only to tap devices on a Linux bridge (type='bridge' or a bridged/NAT libvirt network)`);
  }
  return why;
}

async function networkUnsupported(a: IsolationAccess, network: string): Promise<string | null> {
  const r = await tryVirsh(a, `net-dumpxml ${quote(network)}`);
  if (r.code !== 0) return `which libvirt cannot describe (${r.stderr.trim().slice(0, 200)})`;
  const forward = attributes(/<forward\b[^>]*>/.exec(r.stdout)?.[0] ?? '');
  const mode = forward.mode ?? 'none';
  if (/<virtualport\b[^>]*openvswitch/.test(r.stdout)) return 'an Open vSwitch network, whose traffic nwfilter does not see';
  if (['none', 'nat', 'route', 'open'].includes(mode)) return null;
  if (mode === 'bridge' && /<bridge\b[^>]*\bname=/.test(r.stdout) && !/<forward\b[\s\S]*?<interface\b/.test(r.stdout)) return null;
  return `whose forward mode '${mode}' hands the guest a device nwfilter does not see (macvtap or passthrough)`;
}

async function readRecord(a: IsolationAccess): Promise<NicRecord[] | null> {
  const r = await tryVirsh(a, `metadata ${quote(a.domain)} --uri ${quote(ISOLATION_METADATA_URI)} --config`);
  if (r.code !== 0) {
    if (/metadata not found|not present/i.test(r.stderr)) return null;
    throw new DrydockError('COMMAND_FAILED', `${where(a)}: reading Drydock's isolation record failed: ${r.stderr.trim()}`);
  }
  return parseRecord(r.stdout, where(a));
}

const writeRecord = (a: IsolationAccess, nics: NicRecord[]) =>
  a.virsh(`metadata ${quote(a.domain)} --uri ${quote(ISOLATION_METADATA_URI)} --key ${ISOLATION_METADATA_KEY} --set ${quote(recordXml(nics))} --config`);

/** One interface element through a root-only file in Drydock's checked store (virsh takes devices as files). */
async function updateDevice(a: IsolationAccess, xml: string, flag: '--config' | '--live'): Promise<void> {
  const file = `${a.storeDir}/isolate-${randomBytes(6).toString('hex')}.xml`;
  await a.session.check(sh`umask 077; printf %s ${Buffer.from(xml).toString('base64')} | base64 -d > ${file}`, { asRoot: true, signal: a.signal });
  try {
    await a.virsh(`update-device ${quote(a.domain)} ${quote(file)} ${flag}`);
  } finally {
    await a.session.check(sh`rm -f -- ${file}`, { asRoot: true });
  }
}

/** Define the filter, or put Drydock's rules back in one that differs; nothing when it is already right. */
async function ensureFilter(a: IsolationAccess): Promise<void> {
  const list = await tryVirsh(a, 'nwfilter-list');
  if (list.code !== 0) {
    throw new DrydockError('UNSUPPORTED', `${a.host} (${a.uri}) has no network filter driver (${list.stderr.trim().slice(0, 200)}): Drydock isolates a libvirt spare with nwfilter, which needs the system daemon (qemu:///system) and its nwfilter driver (Debian: in libvirt-daemon; RHEL: libvirt-daemon-driver-nwfilter). Isolate the spare another way and acknowledge it in the plan.`);
  }
  const current = await tryVirsh(a, `nwfilter-dumpxml ${ISOLATE_FILTER}`);
  if (current.code === 0 && filterMatches(current.stdout)) return;
  const xml = filterXml(current.code === 0 ? filterUuid(current.stdout) : undefined);
  const file = `${a.storeDir}/isolate-filter-${randomBytes(6).toString('hex')}.xml`;
  await a.session.check(sh`umask 077; printf %s ${Buffer.from(xml).toString('base64')} | base64 -d > ${file}`, { asRoot: true, signal: a.signal });
  try {
    await a.virsh(`nwfilter-define ${quote(file)}`);
  } finally {
    await a.session.check(sh`rm -f -- ${file}`, { asRoot: true });
  }
  if (!filterMatches(await a.virsh(`nwfilter-dumpxml ${ISOLATE_FILTER}`))) throw new DrydockError('COMMAND_FAILED', `${a.host}: nwfilter ${ISOLATE_FILTER} does not hold Drydock's rules after nwfilter-define`);
}

async function filterIsDrydocks(a: IsolationAccess): Promise<boolean> {
  const r = await tryVirsh(a, `nwfilter-dumpxml ${ISOLATE_FILTER}`);
  return r.code === 0 && filterMatches(r.stdout);
}

const allIsolated = (nics: Nic[]) => nics.every((n) => n.filter === ISOLATE_FILTER);

function isolation(a: IsolationAccess, nics: NicRecord[]): NetworkIsolation {
  const changed = nics.filter((n) => n.previous === null || !sameXml(n.previous, ISOLATE_FILTERREF)).length;
  const summary =
    nics.length === 0
      ? `${where(a)} has no network interface: nothing to isolate`
      : `nwfilter ${ISOLATE_FILTER} on ${nics.length} interface(s) of ${where(a)} (${changed} changed): SSH in (tcp 22) and its replies, ARP and DHCP; everything else dropped`;
  return { provider: 'libvirt', summary, detail: { hypervisor: a.host, domain: a.domain, filter: ISOLATE_FILTER, interfaces: nics } };
}

export async function isolateDomain(a: IsolationAccess): Promise<NetworkIsolation> {
  const { running, word } = await state(a);
  const xml = await config(a);
  const why = await unsupported(a, xml);
  if (why.length) throw new DrydockError('UNSUPPORTED', `${where(a)} cannot be cut off by Drydock: ${why.join('; ')}. Isolate the spare another way and acknowledge it in the plan; nothing was changed.`, { domain: a.domain, hypervisor: a.host, reasons: why });
  const nics = nicsOf(xml);
  // The record first: what each interface had, found again by a resumed run; interfaces added since are recorded too.
  const recorded = (await readRecord(a)) ?? [];
  const record = [...recorded, ...nics.filter((n) => !recorded.some((r) => r.mac === n.mac)).map((n) => ({ mac: n.mac, type: n.type, previous: n.filterref }))];
  if (running) {
    if (allIsolated(nics) && allIsolated(nicsOf(await live(a))) && (await filterIsDrydocks(a)) && record.length === recorded.length) return isolation(a, record);
    throw new DrydockError('CONFLICT', `${where(a)} is ${word}: Drydock isolates the spare while it is shut off, so the restored disk boots isolated; a running spare has already had open egress, and cutting its network now is not in the plan. Stop it (or let the restore stop it) and run this step again; nothing was changed.`);
  }
  if (nics.length === 0) return isolation(a, []);
  await ensureFilter(a);
  if (record.length !== recorded.length) await writeRecord(a, record);
  for (const nic of nics) if (nic.filter !== ISOLATE_FILTER) await updateDevice(a, withFilterref(nic.xml, ISOLATE_FILTERREF), '--config');
  const after = nicsOf(await config(a));
  if (!allIsolated(after) || after.length !== nics.length) throw new DrydockError('COMMAND_FAILED', `${where(a)}: not every interface carries ${ISOLATE_FILTER} after the change; check with virsh dumpxml --inactive ${a.domain}`);
  return isolation(a, record);
}

/** The record as the restore kept it, checked: it names this domain and holds only what Drydock writes. */
function givenRecord(a: IsolationAccess, given: NetworkIsolation): NicRecord[] {
  const d = given.detail;
  if (given.provider !== 'libvirt' || d.domain !== a.domain || d.hypervisor !== a.host || !Array.isArray(d.interfaces)) {
    throw new DrydockError('INVALID_INPUT', `That isolation record is not for ${where(a)} (${given.provider}: ${String(d.domain)} on ${String(d.hypervisor)}); nothing was changed`);
  }
  return (d.interfaces as Record<string, unknown>[]).map((n) => checkRecord(n ?? {}, where(a)));
}

/** What to change in one view (persistent or live) to put each interface back; conflicts when someone changed it since. */
function plan(nics: Nic[], record: NicRecord[], view: string): { change: { nic: Nic; to: string | null }[]; conflicts: string[] } {
  const change: { nic: Nic; to: string | null }[] = [];
  const conflicts: string[] = [];
  for (const r of record) {
    const nic = nics.find((n) => n.mac === r.mac);
    if (!nic || sameXml(nic.filterref, r.previous)) continue; // gone since, or already as it was
    if (nic.filter === ISOLATE_FILTER) change.push({ nic, to: r.previous });
    else conflicts.push(`${view} interface ${r.mac} now has ${nic.filterref ?? 'no filter'}, neither Drydock's nor its own before (${r.previous ?? 'none'})`);
  }
  return { change, conflicts };
}

export async function releaseDomain(a: IsolationAccess, given: NetworkIsolation): Promise<void> {
  const fromRun = givenRecord(a, given);
  const onHost = await readRecord(a);
  // The hypervisor's record wins for interfaces it knows (it was written before any change); the run's covers the rest.
  const record = [...(onHost ?? []), ...fromRun.filter((r) => !onHost?.some((h) => h.mac === r.mac))];
  const { running } = await state(a);
  const persistent = plan(nicsOf(await config(a)), record, 'the persistent definition’s');
  const running_ = running ? plan(nicsOf(await live(a)), record, 'the running domain’s') : { change: [], conflicts: [] };
  const conflicts = [...persistent.conflicts, ...running_.conflicts];
  if (conflicts.length) throw new DrydockError('CONFLICT', `${where(a)}: ${conflicts.join('; ')}. Nothing was changed; put the filters back by hand (virsh edit ${a.domain}) or decide which stays.`);
  for (const c of persistent.change) await updateDevice(a, withFilterref(c.nic.xml, c.to), '--config');
  for (const c of running_.change) await updateDevice(a, withFilterref(c.nic.xml, c.to), '--live');
  if (onHost) await a.virsh(`metadata ${quote(a.domain)} --uri ${quote(ISOLATION_METADATA_URI)} --remove --config`);
  const left = [...nicsOf(await config(a)), ...(running ? nicsOf(await live(a)) : [])].filter((n) => record.some((r) => r.mac === n.mac && !sameXml(n.filterref, r.previous)));
  if (left.length) throw new DrydockError('COMMAND_FAILED', `${where(a)}: interface(s) ${left.map((n) => n.mac).join(', ')} still differ from before the isolation after the change`);
}

/** Some interface (persistent or, when running, live) carries Drydock's filter: an isolation Drydock made and did not take off. */
export async function domainIsolationLeft(a: IsolationAccess): Promise<boolean> {
  if (nicsOf(await config(a)).some((n) => n.filter === ISOLATE_FILTER)) return true;
  return (await state(a)).running && nicsOf(await live(a)).some((n) => n.filter === ISOLATE_FILTER);
}

/** True when the domain cannot reach out now: every interface (persistent and, when running, live) under Drydock's filter as Drydock defines it. */
export async function domainIsolated(a: IsolationAccess): Promise<boolean> {
  const xml = await config(a);
  if ((await unsupported(a, xml)).length) return false;
  const nics = nicsOf(xml);
  if (nics.length === 0) return true;
  if (!allIsolated(nics) || !(await filterIsDrydocks(a))) return false;
  return !(await state(a)).running || allIsolated(nicsOf(await live(a)));
}
