/** Starting a restore run (being built). */
import type { RestoreRunRequest, RestoreRunResult } from '../../../../shared/channels/restore';
import { DrydockError } from '../../../../shared/errors';
import type { CallContext } from '../../api/types';
import type { Engine } from '../../engine';

export async function runRestore(_engine: Engine, _req: RestoreRunRequest, _ctx: CallContext): Promise<RestoreRunResult> {
  throw new DrydockError('INTERNAL', 'restore run: not built yet on this branch');
}

export async function trustSpareKey(_engine: Engine, _runId: string, _fingerprint: string, _confirmed: boolean, _signal?: AbortSignal): Promise<never> {
  throw new DrydockError('INTERNAL', 'restore trust-key: not built yet on this branch');
}
