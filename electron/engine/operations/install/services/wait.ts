/**
 * Waiting for the CircleCI app to come up after install.sh: poll
 * `replicatedctl app status inspect` (CircleCI's own script: every 10 s, up
 * to 10 min) until it says started, not transitioning, no error. While
 * Replicated itself is still starting, replicatedctl fails: that is a status
 * too, shown, not an error. A timeout names the last status seen.
 */
import { sleep } from '../../../sleep';
import { DrydockError } from '../../../../../shared/errors';
import { appReady, describeAppStatus, parseAppStatus, type AppStatus } from '../../../../../shared/install/replicated';
import type { HostSession } from '../../../ssh/session';

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
  /** Each status as it is seen (the GUI's "waiting for started" line). */
  onStatus(text: string): void;
}

export async function waitForAppStarted(session: HostSession, o: WaitOptions): Promise<AppStatus> {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const r = await session.sudo('replicatedctl app status inspect', { signal: o.signal, timeoutMs: 60_000 });
    if (r.code === 0) {
      const status = parseAppStatus(r.stdout);
      last = status ? describeAppStatus(status) : `unreadable answer: ${r.stdout.trim().slice(0, 200)}`;
      if (status && appReady(status)) {
        o.onStatus(last);
        return status;
      }
    } else last = `replicatedctl not answering yet: ${(r.stderr || r.stdout).trim().split('\n').pop()?.slice(0, 200) ?? `exit ${r.code}`}`;
    o.onStatus(last);
    if (Date.now() + o.pollMs > deadline) {
      throw new DrydockError('TIMEOUT', `${session.host.name}: the app did not report started within ${o.timeoutMs < 60_000 ? `${Math.round(o.timeoutMs / 1000)} s` : `${Math.round(o.timeoutMs / 60_000)} min`}; last status: ${last}. Look at /var/log/replicated there, then resume this run to wait again.`, { host: session.host.name, lastStatus: last });
    }
    await sleep(o.pollMs, o.signal);
  }
}
