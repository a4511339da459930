/** Catalog grouping, prune's safety rules and the schedule's units: pure logic. */
import { describe, expect, it } from 'vitest';
import { groupBackups, planPrune, type SnapshotView } from '../../shared/backup/catalog';
import { TAG } from '../../shared/backup/profile';
import { cronSpec, onCalendar, parseInterval, scheduleFiles } from '../../shared/backup/schedule';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-30T00:00:00Z');

function snap(id: string, run: string | null, daysAgo: number, state: SnapshotView['state'] = 'completed', installation = 'inst-a', root = true): SnapshotView {
  return {
    id,
    disk: root ? 'vol-root' : 'vol-data',
    root,
    state,
    progress: state === 'completed' ? 100 : 40,
    sizeGiB: root ? 8 : 20,
    startedAt: new Date(NOW - daysAgo * DAY).toISOString(),
    tags: run ? { [TAG.installation]: installation, [TAG.run]: run, [TAG.mode]: 'live' } : { Name: 'by hand' },
  };
}

describe('catalog', () => {
  it('groups a run’s root and data snapshots into one backup, newest first, with the slowest progress', () => {
    const b = groupBackups([snap('s1', 'r1', 2), snap('s2', 'r1', 2, 'pending', 'inst-a', false), snap('s3', 'r2', 1), snap('s4', null, 0)], 'inst-a');
    expect(b.map((x) => [x.id, x.state, x.ours, x.sizeGiB])).toEqual([['s4', 'completed', false, 8], ['r2', 'completed', true, 8], ['r1', 'pending', true, 28]]);
    expect(b[2].progress).toBe(40);
    expect(b[2].snapshots.map((s) => s.id)).toEqual(['s1', 's2']);
  });

  it('another installation’s snapshots are foreign', () => {
    const [b] = groupBackups([snap('s1', 'r1', 1, 'completed', 'inst-b')], 'inst-a');
    expect(b.ours).toBe(false);
  });
});

describe('prune', () => {
  const backups = () =>
    groupBackups(
      [snap('a', 'r-old', 30), snap('b', 'r-used', 20), snap('c', 'r-mid', 10), snap('d', 'r-new', 1), snap('e', 'r-running', 0, 'pending'), snap('f', null, 40), snap('g', 'r-fail', 25, 'error'), snap('h', 'r-other', 50, 'completed', 'inst-b')],
      'inst-a',
      new Set(['b']),
    );

  it('never deletes the newest completed, an in-use, a pending or a foreign backup', () => {
    const d = Object.fromEntries(planPrune(backups(), { keepLast: 1 }, NOW).map((x) => [x.backup.id, `${x.action}: ${x.why}`]));
    expect(d).toEqual({
      'r-running': 'keep: still in progress',
      'r-new': 'keep: the newest completed backup',
      'r-mid': 'delete: outside the retention',
      'r-used': 'keep: a restore run is using it',
      'r-fail': 'delete: failed backup, outside the retention',
      'r-old': 'delete: outside the retention',
      f: 'keep: not taken by Drydock for this installation',
      h: 'keep: not taken by Drydock for this installation',
    });
  });

  it('keep-days and keep-last together keep either', () => {
    const d = planPrune(backups(), { keepLast: 2, keepDays: 15 }, NOW).filter((x) => x.action === 'delete').map((x) => x.backup.id);
    expect(d).toEqual(['r-fail', 'r-old']);
  });

  it('keeps the newest completed even with keep-days 0', () => {
    const d = planPrune(backups(), { keepDays: 0 }, NOW);
    expect(d.find((x) => x.backup.id === 'r-new')?.action).toBe('keep');
  });

  it('refuses to plan without a rule', () => {
    expect(() => planPrune(backups(), {}, NOW)).toThrow(/--keep-last/);
  });
});

describe('schedule', () => {
  it('turns intervals into OnCalendar expressions and cron lines', () => {
    expect([onCalendar(parseInterval('15m')), cronSpec(parseInterval('15m'))]).toEqual(['*-*-* *:00/15:00', '*/15 * * * *']);
    expect([onCalendar(parseInterval('6h')), cronSpec(parseInterval('6h'))]).toEqual(['*-*-* 00/6:00:00', '0 */6 * * *']);
    expect([onCalendar(parseInterval('1d')), cronSpec(parseInterval('1d'))]).toEqual(['*-*-* 00:00:00', '0 0 * * *']);
    expect([onCalendar(parseInterval('1w')), cronSpec(parseInterval('1w'))]).toEqual(['Mon *-*-* 00:00:00', '0 0 * * 1']);
    expect(cronSpec(parseInterval('3d'))).toBeNull();
    for (const bad of ['5h', '7m', '90m', '0h', 'soon']) expect(() => parseInterval(bad)).toThrow(/--every/);
  });

  it('writes a oneshot service and a persistent timer', () => {
    const f = scheduleFiles('prod', parseInterval('6h'), '/opt/drydock/drydock', '/home/admin/.drydock');
    expect(f.timer).toContain('Persistent=true');
    expect(f.timer).toContain('Unit=drydock-backup-prod.service');
    expect(f.service).toContain('Type=oneshot');
    expect(f.service).toContain('ExecStart=/opt/drydock/drydock backup run --profile prod --yes');
    expect(f.crontab).toBe("0 */6 * * * DRYDOCK_HOME='/home/admin/.drydock' '/opt/drydock/drydock' backup run --profile 'prod' --yes >>'/home/admin/.drydock/backup-cron.log' 2>&1");
  });
});

describe('schedule of a restore job', () => {
  it('a weekly DR drill: the same oneshot service and persistent timer, running restore run --drill --yes', () => {
    const f = scheduleFiles('prod', parseInterval('1w'), '/opt/drydock/drydock', '/home/admin/.drydock', {
      unitName: 'drydock-restore-drill-spare1',
      what: 'DR drill (spare spare1)',
      args: ['restore', 'run', '--spare', 'spare1', '--profile', 'prod', '--drill', '--yes'],
      log: 'restore-drill-cron.log',
    });
    expect(f.timer).toContain('Unit=drydock-restore-drill-spare1.service');
    expect(f.timer).toContain('OnCalendar=Mon *-*-* 00:00:00');
    expect(f.service).toContain('ExecStart=/opt/drydock/drydock restore run --spare spare1 --profile prod --drill --yes');
    expect(f.crontab).toBe("0 0 * * 1 DRYDOCK_HOME='/home/admin/.drydock' '/opt/drydock/drydock' restore run --spare 'spare1' --profile 'prod' --drill --yes >>'/home/admin/.drydock/restore-drill-cron.log' 2>&1");
  });
});
