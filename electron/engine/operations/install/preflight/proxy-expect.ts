/**
 * Was a host given proxy settings by Drydock's proxy feature? Its runs say so:
 * the newest proxy apply that wrote a backup set on the host (its files were
 * written, whatever a later step of that run did), unless a later finished
 * rollback on this laptop touched that host.
 */
import { RunStore } from '../../../runbook/run-store';

export function proxyConfiguredOn(home: string, host: string): boolean {
  const runs = new RunStore(home)
    .list()
    .filter((r) => r.operation === 'proxy-apply' || (r.operation === 'proxy-rollback' && r.status === 'done'))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  for (const run of runs) {
    if (run.operation === 'proxy-apply') {
      if ((run.state as { records?: Record<string, unknown> } | null)?.records?.[host]) return true;
    } else if (JSON.stringify(run.state ?? {}).includes(`"${host}"`)) {
      return false;
    }
  }
  return false;
}
