/**
 * The restarts still owed after an apply or rollback whose restart was
 * declined or cut short: the files on the hosts are already right, only the
 * services still run the old settings. The same two steps as apply and
 * rollback, so only the hosts the admin ticked are restarted, in the guide's
 * order, and each is cleared from the owed list once it is done.
 */
import type { z } from 'zod';
import { RestartConsentSchema, type RestartResult } from '../../../../shared/channels/proxy';
import { DrydockError } from '../../../../shared/errors';
import { defineOperation } from '../operation';
import { PendingRestarts } from './pending-restarts';
import { dockerRestartStep, replicatedRestartStep, type RestartState } from './restart-steps';
import { proxyTopology } from './topology';

type Input = z.output<typeof RestartConsentSchema>;

export const proxyRestart = defineOperation({
  name: 'proxy-restart',
  title: 'Proxy: restarts still owed',
  input: RestartConsentSchema,
  initialState: (): RestartState => ({ nomadHosts: [], restartedReplicated: false, restartedDocker: [] }),
  steps: [
    {
      name: 'owed',
      title: 'Read which restarts are still owed',
      check: async (ctx) => ctx.state.servicesHost !== undefined,
      apply: async (ctx) => {
        const owed = new PendingRestarts(ctx.services.home).read();
        const topology = proxyTopology(ctx.services.inventory);
        // Checked before any state is kept: the state is this step's "already done?", and a resume must check again.
        const unknown = ctx.input.restartDocker.filter((h) => !topology.nomadClients.some((c) => c.name === h));
        if (unknown.length) throw new DrydockError('INVALID_INPUT', `${unknown.join(', ')} ${unknown.length > 1 ? 'are not Nomad clients' : 'is not a Nomad client'} in the inventory: nothing was restarted`);
        ctx.state.servicesHost = topology.services.name;
        ctx.state.nomadHosts = topology.nomadClients.map((h) => h.name).filter((h) => owed.docker.includes(h));
        const list = new PendingRestarts(ctx.services.home).describe();
        ctx.note(list.length ? `owed: ${list.join(', ')}` : 'no restart is owed');
      },
    },
    replicatedRestartStep<Input, RestartState>(),
    dockerRestartStep<Input, RestartState>(() => null),
  ],
  result: (state: RestartState): Omit<RestartResult, 'runId' | 'pendingRestarts'> => {
    const restarted = { replicated: state.restartedReplicated, docker: state.restartedDocker };
    const parts = [restarted.replicated ? 'Restarted Replicated' : '', restarted.docker.length ? `restarted Docker on ${restarted.docker.join(', ')}` : ''].filter(Boolean);
    const summary = parts.length ? parts.join('; ') + '.' : 'Nothing was restarted.';
    return { restarted, summary: summary.charAt(0).toUpperCase() + summary.slice(1) };
  },
});
