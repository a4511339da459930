/**
 * The restore's part of the report (the one report generator, change
 * control): recovery point and time, every step with its timing and result,
 * the host keys seen and how each was proven, and what was left to the
 * admin. Commands and file diffs come from the standard sections.
 */
import { registerReportContributor } from '../../report/change-control';
import type { ReportSection } from '../../report/document';
import type { RunRecord } from '../../runbook/run-store';
import { RESTORE_OPERATION } from './operation';
import type { RestoreInputT, RestoreState } from './types';

const seconds = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 1000).toFixed(1)} s`);

const PROOF: Record<string, string> = {
  primary: "the primary's known key",
  console: "printed by cloud-init on the spare's console (GetConsoleOutput)",
  admin: "confirmed by the admin from the spare's console",
  refused: 'REFUSED: neither the primary\'s key nor on the console; nothing was run under it',
};

/** How the spare was kept from reaching out while it ran production's disk (drill, refresh-spare): by the provider, or by the admin's word. */
function isolationFact(input: RestoreInputT, state: RestoreState): string {
  if (state.isolation) return `cut off at the provider: ${state.isolation.summary}; ${state.networkReleasedAt ? `given back at ${new Date(state.networkReleasedAt).toISOString()}` : 'not given back yet'}`;
  if (state.isolatedByAdmin || input.spareIsolated) return 'the provider could not isolate it; the admin confirmed they cut its outbound network at the hypervisor/cloud (only SSH in), and puts it back';
  return 'not isolated yet';
}

export function restoreSections(run: RunRecord): ReportSection[] {
  const input = run.input as RestoreInputT;
  const state = run.state as RestoreState;
  const started = Date.parse(run.startedAt);
  const point = started - Date.parse(input.backup.startedAt);
  const time = state.appVerifiedAt ? state.appVerifiedAt - (state.timings?.startedAt ?? started) : undefined;
  return [{
    id: `restore-${run.id}`,
    title: `Restore onto ${input.spare.host} (${input.mode}): run ${run.id}`,
    blocks: [
      {
        kind: 'facts',
        rows: [
          ['Backup', `${input.backup.id} (root snapshot ${input.backup.snapshotId}, taken ${input.backup.startedAt})`],
          ['Recovery point', `${seconds(point)} of work lost at most (the backup's age when the restore started)`],
          ['Recovery time', time !== undefined ? `${seconds(time)} from the start of the run to the app verified on the spare` : run.status === 'done' ? 'the app was not verified by Drydock (mode or skipped step)' : 'not reached'],
          ['Spare', `${input.spare.host} ${input.spare.address}, instance ${input.spare.machineId} in ${input.spare.zone}`],
          ['Spare\'s own root', `${input.spare.originalRoot}: detached, tagged drydock:kept-root-of=${input.spare.machineId}, never deleted`],
          ['Restored volume', input.spare.holds ? `none needed: the spare already held backup ${input.spare.holds} on ${input.spare.originalRoot} (refresh-spare), so the volume steps were skipped` : (state.volumeId ?? 'not created')],
          ...(input.mode === 'restore' ? [['Traffic switch', state.trafficVerified ? 'checked: the hostname resolves to the spare from Drydock (this computer and the Nomad clients)' : (state as { trafficConfirmedAt?: string }).trafficConfirmedAt ? `confirmed by the admin at ${(state as { trafficConfirmedAt?: string }).trafficConfirmedAt}` : 'not confirmed: left to the admin'] as [string, string]] : []),
          ...(input.mode !== 'restore' ? [['Spare\'s network before it booted', isolationFact(input, state)] as [string, string]] : []),
          ...(state.dnsAnswers?.length ? [['Where the hostname led', state.dnsAnswers.map((a) => `${a.from}: ${a.addresses.join(', ') || a.error || 'no answer'}`).join('; ')] as [string, string]] : []),
          ['Outcome', run.status + (run.error ? `: ${run.error}` : '')],
        ],
      },
      {
        kind: 'table',
        head: ['Step', 'Status', 'Took', 'Result'],
        rows: run.steps.map((s) => [s.title, s.status, s.startedAt && s.endedAt ? seconds(Date.parse(s.endedAt) - Date.parse(s.startedAt)) : '', s.message ?? '']),
      },
      { kind: 'text', text: 'Host keys the spare presented after it booted the restored disk, and how each was proven:' },
      { kind: 'table', head: ['Fingerprint', 'Type', 'Proof', 'When'], rows: (state.hostKeys ?? []).map((k) => [k.fingerprint, k.keyType ?? '', PROOF[k.proof] ?? k.proof, k.at]) },
      state.leftToAdmin?.length ? { kind: 'list', items: state.leftToAdmin } : { kind: 'text', text: input.mode === 'restore' && run.status === 'done' ? 'Nothing was left to the admin.' : 'Left to the admin: finish or abort the run.' },
    ],
  }];
}

registerReportContributor({
  id: 'restore',
  sections: (c) => c.runs.filter((r) => r.operation === RESTORE_OPERATION).flatMap(restoreSections),
});
