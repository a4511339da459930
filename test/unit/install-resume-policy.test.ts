/**
 * A resumed install run says what it will still install, start or drain
 * (read from its state), so Runbooks and `drydock runs resume` ask first;
 * once that is done, nothing is asked.
 */
import { describe, expect, it } from 'vitest';
import { restartsOnResume } from '../../shared/resume-policy';

describe('install runs on resume', () => {
  it('Services install: the installer until it has run, then nothing', () => {
    expect(restartsOnResume('install-services', {}, { host: 'services', installerRan: false })).toEqual([expect.stringMatching(/^the Replicated installer on services/)]);
    expect(restartsOnResume('install-services', {}, { host: 'services', installerRan: true })).toEqual([]);
  });
  it('Nomad provisioning: owed Docker restarts and the clients not started yet', () => {
    const state = { clients: { 'nomad-1': { started: true, dockerRestartOwed: true, dockerRestarted: false }, 'nomad-2': { started: false } } };
    expect(restartsOnResume('install-nomad', {}, state)).toEqual(['Docker on nomad-1 (restarted for userns-remap)', 'nomad on nomad-2 (installed, enabled and started)']);
    expect(restartsOnResume('install-nomad', {}, { clients: { 'nomad-1': { started: true } } })).toEqual([]);
  });
  it('drain: the drain until nomad is stopped', () => {
    expect(restartsOnResume('nomad-drain', { host: 'nomad-1' }, { stopped: false })).toEqual([expect.stringContaining('drain of nomad-1')]);
    expect(restartsOnResume('nomad-drain', { host: 'nomad-1' }, { stopped: true })).toEqual([]);
  });
});
