/** Pure parts of restore: a libvirt disk element re-pointed at a restored image, and the drill block compared with `iptables -S`. */
import { describe, expect, it } from 'vitest';
import { diskElements, keptPathOf, minimalElement, pointElementAt } from '../../electron/engine/operations/backup/libvirt/domain-disk';
import { parseDiskId } from '../../electron/engine/operations/backup/libvirt/restored-disk';
import { foldersOnTheWay } from '../../electron/engine/operations/backup/libvirt/pool-folder';
import { blockDifference, blockGone, chainRules } from '../../electron/engine/operations/restore/drill-firewall/rules';

const DOMAIN = `<domain type='kvm'><name>spare</name><devices>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/isos/x.iso'/><target dev='hda' bus='ide'/></disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source file='/var/lib/libvirt/images/spare.img' index='2'/>
      <backingStore type='file' index='3'><format type='qcow2'/><source file='/var/lib/libvirt/images/base.qcow2'/></backingStore>
      <target dev='vda' bus='virtio'/>
      <boot order='1'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </disk>
  </devices></domain>`;

describe('libvirt disk elements', () => {
  it('finds the disks (not the cdrom) with their targets and sources', () => {
    expect(diskElements(DOMAIN).map((d) => [d.target, d.source])).toEqual([['vda', '/var/lib/libvirt/images/spare.img']]);
  });

  it('re-points the saved element at the restored image: its format, no backing chain, boot order, cache and address kept', () => {
    const el = pointElementAt(diskElements(DOMAIN)[0].xml, '/var/lib/libvirt/images/spare-restored-b1.qcow2', 'qcow2');
    expect(el).toContain("<source file='/var/lib/libvirt/images/spare-restored-b1.qcow2'/>");
    expect(el).toContain("<driver name='qemu' type='qcow2' cache='none' io='native'/>");
    expect(el).not.toMatch(/backingStore|base\.qcow2|index=/);
    expect(el).toMatch(/<boot order='1'\/>[\s\S]*slot='0x04'/);
    expect(diskElements(`<d>${el}</d>`)[0]).toMatchObject({ target: 'vda', source: '/var/lib/libvirt/images/spare-restored-b1.qcow2' });
  });

  it('a block-device disk becomes a file disk; a disk with no saved element gets a plain one; unsafe paths and devices are refused', () => {
    const block = "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg/spare'/><target dev='sda' bus='scsi'/></disk>";
    const el = pointElementAt(block, '/srv/images/r.qcow2', 'qcow2');
    expect(el).toMatch(/^<disk type='file' device='disk'>/);
    expect(el).toContain("<source file='/srv/images/r.qcow2'/>");
    expect(minimalElement('/srv/images/r.qcow2', 'vdb', 'qcow2')).toBe("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/srv/images/r.qcow2'/><target dev='vdb' bus='virtio'/></disk>");
    expect(() => pointElementAt(block, "/srv/x'/><evil/>", 'qcow2')).toThrow(/plain absolute paths/);
    expect(() => pointElementAt(block, '/srv/../etc/shadow', 'qcow2')).toThrow(/plain absolute paths/);
    expect(() => minimalElement('/srv/r.qcow2', 'vda/../x', 'qcow2')).toThrow(/Not a disk target/);
    expect(keptPathOf('/srv/images/spare.img')).toBe('/srv/images/spare.img.drydock-kept');
  });

  it('disk ids name their hypervisor when it is not the profile’s', () => {
    expect(parseDiskId('hv2:/srv/images/a.qcow2', 'hv')).toEqual({ host: 'hv2', image: '/srv/images/a.qcow2' });
    expect(parseDiskId('/srv/images/a.qcow2', 'hv')).toEqual({ host: 'hv', image: '/srv/images/a.qcow2' });
    expect(() => parseDiskId('hv2:relative.qcow2', 'hv')).toThrow(/plain absolute paths/);
  });
});

describe('pool folder', () => {
  it('every folder from / down to the pool folder is checked', () => {
    expect(foldersOnTheWay('/var/lib/libvirt/images')).toEqual(['/', '/var', '/var/lib', '/var/lib/libvirt', '/var/lib/libvirt/images']);
    expect(foldersOnTheWay('/')).toEqual(['/']);
  });
});

describe('drill block against iptables -S', () => {
  const block = { privateAddress: '10.0.0.5' };
  const { rules, hooks } = chainRules(block, 'v4');
  const shown = (r: string[], h: string[], extraOutput: string[] = []) =>
    ['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT', '-N DOCKER-USER', '-N DRYDOCK-DRILL', '-N DRYDOCK-DRILL-FWD', '-A FORWARD -j DOCKER-USER', ...h.filter((x) => x.startsWith('-A OUTPUT')), ...extraOutput, ...h.filter((x) => x.startsWith('-A DOCKER-USER')), ...r].join('\n');

  it('exactly the plan, hooked once and first: no difference', () => {
    expect(blockDifference(block, 'v4', shown(rules, hooks))).toBeNull();
  });

  it('says what differs: a missing rule, a foreign rule, another order, a doubled hook, a hook not first', () => {
    expect(blockDifference(block, 'v4', shown(rules.slice(1), hooks))).toMatch(/^missing rules: -A DRYDOCK-DRILL -o lo -j RETURN$/);
    expect(blockDifference(block, 'v4', shown([...rules, '-A DRYDOCK-DRILL -j ACCEPT'], hooks))).toMatch(/^rules not in the plan: -A DRYDOCK-DRILL -j ACCEPT$/);
    expect(blockDifference(block, 'v4', shown([rules[1], rules[0], ...rules.slice(2)], hooks))).toBe('the rules are in another order');
    expect(blockDifference(block, 'v4', shown(rules, [hooks[0], ...hooks]))).toBe('OUTPUT -j DRYDOCK-DRILL is hooked 2 times');
    expect(blockDifference(block, 'v4', ['-P OUTPUT ACCEPT', '-A OUTPUT -j ACCEPT', ...hooks, ...rules].join('\n'))).toBe('DRYDOCK-DRILL is not the first rule of OUTPUT');
    expect(blockDifference(block, 'v4', shown(rules, [hooks[0]]))).toBe('DOCKER-USER -j DRYDOCK-DRILL-FWD is hooked 0 times');
  });

  it("sshd's own port is part of the plan: a missing sshd rule, or one for another port, is a difference", () => {
    const ssh = '-A DRYDOCK-DRILL -p tcp -m tcp --sport 22 --tcp-flags SYN,ACK ACK -j RETURN';
    expect(rules).toContain(ssh);
    expect(blockDifference(block, 'v4', shown(rules.filter((r) => r !== ssh), hooks))).toBe(`missing rules: ${ssh}`);
    const on2222 = { ...block, sshPort: 2222 };
    expect(blockDifference(on2222, 'v4', shown(rules, hooks))).toMatch(/^missing rules: .*--sport 2222 /);
    expect(blockDifference(on2222, 'v4', shown(chainRules(on2222, 'v4').rules, hooks))).toBeNull();
    expect(() => chainRules({ ...block, sshPort: 70000 }, 'v6')).toThrow(/Not a TCP port: 70000/);
  });

  it('gone means no rule, hook or chain of ours (another chain with a similar name is not ours)', () => {
    expect(blockGone('-P OUTPUT ACCEPT\n-N DOCKER-USER\n-N DRYDOCK-DRILLER\n-A DOCKER-USER -j RETURN')).toBe(true);
    expect(blockGone('-P OUTPUT ACCEPT\n-N DRYDOCK-DRILL')).toBe(false);
    expect(blockGone(shown(rules, hooks))).toBe(false);
  });
});
