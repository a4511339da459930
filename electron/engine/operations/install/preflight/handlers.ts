/** Install preflight and capacity channels: thin, the work is in run-preflight.ts and shared/install. */
import type { Engine } from '../../../engine';
import type { Handlers } from '../../../api/types';
import { DrydockError } from '../../../../../shared/errors';
import { capacityPlan } from '../../../../../shared/install/capacity';
import type { PreflightReport } from '../../../../../shared/install/preflight';
import { exportPreflight } from './export';
import { installPreflight } from './operation';
import { lastPreflight } from './run-preflight';

type InstallHandlers = Pick<Handlers, 'install:preflight' | 'install:preflight-last' | 'install:preflight-export' | 'install:capacity'>;

function requireLast(engine: Engine) {
  const last = lastPreflight(engine.home);
  if (!last) throw new DrydockError('NOT_FOUND', 'No preflight has run yet: run one first (drydock preflight).');
  return last;
}

export function preflightHandlers(engine: Engine): InstallHandlers {
  return {
    'install:preflight': async (req, ctx) => (await engine.runner.start<PreflightReport>(installPreflight, req, { emit: ctx.emit, signal: ctx.signal })).result,
    'install:preflight-last': async () => lastPreflight(engine.home),
    'install:preflight-export': async ({ format }) => exportPreflight(requireLast(engine), format, `Drydock ${engine.version}`),
    'install:capacity': async ({ clients }) =>
      capacityPlan(
        clients ??
          requireLast(engine)
            .hosts.filter((h) => h.role === 'nomad' && h.cpus !== null && h.memoryBytes !== null)
            .map((h) => ({ host: h.host, cpus: h.cpus!, memoryBytes: h.memoryBytes! })),
      ),
  };
}
