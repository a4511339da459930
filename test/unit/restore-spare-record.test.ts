/** Which backup a hot spare holds, and whether a failover may skip the volume steps: pure logic plus the laptop cache file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assessSpare, emptySpareCache, formatAge, parseSpareCache, recordFromTags, SPARE_TAG, spareTags, withSpareRecord, type CatalogBackup, type SpareQuestion, type SpareRecord } from '../../shared/restore/spare-record';
import { readSpareCache, recordSpare, spareCacheFile } from '../../electron/engine/operations/restore/spare-cache';

const H = 3_600_000;
const NOW = Date.parse('2026-11-30T12:00:00Z');
const ago = (h: number) => new Date(NOW - h * H).toISOString();

const backups: CatalogBackup[] = [
  { id: 'run-new', state: 'completed', startedAt: ago(2) },
  { id: 'run-pending', state: 'pending', startedAt: ago(0.5) },
  { id: 'run-old', state: 'completed', startedAt: ago(26) },
  { id: 'run-bad', state: 'error', startedAt: ago(1) },
];

const refreshed = (backupId: string, takenAt: string, extra: Partial<SpareRecord> = {}): Omit<SpareRecord, 'machine' | 'rootDisk'> => ({
  spare: 'spare1',
  installationId: 'inst-a',
  profile: 'prod',
  backupId,
  snapshotId: `snap-${backupId}`,
  takenAt,
  refreshRun: 'run-refresh-1',
  readyAt: ago(1),
  ...extra,
});

function ask(tags: Record<string, string> | null, over: Partial<SpareQuestion> = {}): ReturnType<typeof assessSpare> {
  return assessSpare({
    spare: 'spare1',
    installationId: 'inst-a',
    profile: 'prod',
    observed: tags ? { machine: 'i-spare', rootDisk: 'vol-r1', tags } : null,
    cache: emptySpareCache(),
    backups,
    now: NOW,
    ...over,
  });
}

describe('spare record', () => {
  it('round-trips through the disk tags, and says why a disk without a full record holds nothing', () => {
    const tags = spareTags(refreshed('run-new', ago(2)));
    expect(tags[SPARE_TAG.backup]).toBe('run-new');
    expect(Object.values(tags).every((v) => v.length <= 256)).toBe(true);
    const r = recordFromTags('i-spare', 'vol-r1', { Name: 'spare root', ...tags });
    expect(r.record).toEqual({ machine: 'i-spare', rootDisk: 'vol-r1', ...refreshed('run-new', ago(2)) });
    expect(recordFromTags('i-spare', 'vol-r1', { Name: 'x' })).toEqual({ record: null, why: 'vol-r1 carries no record of a refresh' });
    const cut = { ...tags, [SPARE_TAG.takenAt]: 'yesterday' };
    delete (cut as Record<string, string>)[SPARE_TAG.profile];
    expect(recordFromTags('i-spare', 'vol-r1', cut)).toMatchObject({ record: null, why: expect.stringMatching(/incomplete or damaged \(profile, takenAt\)/) });
  });

  it('the spare holding the newest completed backup is acceptable: volume steps skipped, its age is the recovery point', () => {
    const a = ask(spareTags(refreshed('run-new', ago(2))));
    expect(a).toMatchObject({ acceptable: true, source: 'disk', ageMs: 2 * H, target: { id: 'run-new', ageMs: 2 * H }, reasons: [], cacheStale: true });
    expect(a.summary).toBe('spare1 already holds backup run-new taken 2 h 0 min ago: the volume steps are skipped (boot, identity, verify, re-point).');
  });

  it('an older backup is refused by default, accepted under the admin’s age policy, refused past it, and refused when another was chosen', () => {
    const tags = spareTags(refreshed('run-old', ago(26)));
    const strict = ask(tags);
    expect(strict.acceptable).toBe(false);
    expect(strict.reasons).toEqual(['it holds backup run-old (26 h 0 min old); the newest completed is run-new (2 h 0 min old)']);
    expect(strict.summary).toMatch(/^spare1 holds backup run-old taken 26 h 0 min ago, which cannot be used: .* The full restore runs\.$/);
    expect(ask(tags, { maxAgeMs: 30 * H })).toMatchObject({ acceptable: true, ageMs: 26 * H, target: { id: 'run-new' } });
    expect(ask(tags, { maxAgeMs: 24 * H }).reasons[0]).toMatch(/policy accepts at most 24 h 0 min$/);
    expect(ask(tags, { maxAgeMs: 30 * H, chosen: 'run-new' }).reasons).toEqual(['it holds backup run-old, not the chosen run-new']);
    expect(ask(tags, { chosen: 'run-old' }).acceptable).toBe(true);
    expect(ask(tags, { chosen: 'run-gone' }).reasons).toContain('backup run-gone is not in the catalog');
  });

  it('a refresh that did not finish, a disk the app ran on, another spare’s, installation’s or profile’s record: not acceptable, each says why', () => {
    const cases: [Partial<SpareRecord>, RegExp][] = [
      [{ readyAt: undefined }, /run run-refresh-1\) did not finish/],
      [{ usedAt: ago(0.2) }, /app was started on it at .*moved on from the backup/],
      [{ spare: 'spare2' }, /refreshed for spare spare2, not spare1/],
      [{ installationId: 'inst-b' }, /installation inst-b/],
      [{ profile: 'dr' }, /profile dr, not prod/],
    ];
    for (const [extra, why] of cases) {
      const a = ask(spareTags(refreshed('run-new', ago(2), extra)));
      expect(a.acceptable, String(why)).toBe(false);
      expect(a.reasons.join('; ')).toMatch(why);
    }
  });

  it('a newer backup than the one held never counts as "older within policy" the other way round; no completed backup at all is said', () => {
    const a = ask(spareTags(refreshed('run-new', ago(2))), { backups: backups.filter((b) => b.id !== 'run-new' && b.id !== 'run-old') });
    expect(a).toMatchObject({ acceptable: false, target: null });
    expect(a.reasons).toContain('the catalog has no completed backup to compare with');
  });

  it('the laptop cache alone names the backup for the preview but never lets the volume steps be skipped; the disk wins over a stale cache', () => {
    const rec = recordFromTags('i-spare', 'vol-r1', spareTags(refreshed('run-new', ago(2)))).record!;
    const cache = withSpareRecord(emptySpareCache(), 'spare1', rec);
    const offline = ask(null, { cache });
    expect(offline).toMatchObject({ acceptable: false, source: 'cache', holds: rec, ageMs: 2 * H });
    expect(offline.summary).toMatch(/holds backup run-new taken 2 h 0 min ago \(this laptop's record\), which cannot be used: the spare's root disk could not be read now/);
    expect(ask(null).summary).toBe("spare1 holds no refreshed backup (the spare could not be asked and this laptop has no record of a refresh). The full restore runs.");
    // The spare was put back (its root has no record now): the cache is stale and the answer is the disk's.
    const putBack = ask({ Name: 'spare root' }, { cache });
    expect(putBack).toMatchObject({ acceptable: false, holds: null, source: null, cacheStale: true });
    expect(ask(spareTags(refreshed('run-new', ago(2))), { cache })).toMatchObject({ acceptable: true, cacheStale: false });
  });

  it('ages read as an admin says them', () => {
    expect([formatAge(59_000), formatAge(90 * 60_000), formatAge(50 * H), formatAge(-5)]).toEqual(['1 min', '1 h 30 min', '2 days 2 h', '0 min']);
  });
});

describe('spare cache file', () => {
  let home: string;
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is written atomically with mode 0600, replaced per spare, removed per spare, and an unreadable one is an empty cache', () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'drydock-spares-'));
    expect(readSpareCache(home)).toEqual(emptySpareCache());
    const rec = recordFromTags('i-spare', 'vol-r1', spareTags(refreshed('run-new', ago(2)))).record!;
    recordSpare(home, 'spare1', rec);
    recordSpare(home, 'spare2', { ...rec, spare: 'spare2', rootDisk: 'vol-r2' });
    expect(statSync(spareCacheFile(home)).mode & 0o777).toBe(0o600);
    expect(Object.keys(readSpareCache(home).spares)).toEqual(['spare1', 'spare2']);
    recordSpare(home, 'spare1', null);
    expect(readSpareCache(home).spares).toEqual({ spare2: { ...rec, spare: 'spare2', rootDisk: 'vol-r2' } });
    expect(JSON.parse(readFileSync(spareCacheFile(home), 'utf8')).version).toBe(1);
    writeFileSync(spareCacheFile(home), '{ not json');
    expect(readSpareCache(home)).toEqual(emptySpareCache());
    expect(parseSpareCache('{"version":2,"spares":{}}')).toEqual(emptySpareCache());
  });
});
