/**
 * Restore onto the hot spare, on the runbook model (issue 11): the disk swap,
 * the reconnect under the host-key rule, the spare's own identity, the app,
 * its verification, then the clients and the traffic. One recovery run at a
 * time (the recovery lock); abort undoes what was done, newest first, until
 * the Nomad clients were re-pointed.
 */
import type { RestoreRunResult } from '../../../../shared/channels/restore';
import { defineOperation } from '../operation';
import { fixIdentity, reconnect, resetNomad, startApp, stopApp } from './steps-host';
import { repointNomad, switchTraffic, verifyApp } from './steps-after';
import { noProxy } from './steps-no-proxy';
import { drillBlockLoad, drillBlockRemove, drillBlockWrite, drillPutBack } from './steps-drill';
import { attachRoot, copySnapshot, createVolume, detachRoot, startSpare, stopSpare } from './steps-volume';
import { isolateSpare, releaseSpareNetwork } from './steps-isolate';
import { RestoreInput, type RestoreState } from './types';
import { describeRestoreChanges } from './changes';

export type RestoreOutcome = Omit<RestoreRunResult, 'runId' | 'run'>;

export const RESTORE_OPERATION = 'restore-spare';

export const restoreOperation = defineOperation({
  name: RESTORE_OPERATION,
  title: 'Restore onto the hot spare',
  recovery: true,
  input: RestoreInput,
  initialState: (): RestoreState => ({ hostKeys: [], leftToAdmin: [], timings: { startedAt: Date.now() } }),
  steps: [copySnapshot, createVolume, stopSpare, detachRoot, attachRoot, isolateSpare, startSpare, reconnect, stopApp, fixIdentity, resetNomad, drillBlockWrite, drillBlockLoad, noProxy, startApp, verifyApp, repointNomad, switchTraffic, drillBlockRemove, drillPutBack, releaseSpareNetwork],
  result: (state, input): RestoreOutcome => {
    const recoveryPointMs = (state.timings.startedAt ?? Date.now()) - Date.parse(input.backup.startedAt);
    const recoveryTimeMs = state.appVerifiedAt && state.timings.startedAt ? state.appVerifiedAt - state.timings.startedAt : undefined;
    const mode = input.mode;
    return {
      mode,
      backup: input.backup.id,
      recoveryPointMs,
      ...(recoveryTimeMs !== undefined ? { recoveryTimeMs } : {}),
      hostKeys: state.hostKeys.map(({ at: _at, ...k }) => k),
      leftToAdmin: state.leftToAdmin,
      summary:
        mode === 'refresh-spare'
          ? `The spare ${input.spare.host} now holds backup ${input.backup.id} (app left stopped; ${state.isolatedByAdmin ? 'its network was cut by you while it booted production\u2019s disk' : 'cut off at the provider while it booted production\u2019s disk, its network given back at the end'}).`
          : mode === 'drill'
            ? `DR drill on ${input.spare.host} with backup ${input.backup.id}: recovery point ${Math.round(recoveryPointMs / 60_000)} min, measured recovery time ${recoveryTimeMs !== undefined ? `${Math.round(recoveryTimeMs / 1000)} s` : 'not measured (the app was not verified)'}; nothing re-pointed, ${state.isolatedByAdmin ? 'the spare cut off by you' : 'the spare cut off at the provider'} before it booted and outbound traffic blocked while the app ran${state.drillPutBack ? ', the spare is back on its own root' : ''}.`
            : `${input.spare.host} runs the backup ${input.backup.id} (recovery point ${Math.round(recoveryPointMs / 60_000)} min${recoveryTimeMs !== undefined ? `, recovery time ${Math.round(recoveryTimeMs / 1000)} s` : ''}).${state.leftToAdmin.length ? ` Left to you: ${state.leftToAdmin.length} item(s).` : ''}`,
    };
  },
  describeChanges: describeRestoreChanges,
  outcome: (r: RestoreOutcome) => (r.leftToAdmin.length ? { ok: true, message: `Left to the admin: ${r.leftToAdmin.join(' | ')}` } : { ok: true }),
});
