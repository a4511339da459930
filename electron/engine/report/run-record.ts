/**
 * What an operation keeps in its run state for the change-control report:
 * every file it changed with the diff the admin approved (secrets masked,
 * never file contents). Any operation that writes files records them here,
 * under `fileDiffs`, and the report shows them without knowing the operation.
 */
export interface FileDiffRecord {
  host: string;
  path: string;
  action: string;
  /** Unified diff, secrets masked. */
  diff: string;
  at: string;
}

export interface ReportableState {
  fileDiffs?: FileDiffRecord[];
}

/** Record (or replace) the diffs written to one host's files. */
export function recordFileDiffs(state: ReportableState, host: string, files: { path: string; action: string; diff: string }[]): void {
  const at = new Date().toISOString();
  const kept = (state.fileDiffs ?? []).filter((d) => !(d.host === host && files.some((f) => f.path === d.path)));
  state.fileDiffs = [...kept, ...files.map((f) => ({ host, path: f.path, action: f.action, diff: f.diff, at }))];
}
