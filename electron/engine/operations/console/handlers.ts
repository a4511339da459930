/**
 * Handlers for shared/channels/console.ts. One console tunnel per engine
 * (per window / browser-mode server): opening again returns the open one.
 */
import path from 'node:path';
import type { consoleChannels, TunnelStateView } from '../../../../shared/channels/console';
import { DrydockError } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import { applySettings, exportUsageStats, planRollback, planSettings, rollbackSettings, showSettings } from './settings';
import { ConsoleTunnel, type TunnelState } from './tunnel';
import { resetConsolePassword } from './password';

type ConsoleChannel = keyof typeof consoleChannels;

const view = (s: TunnelState): TunnelStateView => {
  const { certificate, ...rest } = s;
  return { ...rest, subject: certificate?.subject ?? '' };
};

export function consoleHandlers(engine: Engine): Pick<Handlers, ConsoleChannel> {
  let tunnel: ConsoleTunnel | undefined;
  return {
    'console:open': async ({ services, port, address }) => {
      if (tunnel?.state().open) return view(tunnel.state());
      tunnel = await ConsoleTunnel.open(engine, { services, localPort: port, remoteAddress: address });
      return view(tunnel.state());
    },
    'console:state': async () => ({ tunnel: tunnel ? view(tunnel.state()) : null }),
    'console:close': async () => {
      const open = !!tunnel?.state().open;
      await tunnel?.close();
      return { closed: open };
    },
    'console:reset-password': async ({ services }, ctx) => resetConsolePassword(engine, { services, signal: ctx.signal }),
    'settings:show': async ({ services }, ctx) => showSettings(engine, { services, signal: ctx.signal }),
    'settings:plan': async ({ services, changes }, ctx) => planSettings(engine, changes, { services, signal: ctx.signal }),
    'settings:apply': async ({ services, changes, restart, planFingerprint }, ctx) => applySettings(engine, changes, { services, restart, planFingerprint, signal: ctx.signal, emit: ctx.emit }),
    'settings:rollback-plan': async ({ services }, ctx) => planRollback(engine, { services, signal: ctx.signal }),
    'settings:rollback': async ({ services, restart }, ctx) => rollbackSettings(engine, { services, restart, signal: ctx.signal }),
    'settings:usage-export': async ({ services, out }, ctx) => {
      if (!path.isAbsolute(out)) throw new DrydockError('INVALID_INPUT', `--out must be an absolute path on this machine, not ${out}`);
      return exportUsageStats(engine, out, { services, signal: ctx.signal });
    },
  };
}
