/**
 * What a resume lists before it restarts anything (shared/resume-policy.ts):
 * exactly the restarts recorded in the run's input, and for a certificate
 * install the app's stop and start as well (its own confirmation says so).
 */
import { describe, expect, it } from 'vitest';
import { restartsNeedConfirmation, restartsOnResume } from '../../shared/resume-policy';

describe('restartsOnResume', () => {
  it('lists the restarts ticked when a proxy run started, host by host, and nothing else', () => {
    expect(restartsOnResume('proxy-apply', { restartReplicated: true, restartDocker: ['nomad-1', 'nomad-2'] })).toEqual([
      'Replicated on the Services machine',
      'Docker on nomad-1',
      'Docker on nomad-2',
    ]);
    expect(restartsOnResume('proxy-rollback', { restartReplicated: false, restartDocker: ['nomad-2'] })).toEqual(['Docker on nomad-2']);
    expect(restartsOnResume('proxy-restart', { restartReplicated: false, restartDocker: [] })).toEqual([]);
    // What the run's state records as restarted is not listed again: its step is done and is not run again.
    const all = { restartReplicated: true, restartDocker: ['nomad-1', 'nomad-2'] };
    expect(restartsOnResume('proxy-apply', all, { restartedReplicated: true, restartedDocker: [] })).toEqual(['Docker on nomad-1', 'Docker on nomad-2']);
    expect(restartsOnResume('proxy-apply', all, { restartedReplicated: true, restartedDocker: ['nomad-1'] })).toEqual(['Docker on nomad-2']);
    expect(restartsOnResume('proxy-apply', all, { restartedReplicated: true, restartedDocker: ['nomad-1', 'nomad-2'] })).toEqual([]);
    // A boolean from an older runbook is not a host list: no host is named, none is assumed.
    expect(restartsOnResume('proxy-apply', { restartReplicated: false, restartDocker: true })).toEqual([]);
  });

  it('says a certificate install stops and starts the app again, not only replicated-ui', () => {
    const listed = restartsOnResume('install-certificate', { services: 'services', bundle: 'b' })!;
    expect(listed.join(' ')).toMatch(/CircleCI app .*stopped, then started again: downtime/);
    expect(listed.join(' ')).toMatch(/replicated-ui/);
  });

  it('is null for operations that restart nothing', () => {
    expect(restartsOnResume('host-facts', { host: 'x' })).toBeNull();
    expect(restartsOnResume('customize', {})).toBeNull();
  });

  it('names the run and how to confirm', () => {
    expect(restartsNeedConfirmation('run-1', ['Docker on nomad-1'])).toBe(
      'Resuming run run-1 restarts Docker on nomad-1. Confirm it (Runbooks: Resume and restart; CLI: drydock runs resume run-1 --yes).',
    );
  });
});
