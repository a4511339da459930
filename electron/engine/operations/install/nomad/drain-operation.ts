/**
 * Drain and remove a Nomad client (admin-commands.md §2, "Scale-in"):
 * `nomad node-drain -enable -yes` on the Services machine, wait for the
 * node's running allocations to reach 0, then stop (and disable) nomad on
 * the client. The drain moves the client's builds elsewhere, so it runs
 * only once confirmed, and a resume does not drain twice.
 */
import type { NomadDrainResult } from '../../../../../shared/channels/install-services';
import { NomadDrainRequestSchema } from '../../../../../shared/channels/install-services';
import { DrydockError } from '../../../../../shared/errors';
import type { NomadNode } from '../../../../../shared/install/nomad';
import { defineOperation, type StepContext } from '../../operation';
import { proxyTopology } from '../../proxy/topology';
import { sleep } from '../../../sleep';
import { unitActive } from './client-files';
import { drainNode, nodeList, nodeName } from './cluster';
import type { z } from 'zod';

type Input = z.output<typeof NomadDrainRequestSchema>;

export interface DrainState {
  servicesHost?: string;
  nodeId?: string;
  name?: string;
  allocsAtStart?: number;
  allocsLeft?: number;
  stopped: boolean;
}

type Ctx = StepContext<Input, DrainState>;

/** The client's node as the Nomad server lists it (with running allocations). */
export async function findNode(ctx: Pick<Ctx, 'services' | 'signal'>, host: string): Promise<{ servicesHost: string; node: NomadNode }> {
  if (ctx.services.inventory.get(host).role !== 'nomad') throw new DrydockError('INVALID_INPUT', `${host} is not a Nomad client in the inventory`);
  const servicesHost = proxyTopology(ctx.services.inventory).services.name;
  const name = await nodeName(await ctx.services.pool.session(host, ctx.signal), ctx.signal);
  const nodes = await nodeList(await ctx.services.pool.session(servicesHost, ctx.signal), { allocs: true, signal: ctx.signal });
  const node = nodes.find((n) => n.name === name);
  if (!node) throw new DrydockError('NOT_FOUND', `${host} (node name ${name}) is not in nomad node-status on ${servicesHost}`);
  return { servicesHost, node };
}

export const nomadDrain = defineOperation({
  name: 'nomad-drain',
  title: 'Drain and remove a Nomad client',
  input: NomadDrainRequestSchema,
  initialState: (): DrainState => ({ stopped: false }),
  steps: [
    {
      name: 'find',
      title: 'Find the node in nomad node-status',
      check: async (ctx) => !!ctx.state.nodeId,
      apply: async (ctx) => {
        if (!ctx.input.confirm) throw new DrydockError('CONFIRMATION_REQUIRED', `Draining ${ctx.input.host} moves its builds to other clients: confirm first`);
        const { servicesHost, node } = await findNode(ctx, ctx.input.host);
        Object.assign(ctx.state, { servicesHost, nodeId: node.id, name: node.name, allocsAtStart: node.runningAllocs ?? 0 });
        ctx.note(`node ${node.id} (${node.name}), ${node.runningAllocs ?? 0} running allocation(s)`);
      },
    },
    {
      name: 'drain',
      title: 'Drain the node (nomad node-drain -enable -yes)',
      check: async (ctx) => {
        const nodes = await nodeList(await ctx.services.pool.session(ctx.state.servicesHost!, ctx.signal), { signal: ctx.signal });
        return nodes.find((n) => n.id === ctx.state.nodeId)?.drain === true;
      },
      apply: async (ctx) => drainNode(await ctx.services.pool.session(ctx.state.servicesHost!, ctx.signal), ctx.state.nodeId!, ctx.signal),
    },
    {
      name: 'wait',
      title: 'Wait for 0 running allocations',
      apply: async (ctx) => {
        const server = await ctx.services.pool.session(ctx.state.servicesHost!, ctx.signal);
        const deadline = Date.now() + ctx.input.waitMinutes * 60_000;
        for (;;) {
          const node = (await nodeList(server, { allocs: true, signal: ctx.signal })).find((n) => n.id === ctx.state.nodeId);
          if (!node) throw new DrydockError('NOT_FOUND', `node ${ctx.state.nodeId} left nomad node-status before its allocations reached 0`);
          ctx.state.allocsLeft = node.runningAllocs ?? 0;
          ctx.note(`${ctx.state.allocsLeft} running allocation(s) left`);
          if (ctx.state.allocsLeft === 0) return;
          if (Date.now() + ctx.input.pollSeconds * 1000 > deadline) {
            throw new DrydockError('TIMEOUT', `${ctx.input.host}: ${ctx.state.allocsLeft} allocation(s) still running after ${ctx.input.waitMinutes} min of draining; nomad was not stopped. Resume this run to wait again.`);
          }
          await sleep(ctx.input.pollSeconds * 1000, ctx.signal);
        }
      },
    },
    {
      name: 'stop',
      title: 'Stop nomad on the client',
      check: async (ctx) => !(await unitActive(await ctx.services.pool.session(ctx.input.host, ctx.signal), 'nomad', ctx.signal)),
      apply: async (ctx) => {
        const s = await ctx.services.pool.session(ctx.input.host, ctx.signal);
        await s.check('systemctl stop nomad', { asRoot: true, signal: ctx.signal });
        await s.check('systemctl disable nomad', { asRoot: true, signal: ctx.signal });
        ctx.state.stopped = true;
      },
      verify: async (ctx) => {
        if (await unitActive(await ctx.services.pool.session(ctx.input.host, ctx.signal), 'nomad', ctx.signal)) throw new DrydockError('COMMAND_FAILED', `${ctx.input.host}: nomad is still running`);
      },
    },
  ],
  describeChanges: async (ctx) => (ctx.state.nodeId ? `Node ${ctx.state.nodeId} (${ctx.input.host}) may be draining: undo with docker exec nomad nomad node-drain -disable -yes ${ctx.state.nodeId} on ${ctx.state.servicesHost}.` : null),
  result: (state: DrainState, input: Input): Omit<NomadDrainResult, 'runId'> => ({
    host: input.host,
    nodeId: state.nodeId!,
    allocsAtStart: state.allocsAtStart ?? 0,
    stopped: true,
    summary: `${input.host} drained (${state.allocsAtStart ?? 0} allocation(s) moved off) and nomad stopped there; you can now remove the machine.`,
  }),
});
