/** Health, Nomad, support-bundle and report channels: thin, the work is in the modules they call. */
import type { Engine } from '../../engine';
import type { Handlers } from '../../api/types';
import { toHtml } from '../../report/html';
import { toMarkdown } from '../../report/markdown';
import { buildChangeControl } from '../../report/change-control';
import { supportBundle } from '../support/bundle';
import { scalingAdvice } from '../../../../shared/health/scaling';
import { servicesHostName } from '../certs/services-host';
import { checkServicesHealth, nomadStatus } from './services-health';

type HealthHandlers = Pick<Handlers, 'health:check' | 'nomad:status' | 'support:bundle' | 'report:change-control'>;

export function healthHandlers(engine: Engine): HealthHandlers {
  return {
    'health:check': async (req, ctx) =>
      checkServicesHealth(engine, {
        ...req,
        // Where the endpoints listen when not on localhost (services bound to the private address only).
        endpointHost: req.endpointHost ?? process.env.DRYDOCK_HEALTH_ENDPOINT_HOST ?? undefined,
        signal: ctx.signal,
      }),
    'nomad:status': async (req, ctx) => {
      const host = servicesHostName(engine, req.host);
      const nomad = await nomadStatus(await engine.pool.session(host, ctx.signal), ctx.signal);
      return { host, nomad, advice: scalingAdvice(nomad, req.pendingHistory) };
    },
    'support:bundle': async (req, ctx) => {
      const secrets = engine.inventory.list().flatMap((h) => Object.values(engine.credentials.get(h.name)).filter((v): v is string => !!v));
      return supportBundle(engine, { ...req, secrets, emit: ctx.emit, signal: ctx.signal, version: engine.version });
    },
    'report:change-control': async ({ format, ...scope }) => {
      const doc = buildChangeControl({ audit: engine.audit, runs: engine.runner.store, inventory: engine.inventory, knownHosts: engine.knownHosts, version: engine.version }, scope);
      const chain = doc.sections.find((s) => s.id === 'chain')?.blocks[0];
      const base = scope.runId ? `change-control-${scope.runId}` : `change-control-${scope.since!.replace(/[^0-9TZ]/g, '')}`;
      return {
        filename: `${base}.${format === 'html' ? 'html' : 'md'}`,
        content: format === 'html' ? toHtml(doc) : toMarkdown(doc),
        chainOk: chain?.kind === 'verdict' ? chain.ok : false,
      };
    },
  };
}
