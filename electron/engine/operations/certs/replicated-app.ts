/**
 * Stopping and starting the CircleCI app through Replicated, waiting the way
 * CircleCI's own renewal script does: poll `replicatedctl app status inspect`
 * until the state is reached and nothing is transitioning.
 */
import { sleep } from '../../sleep';
import { DrydockError } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';

export interface AppStatus {
  State: string;
  DesiredState?: string;
  Error?: string;
  IsTransitioning?: boolean;
}

export async function appStatus(session: HostSession, signal?: AbortSignal): Promise<AppStatus> {
  const out = await session.check('replicatedctl app status inspect', { asRoot: true, signal });
  try {
    const parsed = JSON.parse(out) as AppStatus[];
    if (!Array.isArray(parsed) || !parsed[0]) throw new Error('empty');
    return parsed[0];
  } catch {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: replicatedctl app status inspect did not print the expected JSON: ${out.slice(0, 200)}`);
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** CircleCI's script waits up to 10 minutes. */
  timeoutMs?: number;
  pollMs?: number;
  onPoll?(status: AppStatus): void;
}

export async function waitForState(session: HostSession, want: 'started' | 'stopped', options: WaitOptions = {}): Promise<AppStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const status = await appStatus(session, options.signal);
    options.onPoll?.(status);
    if (status.Error) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: Replicated reports an error while the app is ${status.State}: ${status.Error}`);
    if (status.State === want && !status.IsTransitioning) return status;
    if (Date.now() > deadline) {
      throw new DrydockError('TIMEOUT', `${session.host.name}: the app is still ${status.State} after ${Math.round((options.timeoutMs ?? 600_000) / 60_000)} min (waiting for ${want}). Check /var/log/replicated, then resume the run.`);
    }
    await sleep(options.pollMs ?? 2_000, options.signal);
  }
}
