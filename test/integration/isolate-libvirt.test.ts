/**
 * Network isolation of a libvirt spare (nwfilter drydock-isolate) against a
 * real system libvirtd, over SSH through a lab host acting as the
 * hypervisor. The daemon runs in namespaces of its own
 * (libvirt-system-fixture.ts), so the firewall rules nwfilter instantiates
 * when a domain starts are read from its network namespace.
 *
 * What is proved: the filter's rules as libvirt holds them; every interface
 * of the persistent definition under it, each one's own filterref recorded
 * (domain metadata) and put back exactly on release, persistent and live;
 * isolating twice changes nothing; a started domain gets ebtables + iptables
 * drop rules on each tap and releasing it live removes them; a running,
 * not-isolated domain, a hand-changed interface and interface types nwfilter
 * cannot see are refused with nothing changed. The filter's effect on real
 * packets is measured without a guest OS (the lab's domains have none): the
 * same filter bound (`nwfilter-binding-create`, what libvirt does for each
 * tap of a starting domain) to one end of a veth pair on the bridge whose
 * other end is a "guest" network namespace with a listener on port 22.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtProvider } from '../../electron/engine/operations/backup/libvirt/libvirt-provider';
import { ISOLATE_FILTER, ISOLATION_METADATA_URI, nicsOf } from '../../electron/engine/operations/backup/libvirt/isolate-xml';
import type { NetworkIsolation } from '../../electron/engine/operations/backup/provider';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { startSystemLibvirt, type SystemLibvirt } from './libvirt-system-fixture';

const STORE = '/var/backups/drydock-images';
const SUDO_PW = 'hv2-sudo-pw';
let lv: SystemLibvirt;
let lab: Lab;
let fx: EngineFixture;

const provider = () => new LibvirtProvider(fx.engine, { hypervisor: 'hv', uri: lv.uri, store: { host: 'hv', dir: STORE }, domain: 'prim' });
/** Each <interface> as libvirt prints it, whitespace-insensitive. */
const interfaces = (domain: string, live = false) => nicsOf(live ? lv.virsh('dumpxml', domain) : lv.virsh('dumpxml', '--inactive', domain)).map((n) => n.xml.replace(/\s+/g, ' ').replace(/> </g, '><'));
const filterOf = (domain: string, live = false) => nicsOf(live ? lv.virsh('dumpxml', domain) : lv.virsh('dumpxml', '--inactive', domain)).map((n) => n.filter);
const metadata = (domain: string) => {
  try {
    return lv.virsh('metadata', domain, '--uri', ISOLATION_METADATA_URI, '--config');
  } catch {
    return null;
  }
};
const bindings = () =>
  lv
    .virsh('nwfilter-binding-list')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 2);

const ADMIN_FILTER = "<filter name='admin-own' chain='root'><rule action='accept' direction='inout' priority='500'><all/></rule></filter>";
const OWN_REF = "<filterref filter='admin-own'><parameter name='IP' value='10.9.8.7'/></filterref>";

beforeAll(async () => {
  [lv, lab] = await Promise.all([startSystemLibvirt(), startLab([{ name: 'hv' }, { name: 'hv2', users: [{ name: 'admin', password: SUDO_PW, sudo: 'password' }] }])]);
  for (const h of ['hv', 'hv2']) lv.bindInto(lab.hosts[h]);
  fx = await engineWithHosts(lab, [
    { name: 'hv', role: 'hypervisor' },
    { name: 'hv2', role: 'hypervisor', user: 'admin' },
  ]);
  fx.engine.credentials.set('hv2', { sudoPassword: SUDO_PW });
  lv.defineFrom('nwfilter-define', ADMIN_FILTER);
  // An isolated libvirt network (a bridge of its own, tap-based: nwfilter applies) and a macvtap one (it does not).
  lv.defineFrom('net-define', "<network><name>dd-net</name><bridge name='ddbr1'/></network>");
  lv.virsh('net-start', 'dd-net');
  lv.defineFrom('net-define', "<network><name>dd-macvtap</name><forward mode='bridge'><interface dev='lo'/></forward></network>");
}, 240_000);

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
  await lv?.stop();
});

describe('libvirt spare network isolation (real system libvirtd, over SSH)', () => {
  let first: NetworkIsolation;
  let before: string[];

  it('isolates a shut-off domain with two interfaces: the filter defined, every interface under it, each one’s own filterref recorded; twice changes nothing', async () => {
    lv.defineDomain('spare', [`<interface type='bridge'><mac address='52:54:00:aa:00:01'/><source bridge='ddbr0'/><model type='virtio'/>${OWN_REF}</interface>`, "<interface type='network'><mac address='52:54:00:aa:00:02'/><source network='dd-net'/><model type='virtio'/></interface>"]);
    before = interfaces('spare');
    const p = provider();
    const spare = await p.findMachine('spare');
    expect(spare.running).toBe(false);
    expect(await p.networkIsolated(spare)).toBe(false);

    first = await p.isolateNetwork(spare);
    expect(first.provider).toBe('libvirt');
    expect(first.summary).toMatch(/drydock-isolate on 2 interface\(s\) of spare on hv \(2 changed\)/);
    expect(first.detail).toEqual({
      hypervisor: 'hv',
      domain: 'spare',
      filter: ISOLATE_FILTER,
      interfaces: [
        { mac: '52:54:00:aa:00:01', type: 'bridge', previous: expect.stringMatching(/^<filterref filter='admin-own'>\s*<parameter name='IP' value='10\.9\.8\.7'\/>\s*<\/filterref>$/) },
        { mac: '52:54:00:aa:00:02', type: 'network', previous: null },
      ],
    });
    const filter = lv.virsh('nwfilter-dumpxml', ISOLATE_FILTER);
    expect(filter).toMatch(/<filter name='drydock-isolate' chain='root'>/);
    expect(filter).toContain("<rule action='accept' direction='in' priority='100'>\n    <tcp state='NEW,ESTABLISHED' dstportstart='22'/>");
    expect(filter).toContain("<rule action='accept' direction='out' priority='100'>\n    <tcp state='ESTABLISHED' srcportstart='22'/>");
    expect(filter).toContain("<rule action='drop' direction='inout' priority='-800'>\n    <mac/>");
    expect(filter).toContain("<rule action='drop' direction='inout' priority='1000'>\n    <all/>");
    expect(filter).toContain("<rule action='drop' direction='inout' priority='1000'>\n    <all-ipv6/>");
    expect(filterOf('spare')).toEqual([ISOLATE_FILTER, ISOLATE_FILTER]);
    expect(interfaces('spare').join('')).not.toContain('admin-own');
    expect(metadata('spare')).toMatch(/<nic mac="52:54:00:aa:00:01" type="bridge" previous="[A-Za-z0-9+/=]+"\/>/);
    expect(await p.networkIsolated(spare)).toBe(true);

    // Again (a resumed step): the same record, the definition untouched.
    const xml = lv.virsh('dumpxml', '--inactive', 'spare');
    expect(await p.isolateNetwork(spare)).toEqual(first);
    expect(lv.virsh('dumpxml', '--inactive', 'spare')).toBe(xml);
  });

  it('a started isolated domain gets ebtables + iptables drop rules on each tap; isolating it again returns the record; releasing it live and persistent puts back exactly what was there', async () => {
    const p = provider();
    lv.virsh('start', 'spare');
    const spare = await p.findMachine('spare');
    expect(spare.running).toBe(true);
    expect(bindings().map(([, f]) => f)).toEqual([ISOLATE_FILTER, ISOLATE_FILTER]);
    const taps = bindings().map(([dev]) => dev);
    const eb = lv.inNetns('ebtables', '-t', 'nat', '-L', `libvirt-I-${taps[0]}`);
    expect(eb).toMatch(/-p IPv4 --ip-proto tcp --ip-sport 22 -j ACCEPT[\s\S]*-j DROP/);
    const ipt = lv.inNetns('iptables-save', '-t', 'filter');
    for (const tap of taps) {
      expect(ipt).toContain(`-A FI-${tap} -p tcp -m tcp --sport 22 -m conntrack --ctstate ESTABLISHED -j RETURN`);
      expect(ipt).toContain(`-A FI-${tap} -j DROP`);
      expect(ipt).toContain(`-A HI-${tap} -j DROP`);
    }
    expect(lv.inNetns('ip6tables-save', '-t', 'filter')).toContain(`-A FI-${taps[0]} -j DROP`);
    expect(await p.networkIsolated(spare)).toBe(true);
    expect(await p.isolateNetwork(spare)).toEqual(first);

    await p.releaseNetwork(spare, first);
    expect(interfaces('spare')).toEqual(before);
    expect(filterOf('spare', true)).toEqual(['admin-own', null]);
    expect(interfaces('spare', true)[0]).toMatch(/<filterref filter='admin-own'><parameter name='IP' value='10\.9\.8\.7'\/><\/filterref>/);
    expect(bindings()).toEqual([[taps[0], 'admin-own']]);
    expect(lv.inNetns('iptables-save', '-t', 'filter')).not.toMatch(/-j DROP/);
    expect(metadata('spare')).toBeNull();
    expect(await p.networkIsolated(spare)).toBe(false);
    await p.releaseNetwork(spare, first); // again: nothing left to do
    expect(interfaces('spare')).toEqual(before);

    // Running and not isolated: refused, nothing changed.
    await expect(p.isolateNetwork(spare)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/spare on hv is running: Drydock isolates the spare while it is shut off.*nothing was changed/) });
    expect(interfaces('spare')).toEqual(before);
    expect(metadata('spare')).toBeNull();
    lv.virsh('destroy', 'spare');
  });

  it('an interface changed by hand since is a conflict on release (nothing changed); a filter someone loosened is not isolation, and isolating again restores it', async () => {
    const p = provider();
    const spare = await p.findMachine('spare');
    const isolation = await p.isolateNetwork(spare);
    expect(isolation).toEqual(first);
    const [, second] = nicsOf(lv.virsh('dumpxml', '--inactive', 'spare'));
    lv.defineFrom('update-device', second.xml.replace(/<filterref[^>]*\/>/, "<filterref filter='admin-own'/>"), 'spare', '--config');
    const changed = lv.virsh('dumpxml', '--inactive', 'spare');
    await expect(p.releaseNetwork(spare, isolation)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/interface 52:54:00:aa:00:02 now has <filterref filter='admin-own'\/>, neither Drydock's nor its own before \(none\).*Nothing was changed/) });
    expect(lv.virsh('dumpxml', '--inactive', 'spare')).toBe(changed);
    lv.defineFrom('update-device', second.xml, 'spare', '--config');

    // drydock-isolate redefined to let everything out (same name, its UUID): not isolated; isolate puts Drydock's rules back.
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(lv.virsh('nwfilter-dumpxml', ISOLATE_FILTER))![1];
    lv.defineFrom('nwfilter-define', `<filter name='${ISOLATE_FILTER}' chain='root'><uuid>${uuid}</uuid><rule action='accept' direction='inout'><all/></rule></filter>`);
    expect(await p.networkIsolated(spare)).toBe(false);
    await p.isolateNetwork(spare);
    expect(await p.networkIsolated(spare)).toBe(true);
    expect(lv.virsh('nwfilter-dumpxml', ISOLATE_FILTER)).toContain("<tcp state='ESTABLISHED' srcportstart='22'/>");
    await p.releaseNetwork(spare, isolation);
    expect(interfaces('spare')).toEqual(before);
  });

  it('on a hypervisor reached as a sudo user (sudo -S with its password): the same round trip', async () => {
    lv.defineDomain('sudoer', ["<interface type='bridge'><mac address='52:54:00:dd:00:01'/><source bridge='ddbr0'/></interface>"]);
    const was = interfaces('sudoer');
    const p = new LibvirtProvider(fx.engine, { hypervisor: 'hv2', uri: lv.uri, store: { host: 'hv2', dir: STORE }, domain: 'sudoer' });
    const m = await p.findMachine('sudoer');
    const isolation = await p.isolateNetwork(m);
    expect(isolation.detail).toMatchObject({ hypervisor: 'hv2', domain: 'sudoer', interfaces: [{ mac: '52:54:00:dd:00:01', type: 'bridge', previous: null }] });
    expect(filterOf('sudoer')).toEqual([ISOLATE_FILTER]);
    expect(await p.networkIsolated(m)).toBe(true);
    await p.releaseNetwork(m, isolation);
    expect(interfaces('sudoer')).toEqual(was);
    expect(await p.networkIsolated(m)).toBe(false);
    // Drydock's store there (its temporary XML went through it) is root's and 0700; nothing left in it.
    expect(lab.hosts.hv2.exec(`stat -c '%U %a' ${STORE} && ls -A ${STORE}`).stdout.trim()).toBe('root 700');
  });

  it('refuses interfaces nwfilter cannot see (user-mode, macvtap, a macvtap network) with UNSUPPORTED, changing nothing; a domain without interfaces is isolated as it is', async () => {
    const p = provider();
    const cases: [string, string, RegExp][] = [
      ['slirp', "<interface type='user'><mac address='52:54:00:bb:00:01'/><model type='virtio'/></interface>", /interface 52:54:00:bb:00:01 \(type='user'\): nwfilter applies only to tap devices on a Linux bridge/],
      ['macvtap', "<interface type='direct'><mac address='52:54:00:bb:00:02'/><source dev='lo' mode='bridge'/><model type='virtio'/></interface>", /type='direct'\): nwfilter applies only to tap devices/],
      ['onmacvtap', "<interface type='network'><mac address='52:54:00:bb:00:03'/><source network='dd-macvtap'/><model type='virtio'/></interface>", /is on network dd-macvtap, whose forward mode 'bridge' hands the guest a device nwfilter does not see/],
    ];
    for (const [name, nic, why] of cases) {
      // With a supported interface beside it: refused as a whole, that one untouched too.
      lv.defineDomain(name, ["<interface type='bridge'><mac address='52:54:00:bb:01:01'/><source bridge='ddbr0'/></interface>", nic]);
      const xml = lv.virsh('dumpxml', '--inactive', name);
      const m = await p.findMachine(name);
      const err = await p.isolateNetwork(m).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(why) });
      expect((err as Error).message).toMatch(/Isolate the spare another way and acknowledge it in the plan; nothing was changed/);
      expect(lv.virsh('dumpxml', '--inactive', name)).toBe(xml);
      expect(metadata(name)).toBeNull();
      expect(await p.networkIsolated(m)).toBe(false);
    }
    lv.defineDomain('nonic', []);
    const none = await p.isolateNetwork(await p.findMachine('nonic'));
    expect(none).toMatchObject({ summary: 'nonic on hv has no network interface: nothing to isolate', detail: { interfaces: [] } });
    expect(await p.networkIsolated(await p.findMachine('nonic'))).toBe(true);
    await expect(p.releaseNetwork(await p.findMachine('nonic'), first)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not for nonic on hv/) });
  });
});

describe('the filter on real packets (bound to a veth "guest" on the bridge, as libvirt binds a domain tap)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('SSH in and its replies pass; every new connection out (any port, also from port 22) is dropped; unbound, all pass again', async () => {
    // Drydock's own code defines the filter (on a domain of its own), then the same filter is bound to the veth.
    lv.defineDomain('probe', ["<interface type='bridge'><mac address='52:54:00:cc:00:01'/><source bridge='ddbr0'/></interface>"]);
    const p = provider();
    await p.isolateNetwork(await p.findMachine('probe'));

    const guest = spawn('unshare', ['--net', '--', 'sleep', '600'], { stdio: 'ignore' });
    children.push(guest);
    await new Promise((r) => setTimeout(r, 300));
    const g = (...cmd: string[]) => execFileSync('nsenter', ['-t', String(guest.pid), '-n', '--', ...cmd], { encoding: 'utf8' });
    lv.inNetns('ip', 'link', 'add', 'ddvh', 'type', 'veth', 'peer', 'name', 'ddvg');
    lv.inNetns('ip', 'link', 'set', 'ddvh', 'master', 'ddbr0', 'up');
    lv.inNetns('ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'ddbr0');
    lv.inNetns('ip', 'link', 'set', 'ddvg', 'netns', String(guest.pid));
    g('ip', 'link', 'set', 'lo', 'up');
    g('ip', 'addr', 'add', '10.77.0.2/24', 'dev', 'ddvg');
    g('ip', 'addr', 'add', '10.77.0.3/24', 'dev', 'ddvg');
    g('ip', 'link', 'set', 'ddvg', 'address', '52:54:00:cc:00:02', 'up');
    // "The internet" on the bridge's side (8080 and 22), the guest's sshd on 22.
    for (const [ns, addr, port] of [[String(lv.nsPid), '10.77.0.1', '8080'], [String(lv.nsPid), '10.77.0.1', '22'], [String(guest.pid), '10.77.0.2', '22']]) {
      children.push(spawn('nsenter', ['-t', ns, '-n', '--', 'nc', '-lk', addr, port], { stdio: 'ignore' }));
    }
    await new Promise((r) => setTimeout(r, 500));
    const connects = (from: (...cmd: string[]) => string, ...args: string[]) => {
      try {
        from('nc', '-z', '-w', '2', ...args);
        return true;
      } catch {
        return false;
      }
    };
    const outside = (...cmd: string[]) => lv.inNetns(...cmd);
    /** A connection out from local port 22 (of the guest's second address; the listener holds 10.77.0.2:22). */
    const fromPort22 = () => {
      const script = "const s=require('net').connect({host:'10.77.0.1',port:8080,localAddress:'10.77.0.3',localPort:22});s.setTimeout(2000,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',(e)=>{console.error(e.message);process.exit(1)})";
      try {
        g(process.execPath, '-e', script);
        return true;
      } catch {
        return false;
      }
    };
    const world = () => ({
      sshIn: connects(outside, '10.77.0.2', '22'),
      out8080: connects(g, '10.77.0.1', '8080'),
      out22: connects(g, '10.77.0.1', '22'),
      // From port 22 of another address (the listener holds 10.77.0.2:22): the stateless layer lets it through, the stateful one does not.
      out8080FromPort22: fromPort22(),
    });
    expect(world()).toEqual({ sshIn: true, out8080: true, out22: true, out8080FromPort22: true });

    lv.defineFrom('nwfilter-binding-create', "<filterbinding><owner><name>drydock-test</name><uuid>6c2a3a4e-5a1f-4c1e-9a55-0d5f1e0c2b01</uuid></owner><portdev name='ddvh'/><mac address='52:54:00:cc:00:02'/><filterref filter='drydock-isolate'/></filterbinding>");
    expect(world()).toEqual({ sshIn: true, out8080: false, out22: false, out8080FromPort22: false });

    lv.virsh('nwfilter-binding-delete', 'ddvh');
    expect(world()).toEqual({ sshIn: true, out8080: true, out22: true, out8080FromPort22: true });
  });
});
