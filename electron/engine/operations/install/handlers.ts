/**
 * Handlers for shared/channels/install-services.ts: thin. Plans are
 * read-only; a run without `confirm` is refused before any runbook exists
 * (CONFIRMATION_REQUIRED, with what it would install), so nothing the admin
 * did not see ever starts.
 */
import type { installServicesChannels, NomadDrainResult, NomadInstallResult, ServicesInstallResult } from '../../../../shared/channels/install-services';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import { findNode, nomadDrain } from './nomad/drain-operation';
import { nomadInstall } from './nomad/operation';
import { planNomadInstall } from './nomad/plan';
import { servicesInstall } from './services/operation';
import { planServicesInstall } from './services/plan';

type InstallChannel = keyof typeof installServicesChannels;

/** One run of an operation at a time: two installers on one machine would fight. */
function assertNotRunning(engine: Engine, operation: string): void {
  const running = engine.runner.store.list().find((r) => r.operation === operation && r.status === 'running');
  if (running) throw new DrydockError('CONFLICT', `Run ${running.id} (${operation}) is still going in process ${running.pid}; wait for it to finish`);
}

export function installHandlers(engine: Engine): Pick<Handlers, InstallChannel> {
  return {
    'install:services-plan': async (req, ctx) => (await planServicesInstall(engine, req, ctx.signal)).view,

    'install:services-run': async (req, ctx) => {
      if (!req.confirm) {
        const plan = await planServicesInstall(engine, req.request, ctx.signal);
        throw new DrydockError('CONFIRMATION_REQUIRED', `Installing ${plan.host} will: ${plan.view.installs.join('; ')}. Confirm to go ahead. Nothing was changed.`, { installs: plan.view.installs });
      }
      assertNotRunning(engine, servicesInstall.name);
      const { runId, result } = await engine.runner.start<Omit<ServicesInstallResult, 'runId'>>(servicesInstall, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId };
    },

    'install:nomad-plan': async (req, ctx) => (await planNomadInstall(engine, req, ctx.signal)).view,

    'install:nomad-run': async (req, ctx) => {
      if (!req.confirm) {
        const plan = await planNomadInstall(engine, req.request, ctx.signal);
        throw new DrydockError('CONFIRMATION_REQUIRED', `Provisioning will: ${plan.view.installs.join('; ')}. Confirm to go ahead. Nothing was changed.`, { installs: plan.view.installs });
      }
      assertNotRunning(engine, nomadInstall.name);
      const { runId, result } = await engine.runner.start<Omit<NomadInstallResult, 'runId'>>(nomadInstall, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId };
    },

    'nomad:drain-plan': async ({ host }, ctx) => {
      const { servicesHost, node } = await findNode({ services: engine, signal: ctx.signal }, host);
      const allocs = node.runningAllocs ?? 0;
      return {
        host,
        servicesHost,
        nodeId: node.id,
        name: node.name,
        status: node.status,
        drain: node.drain,
        runningAllocs: allocs,
        summary: `Draining ${host} (node ${node.id}, ${node.status}) moves its ${allocs} running allocation(s) to other clients, waits until none is left, then stops nomad there.`,
      };
    },

    'nomad:drain': async (req, ctx) => {
      if (!req.confirm) throw new DrydockError('CONFIRMATION_REQUIRED', `Draining ${req.host} moves its builds to other clients and stops nomad there. Confirm to go ahead. Nothing was changed.`);
      assertNotRunning(engine, nomadDrain.name);
      const { runId, result } = await engine.runner.start<Omit<NomadDrainResult, 'runId'>>(nomadDrain, req, { emit: ctx.emit, signal: ctx.signal });
      return { ...result, runId };
    },
  };
}
