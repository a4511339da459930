/** A libvirt backup's progress: qemu-img's `-p` figures as SSH delivers them, and the overall percentage over the disks' convert and copy. */
import { describe, expect, it } from 'vitest';
import { ProgressOf, qemuImgPercents } from '../../electron/engine/operations/backup/libvirt/remote-store';

describe('qemu-img progress', () => {
  it('reads the latest figure of each chunk, also one cut between two chunks', () => {
    const next = qemuImgPercents();
    expect(next('    (0.00/100%)\r    (3.12/100%)\r')).toBe(3.12);
    expect(next('    (6.2')).toBeNull();
    expect(next('5/100%)\r    (9.38/1')).toBe(6.25);
    expect(next('00%)\r')).toBe(9.38);
    expect(next('\r')).toBeNull();
    expect(next('    (100.00/100%)\r')).toBe(100);
  });

  it('is not fooled by a figure that was already read', () => {
    const next = qemuImgPercents();
    expect(next('(12.50/100%)')).toBe(12.5);
    expect(next('\r    ')).toBeNull();
  });
});

describe('overall progress', () => {
  it('spreads the units evenly, never goes back, reports each whole percent once and every unit start', () => {
    const seen: [number, string][] = [];
    const p = new ProgressOf(2, (percent, message) => seen.push([percent, message]));
    p.report(0, 0, 'convert vda', true);
    p.report(0, 0.004, 'convert 0.4%');
    p.report(0, 0.5, 'convert 50%');
    p.report(0, 0.5, 'convert 50% again');
    p.report(0, 0.3, 'a late, lower figure');
    p.report(1, 0, 'copy', true);
    p.report(1, 1, 'copied');
    p.report(1, 2, 'beyond');
    expect(seen).toEqual([
      [0, 'convert vda'],
      [25, 'convert 50%'],
      [50, 'copy'],
      [100, 'copied'],
    ]);
  });

  it('says nothing when no one listens or nothing is left to do', () => {
    expect(() => new ProgressOf(0, () => { throw new Error('called'); }).report(0, 1, 'x')).not.toThrow();
    expect(() => new ProgressOf(3).report(1, 0.5, 'x')).not.toThrow();
  });
});
