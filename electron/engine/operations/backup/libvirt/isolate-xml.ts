/**
 * What Drydock's network isolation of a libvirt domain is made of, as XML
 * (pure: no host is touched here):
 *
 * - the nwfilter `drydock-isolate`: SSH in (tcp 22) and its replies, ARP and
 *   DHCP; everything else dropped, both ways. Two layers, each complete on
 *   its own: ebtables (layer 2, stateless; holds even on a hypervisor whose
 *   bridge does not pass frames to iptables, `bridge-nf-call-iptables` 0)
 *   and iptables (stateful: only replies leave from port 22, never a new
 *   connection). IPv6 is dropped entirely: Drydock reaches the spare at its
 *   inventory address over IPv4;
 * - the domain's `<interface>` elements, each given `<filterref filter='drydock-isolate'/>`
 *   in place of whatever filterref it had (recorded, put back on release).
 *
 * Libvirt's own `clean-traffic` is not referenced: it ships separately
 * (Debian's libvirt-daemon-config-nwfilter) and may be absent, a domain whose
 * filter references a missing filter does not start, and it lets all IPv4
 * out, which is what this must stop.
 */
import { DrydockError } from '../../../../../shared/errors';

export const ISOLATE_FILTER = 'drydock-isolate';
/** The namespace of Drydock's record in the domain's <metadata> (what isolation changed, found again by a resumed run). */
export const ISOLATION_METADATA_URI = 'urn:drydock:network-isolation:1';
export const ISOLATION_METADATA_KEY = 'drydock';

interface Rule {
  action: 'accept' | 'drop';
  /** The guest's view: in = to the guest, out = from the guest. */
  direction: 'in' | 'out' | 'inout';
  priority: number;
  protocol: string;
  attrs: Record<string, string>;
}

const L2 = -900;
const RULES: Rule[] = [
  // ARP, both ways: the guest answers who-has for its own address and finds the SSH client's next hop; it carries no data.
  { action: 'accept', direction: 'inout', priority: L2, protocol: 'arp', attrs: {} },
  { action: 'accept', direction: 'in', priority: L2, protocol: 'ip', attrs: { protocol: 'tcp', dstportstart: '22' } },
  { action: 'accept', direction: 'out', priority: L2, protocol: 'ip', attrs: { protocol: 'tcp', srcportstart: '22' } },
  // DHCP: a spare that gets its address by DHCP (libvirt's NAT network, most bridged LANs) keeps it, so SSH still finds it.
  { action: 'accept', direction: 'out', priority: L2, protocol: 'ip', attrs: { protocol: 'udp', srcportstart: '68', dstportstart: '67' } },
  { action: 'accept', direction: 'in', priority: L2, protocol: 'ip', attrs: { protocol: 'udp', srcportstart: '67', dstportstart: '68' } },
  // Any other frame (other IPv4, all IPv6, any other ethertype) stops here.
  { action: 'drop', direction: 'inout', priority: -800, protocol: 'mac', attrs: {} },
  // The stateful layer: port 22 answers only connections made to it.
  { action: 'accept', direction: 'in', priority: 100, protocol: 'tcp', attrs: { dstportstart: '22', state: 'NEW,ESTABLISHED' } },
  { action: 'accept', direction: 'out', priority: 100, protocol: 'tcp', attrs: { srcportstart: '22', state: 'ESTABLISHED' } },
  { action: 'accept', direction: 'out', priority: 100, protocol: 'udp', attrs: { srcportstart: '68', dstportstart: '67' } },
  { action: 'accept', direction: 'in', priority: 100, protocol: 'udp', attrs: { srcportstart: '67', dstportstart: '68' } },
  { action: 'drop', direction: 'inout', priority: 1000, protocol: 'all', attrs: {} },
  { action: 'drop', direction: 'inout', priority: 1000, protocol: 'all-ipv6', attrs: {} },
];

const attrText = (attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => ` ${k}='${v}'`)
    .join('');

/** The filter's definition; an existing filter is redefined under its own UUID (libvirt refuses the name under another). */
export function filterXml(uuid?: string): string {
  if (uuid !== undefined && !/^[0-9a-f-]{36}$/.test(uuid)) throw new DrydockError('INVALID_INPUT', `Not a UUID: ${uuid}`);
  const rules = RULES.map((r) => `  <rule action='${r.action}' direction='${r.direction}' priority='${r.priority}'><${r.protocol}${attrText(r.attrs)}/></rule>`);
  return [`<filter name='${ISOLATE_FILTER}' chain='root'>`, ...(uuid ? [`  <uuid>${uuid}</uuid>`] : []), ...rules, '</filter>', ''].join('\n');
}

const ATTR = /([\w:-]+)=(?:'([^']*)'|"([^"]*)")/g;
export function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(ATTR)].map((m) => [m[1], m[2] ?? m[3]]));
}

const ruleKey = (r: Omit<Rule, 'attrs'> & { attrs: Record<string, string> }) =>
  `${r.action} ${r.direction} ${r.priority} ${r.protocol}${Object.keys(r.attrs)
    .sort()
    .map((k) => ` ${k}=${r.attrs[k]}`)
    .join('')}`;

/** The filter as libvirt holds it (`nwfilter-dumpxml`), against Drydock's: same rules, no reference to another filter, the root chain. */
export function filterMatches(dumped: string): boolean {
  const open = /<filter\b[^>]*>/.exec(dumped)?.[0];
  if (!open || attributes(open).chain !== 'root' || /<filterref\b/.test(dumped)) return false;
  const rules = [...dumped.matchAll(/<rule\b([^>]*)>\s*<([\w-]+)\b([^>]*?)\/?>\s*<\/rule>/g)].map((m) => {
    const r = attributes(m[1]);
    return ruleKey({ action: r.action as Rule['action'], direction: r.direction as Rule['direction'], priority: Number(r.priority ?? 500), protocol: m[2], attrs: attributes(m[3]) });
  });
  const ruleCount = (dumped.match(/<rule\b/g) ?? []).length;
  const want = RULES.map(ruleKey).sort();
  return ruleCount === want.length && JSON.stringify(rules.sort()) === JSON.stringify(want);
}

export const filterUuid = (dumped: string): string | undefined => /<uuid>\s*([0-9a-f-]{36})\s*<\/uuid>/.exec(dumped)?.[1];

const FILTERREF = /<filterref\b[^>]*?(?:\/>|>[\s\S]*?<\/filterref>)/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

export interface Nic {
  /** The element as libvirt printed it. */
  xml: string;
  type: string;
  mac: string;
  /** The <filterref …> element, verbatim, or null. */
  filterref: string | null;
  filter: string | null;
  /** For type='network': the network's name. */
  network?: string;
  /** An Open vSwitch port: ebtables/iptables never see its frames. */
  openvswitch: boolean;
}

/** The `<devices>` of a domain definition (a <metadata> element may hold anything, so it is never read for devices). */
function devicesOf(domainXml: string): string {
  const start = domainXml.indexOf('<devices>');
  const end = domainXml.lastIndexOf('</devices>');
  if (start < 0 || end < start) return '';
  return domainXml.slice(start, end);
}

export function nicsOf(domainXml: string): Nic[] {
  return [...devicesOf(domainXml).matchAll(/<interface\b[^>]*?(?:\/>|>[\s\S]*?<\/interface>)/g)].map(([xml]) => {
    const open = attributes(xml.slice(0, xml.indexOf('>')));
    const mac = (attributes(/<mac\b[^>]*>/.exec(xml)?.[0] ?? '').address ?? '').toLowerCase();
    const filterref = FILTERREF.exec(xml)?.[0] ?? null;
    const network = open.type === 'network' ? attributes(/<source\b[^>]*>/.exec(xml)?.[0] ?? '').network : undefined;
    return { xml, type: open.type ?? '', mac, filterref, filter: filterref ? (attributes(filterref).filter ?? null) : null, ...(network ? { network } : {}), openvswitch: /<virtualport\b[^>]*openvswitch/.test(xml) };
  });
}

/** PCI/USB devices handed to the guest: one may be a network card, which no filter on the host sees. */
export function passthroughDevices(domainXml: string): string[] {
  return [...devicesOf(domainXml).matchAll(/<hostdev\b[^>]*>/g)].map(([open]) => `hostdev ${attributes(open).type ?? '?'}`);
}

/** The interface element with `filterref` in place of the one it has (null: none). */
export function withFilterref(nicXml: string, filterref: string | null): string {
  const stripped = nicXml.replace(FILTERREF, '');
  return filterref ? stripped.replace(/<\/interface>\s*$/, `  ${filterref}\n</interface>`) : stripped;
}

export const ISOLATE_FILTERREF = `<filterref filter='${ISOLATE_FILTER}'/>`;

/** Whitespace inside and between tags does not matter to libvirt; neither does it when comparing two filterrefs. */
export const sameXml = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : canonical(a) === canonical(b));
const canonical = (xml: string) => xml.replace(/"/g, "'").replace(/>\s+</g, '><').replace(/\s+/g, ' ').replace(/\s*(\/?>)/g, '$1').trim();

export interface NicRecord {
  mac: string;
  type: string;
  /** The filterref the interface had before (verbatim), or null. */
  previous: string | null;
}

/** Drydock's record as kept in the domain's <metadata> (filterrefs base64: any XML, attribute-safe). */
export function recordXml(nics: NicRecord[]): string {
  return `<isolation filter='${ISOLATE_FILTER}'>${nics.map((n) => `<nic mac='${n.mac}' type='${n.type}' previous='${n.previous === null ? '' : Buffer.from(n.previous).toString('base64')}'/>`).join('')}</isolation>`;
}

/** The record read back; anything that is not what Drydock writes is refused (the host's text is never trusted as XML to insert). */
export function parseRecord(xml: string, where: string): NicRecord[] {
  return [...xml.matchAll(/<(?:[\w-]+:)?nic\b([^>]*)\/>/g)].map((m) => checkRecord(attributes(m[1]), where, true));
}

export function checkRecord(raw: Record<string, unknown>, where: string, base64 = false): NicRecord {
  const mac = String(raw.mac ?? '').toLowerCase();
  const type = String(raw.type ?? '');
  let previous: string | null = raw.previous === null || raw.previous === '' || raw.previous === undefined ? null : String(raw.previous);
  if (previous !== null && base64) previous = Buffer.from(previous, 'base64').toString('utf8');
  if (!MAC.test(mac) || !/^[a-z]+$/.test(type) || (previous !== null && (previous.length > 4096 || FILTERREF.exec(previous)?.[0] !== previous.trim()))) {
    throw new DrydockError('CONFLICT', `${where}: Drydock's isolation record is not what Drydock writes (${JSON.stringify(raw).slice(0, 200)}); nothing was changed`);
  }
  return { mac, type, previous: previous?.trim() ?? null };
}
