/** Which backup a hot spare's disk holds, and whether a failover may skip the volume steps for it. */
import { describe, expect, it } from 'vitest';
import { SPARE_TAG, spareHolds } from '../../electron/engine/operations/restore/spare-record';

const refreshed = { [SPARE_TAG.backup]: 'b2', [SPARE_TAG.installation]: 'inst-a', [SPARE_TAG.readyAt]: '2026-01-02T00:00:00Z' };

describe('spare record', () => {
  it('a finished refresh of this installation holding the chosen backup is usable', () => {
    expect(spareHolds(refreshed, 'inst-a', 'b2')).toEqual({ backup: 'b2', usable: true, reasons: [] });
  });
  it('a disk Drydock did not restore holds nothing', () => {
    expect(spareHolds({ Name: 'spare root' }, 'inst-a', 'b2')).toEqual({ usable: false, reasons: [] });
    expect(spareHolds(undefined, 'inst-a', 'b2').usable).toBe(false);
  });
  it('refuses an unfinished refresh, a disk the app ran on, another installation, another backup', () => {
    expect(spareHolds({ ...refreshed, [SPARE_TAG.readyAt]: '' }, 'inst-a', 'b2').reasons).toEqual(['the refresh that wrote it did not finish (or it was a restore, not a refresh)']);
    expect(spareHolds({ ...refreshed, [SPARE_TAG.usedAt]: '2026-01-03T00:00:00Z' }, 'inst-a', 'b2').reasons[0]).toMatch(/app was started on it .* moved on/);
    expect(spareHolds(refreshed, 'inst-b', 'b2').reasons).toEqual(['its disk holds a backup of installation inst-a']);
    const other = spareHolds(refreshed, 'inst-a', 'b3');
    expect(other).toMatchObject({ backup: 'b2', usable: false, reasons: ['it holds backup b2, not b3'] });
  });
});
