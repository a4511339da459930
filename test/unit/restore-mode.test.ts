/** Which recovery a run is, for the wizard's headings and its last panel, when the page has neither the plan nor the result. */
import { describe, expect, it } from 'vitest';
import { recoveryMode } from '../../renderer/wizards/restore/recovery-runs';
import type { RunStep } from '../../shared/runs';

const step = (name: string, status: RunStep['status'], message?: string) => ({ name, title: name, status, ...(message ? { message } : {}) }) as RunStep;

describe('recoveryMode', () => {
  it('takes the mode the plan or result says first', () => {
    expect(recoveryMode({ steps: [step('start-app', 'skipped', 'Refresh-spare: start not done')] }, 'drill')).toBe('drill');
  });

  it("reads a refresh or a drill from the engine's own step notes (a page opened again)", () => {
    expect(recoveryMode({ steps: [step('start-app', 'skipped', "Refresh-spare: the app is left stopped; the spare's disk is marked ready")] })).toBe('refresh-spare');
    expect(recoveryMode({ steps: [step('repoint-nomad', 'skipped', 'Drill: Nomad clients re-pointing not done')] })).toBe('drill');
  });

  it('a run with no such note yet is taken for a restore (its first steps are the same)', () => {
    expect(recoveryMode({ steps: [step('create-volume', 'running'), step('start-app', 'pending')] })).toBe('restore');
    expect(recoveryMode(undefined)).toBe('restore');
  });
});
