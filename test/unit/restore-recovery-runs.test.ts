/**
 * The Restore wizard's reading of recovery runs: which one is unfinished
 * (the app lands on it), where a run stands, and what an abort would undo,
 * newest first.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/runs';
import { drillSafety, fingerprintsIn, isUnfinished, notUndone, pastNoReturn, runPhase, undoList, unfinishedRecoveryRun } from '../../renderer/wizards/restore/recovery-runs';

function run(over: Partial<RunSummary>): RunSummary {
  return { id: 'r1', operation: 'restore', status: 'running', startedAt: '2026-11-30T01:00:00Z', updatedAt: '2026-11-30T01:00:00Z', steps: [], ...over };
}

describe('recovery runs', () => {
  it('an unfinished recovery run is running, aborting, or stopped and resumable; the newest wins', () => {
    expect(isUnfinished(run({}))).toBe(true);
    expect(isUnfinished(run({ status: 'failed' }))).toBe(true);
    expect(isUnfinished(run({ status: 'interrupted', resumable: false }))).toBe(false);
    expect(isUnfinished(run({ status: 'done' }))).toBe(false);
    expect(isUnfinished(run({ status: 'aborted' }))).toBe(false);
    expect(isUnfinished(run({ operation: 'proxy-apply' }))).toBe(false);
    const older = run({ id: 'old', status: 'failed', startedAt: '2026-11-30T00:00:00Z' });
    const newer = run({ id: 'new', status: 'interrupted', startedAt: '2026-11-30T02:00:00Z' });
    expect(unfinishedRecoveryRun([older, newer, run({ id: 'done', status: 'done', startedAt: '2026-11-30T03:00:00Z' })])?.id).toBe('new');
    expect(unfinishedRecoveryRun([run({ status: 'done' })])).toBeUndefined();
  });

  it('a stop for a host key is told apart from a failed step', () => {
    expect(runPhase(run({ status: 'failed', errorCode: 'CONFIRMATION_REQUIRED' }))).toBe('host-key');
    expect(runPhase(run({ status: 'failed', errorCode: 'COMMAND_FAILED' }))).toBe('stopped');
    expect(runPhase(run({ status: 'running', aborting: true }))).toBe('aborting');
    expect(runPhase(run({ status: 'interrupted', aborting: true, errorCode: 'CONFIRMATION_REQUIRED' }))).toBe('stopped');
    expect(runPhase(run({ status: 'aborted' }))).toBe('aborted');
  });

  it('abort lists the undo of the steps done, newest first, and names those it cannot undo', () => {
    const r = run({
      status: 'failed',
      steps: [
        { name: 'create-volume', title: 'Create the volume', status: 'done', undoable: true },
        { name: 'stop-spare', title: 'Stop the spare', status: 'done', undoable: true },
        { name: 'read', title: 'Read the console', status: 'done' },
        { name: 'no-proxy', title: 'Find entries', status: 'skipped', message: 'Skipped by the admin: …', undoable: true },
        { name: 'swap-root', title: 'Swap the root', status: 'failed', undoable: true },
        { name: 'start', title: 'Start', status: 'pending', undoable: true },
      ],
    });
    // The failed step may have half happened: its undo runs too (it checks the real world); so does a step the
    // admin skipped, which failed before it was skipped and may have written part-way.
    expect(undoList(r).map((s) => s.name)).toEqual(['swap-root', 'no-proxy', 'stop-spare', 'create-volume']);
    expect(notUndone(r).map((s) => s.name)).toEqual(['read']);
  });

  it('abort is not offered once the point of no return is done (a drill passing over it does not count)', () => {
    const steps = (status: 'done' | 'skipped' | 'pending', message?: string) => [
      { name: 'verify', title: 'Verify', status: 'done' as const },
      { name: 'repoint-nomad', title: 'Re-point the Nomad clients', status, pointOfNoReturn: 'the clients run builds against the spare now', ...(message ? { message } : {}) },
    ];
    expect(pastNoReturn(run({ status: 'failed', steps: steps('done') }))?.name).toBe('repoint-nomad');
    expect(pastNoReturn(run({ status: 'failed', steps: steps('pending') }))).toBeUndefined();
    expect(pastNoReturn(run({ status: 'failed', steps: steps('skipped', 'Drill: Nomad clients re-pointing not done') }))).toBeUndefined();
    expect(pastNoReturn(run({ status: 'failed', steps: steps('skipped', 'Found done') }))?.name).toBe('repoint-nomad');
    // Stopped part-way inside it: some clients may already point at the spare.
    expect(pastNoReturn(run({ status: 'failed', steps: steps('failed') }))?.name).toBe('repoint-nomad');
  });

  it("a drill's plan protects production only with a live outbound-block step", () => {
    const base = [{ name: 'start-app', title: 'Restart Replicated and start the app', skipped: false }];
    expect(drillSafety(base)).toEqual({ blocksOutbound: false, putsBack: false, isolates: false });
    // The cut at the provider before the restored disk boots: only the engine's step, and only when it runs.
    expect(drillSafety([...base, { name: 'isolate-spare', title: "Cut the spare's outbound network", skipped: false }]).isolates).toBe(true);
    expect(drillSafety([...base, { name: 'isolate-spare', title: "Cut the spare's outbound network", skipped: true }]).isolates).toBe(false);
    expect(drillSafety([...base, { name: 'drill-block-load', title: "Load the spare's outbound block", skipped: false }]).blocksOutbound).toBe(true);
    expect(drillSafety([...base, { name: 'drill-block-load', title: "Load the spare's outbound block", skipped: true }]).blocksOutbound).toBe(false);
    // A step whose title merely mentions a block is not the engine's block step.
    expect(drillSafety([...base, { name: 'start-app', title: 'Start the app once the block is loaded', skipped: false }]).blocksOutbound).toBe(false);
    expect(drillSafety([...base, { name: 'drill-put-back', title: 'Put the spare back as it was', skipped: false }]).putsBack).toBe(true);
  });

  it('reads the fingerprints a message names, once each', () => {
    const fp = 'SHA256:' + 'a'.repeat(43);
    expect(fingerprintsIn(`spare presents ${fp} (ed25519); ${fp} is not the primary's`)).toEqual([fp]);
    expect(fingerprintsIn(undefined)).toEqual([]);
  });
});
