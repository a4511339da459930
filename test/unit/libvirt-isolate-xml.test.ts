/**
 * The pure half of libvirt network isolation: the filter compared as libvirt
 * prints it (attribute order, UUID, whitespace do not matter; one rule more,
 * less or loosened does), interface elements rewritten, and the isolation
 * record read back from the host refused unless it is what Drydock writes.
 */
import { describe, expect, it } from 'vitest';
import { checkRecord, filterMatches, filterXml, nicsOf, parseRecord, recordXml, sameXml, withFilterref, ISOLATE_FILTERREF } from '../../electron/engine/operations/backup/libvirt/isolate-xml';

describe('libvirt isolation XML', () => {
  it('the filter matches itself as libvirt reprints it, not a loosened or extended one', () => {
    const base = filterXml('047962fd-e4ff-4a59-8698-261a282675e9');
    // libvirt's way: attributes in its own order, each element on its own line.
    const reprint = (xml: string) => xml.replace(/<(tcp|udp) ([^/]*)\/>/g, (_m, p: string, attrs: string) => `<${p} ${attrs.split(' ').reverse().join(' ')}/>`).replace(/></g, '>\n    <');
    expect(reprint(base)).not.toBe(base);
    expect(filterMatches(reprint(base))).toBe(true);
    expect(filterMatches(reprint(base.replace("state='ESTABLISHED'", "state='NEW,ESTABLISHED'")))).toBe(false);
    expect(filterMatches(reprint(base.replace("<rule action='drop' direction='inout' priority='1000'><all/></rule>", '')))).toBe(false);
    expect(filterMatches(reprint(base.replace("</filter>", "<filterref filter='allow-all'/></filter>")))).toBe(false);
    expect(filterMatches(reprint(base.replace("chain='root'", "chain='ipv4'")))).toBe(false);
  });

  it('reads interfaces from <devices> only and swaps their filterref', () => {
    const xml = `<domain><metadata><x:interface xmlns:x='urn:x' type='bridge'/></metadata><devices><interface type='bridge'><mac address='52:54:00:AA:00:01'/><source bridge='br0'/><filterref filter='clean-traffic'><parameter name='IP' value='10.0.0.5'/></filterref></interface><interface type='network'><mac address='52:54:00:aa:00:02'/><source network='default'/></interface></devices></domain>`;
    const nics = nicsOf(xml);
    expect(nics.map((n) => [n.type, n.mac, n.filter, n.network])).toEqual([
      ['bridge', '52:54:00:aa:00:01', 'clean-traffic', undefined],
      ['network', '52:54:00:aa:00:02', null, 'default'],
    ]);
    const isolated = withFilterref(nics[0].xml, ISOLATE_FILTERREF);
    expect(nicsOf(`<devices>${isolated}</devices>`)[0].filter).toBe('drydock-isolate');
    expect(isolated).not.toContain('clean-traffic');
    expect(sameXml(nicsOf(`<devices>${withFilterref(isolated, nics[0].filterref)}</devices>`)[0].filterref, nics[0].filterref)).toBe(true);
    expect(withFilterref(isolated, null)).not.toContain('filterref');
  });

  it('the record round-trips through the metadata text; anything else is refused', () => {
    const record = [
      { mac: '52:54:00:aa:00:01', type: 'bridge', previous: "<filterref filter='clean-traffic'><parameter name='IP' value='10.0.0.5'/></filterref>" },
      { mac: '52:54:00:aa:00:02', type: 'network', previous: null },
    ];
    // As virsh prints it back: its own prefix and double quotes.
    const printed = recordXml(record).replace(/<(\/?)(isolation|nic)/g, '<$1drydock:$2').replace(/'/g, '"');
    expect(parseRecord(printed, 'spare')).toEqual(record);
    const smuggled = Buffer.from("<filterref filter='x'/><hostdev mode='subsystem'/>").toString('base64');
    expect(() => parseRecord(`<nic mac="52:54:00:aa:00:01" type="bridge" previous="${smuggled}"/>`, 'spare')).toThrow(/not what Drydock writes/);
    expect(() => checkRecord({ mac: 'zz', type: 'bridge', previous: null }, 'spare')).toThrow(/not what Drydock writes/);
    expect(() => checkRecord({ mac: '52:54:00:aa:00:01', type: "bridge' x='", previous: null }, 'spare')).toThrow(/not what Drydock writes/);
  });
});
