/** The restore preview (being built: see run.ts). */
import type { RestorePlan, RestorePlanRequest } from '../../../../shared/channels/restore';
import { DrydockError } from '../../../../shared/errors';
import type { Engine } from '../../engine';

export async function planRestore(_engine: Engine, _req: RestorePlanRequest, _signal?: AbortSignal): Promise<RestorePlan> {
  throw new DrydockError('INTERNAL', 'restore plan: not built yet on this branch');
}
