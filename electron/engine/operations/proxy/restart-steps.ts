/**
 * The two restart steps, shared by apply, rollback and the restart of what
 * is still owed: each restarts what the written (or restored) files need,
 * only on the hosts the admin ticked by name, and counts as done once the
 * pending-restart record for that host is cleared, so a resumed run never
 * restarts twice and a declined restart is not forgotten. A host whose
 * restart is owed but was not in the dialog the admin confirmed is never
 * restarted: it stays owed, and the Proxy page keeps saying so.
 */
import type { Step, StepContext } from '../operation';
import { PendingRestarts } from './pending-restarts';
import { dockerSeesProxy, inactiveUnits, restartDocker, restartReplicated } from './restarts';

export interface RestartConsent {
  /** Restart Replicated on the Services machine (the console and app are unavailable meanwhile). */
  restartReplicated: boolean;
  /** The Nomad clients whose Docker the admin agreed to reload and restart, by name. */
  restartDocker: string[];
}

export interface RestartState {
  servicesHost?: string;
  nomadHosts: string[];
  restartedReplicated: boolean;
  restartedDocker: string[];
}

type Ctx<I, S> = StepContext<I, S>;

const pending = (ctx: Ctx<unknown, unknown>) => new PendingRestarts(ctx.services.home);

export function replicatedRestartStep<I extends RestartConsent, S extends RestartState>(): Step<I, S> {
  return {
    name: 'restart-replicated',
    title: "Restart Replicated in the guide's order",
    check: async (ctx) => {
      const host = ctx.state.servicesHost;
      if (!host || !pending(ctx).has('replicated', host)) {
        ctx.note("not needed: the Services machine's files did not change");
        return true;
      }
      if (!ctx.input.restartReplicated) {
        ctx.note('not restarted, as you chose: Replicated keeps the old settings until it restarts (the Proxy page offers the restart until then)');
        return true;
      }
      return false;
    },
    apply: async (ctx) => {
      const host = ctx.state.servicesHost!;
      const session = await ctx.services.pool.session(host, ctx.signal);
      await restartReplicated(session, (m) => ctx.note(`${host}: ${m}`), ctx.signal);
      pending(ctx).clear('replicated', host);
      ctx.state.restartedReplicated = true;
      ctx.note(`${host}: replicated-ui, replicated-operator and replicated started again`);
    },
    verify: async (ctx) => {
      if (!ctx.state.restartedReplicated || !ctx.state.servicesHost) return;
      const session = await ctx.services.pool.session(ctx.state.servicesHost, ctx.signal);
      const down = await inactiveUnits(session, ['replicated-ui', 'replicated-operator', 'replicated'], ctx.signal);
      if (down.length) throw new Error(`${ctx.state.servicesHost}: ${down.join(', ')} did not come back up; check \`systemctl status ${down[0]}\` there`);
    },
  };
}

/** `expectedProxy` is the HTTP proxy Docker should now report, or null when it should merely run. */
export function dockerRestartStep<I extends RestartConsent, S extends RestartState>(expectedProxy: (ctx: Ctx<I, S>) => string | null): Step<I, S> {
  const owed = (ctx: Ctx<I, S>) => ctx.state.nomadHosts.filter((h) => pending(ctx).has('docker', h));
  const agreed = (ctx: Ctx<I, S>) => owed(ctx).filter((h) => ctx.input.restartDocker.includes(h));
  const declined = (ctx: Ctx<I, S>) => owed(ctx).filter((h) => !ctx.input.restartDocker.includes(h));
  return {
    name: 'restart-docker',
    title: 'Reload and restart Docker on Nomad clients',
    check: async (ctx) => {
      if (!owed(ctx).length) {
        ctx.note("not needed: no Nomad client's Docker drop-in changed");
        return true;
      }
      const left = declined(ctx);
      if (left.length) ctx.note(`not restarted, as you chose: Docker on ${left.join(', ')} keeps the old settings until it restarts`);
      return agreed(ctx).length === 0;
    },
    apply: async (ctx) => {
      for (const host of agreed(ctx)) {
        ctx.note(`${host}: systemctl daemon-reload, restart docker`);
        const session = await ctx.services.pool.session(host, ctx.signal);
        await restartDocker(session, ctx.signal);
        pending(ctx).clear('docker', host);
        if (!ctx.state.restartedDocker.includes(host)) ctx.state.restartedDocker.push(host);
      }
      const left = declined(ctx);
      ctx.note(`Docker restarted on ${ctx.state.restartedDocker.join(', ')}${left.length ? `; not restarted, as you chose: Docker on ${left.join(', ')} keeps the old settings until it restarts` : ''}`);
    },
    verify: async (ctx) => {
      const proxy = expectedProxy(ctx);
      for (const host of ctx.state.restartedDocker) {
        const session = await ctx.services.pool.session(host, ctx.signal);
        const down = await inactiveUnits(session, ['docker'], ctx.signal);
        if (down.length) throw new Error(`${host}: docker did not come back up; check \`systemctl status docker\` there`);
        if (proxy) await dockerSeesProxy(session, proxy, ctx.signal);
      }
    },
  };
}
