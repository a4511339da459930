/**
 * The restarts that make the files take effect, in the guide's order. Both
 * interrupt something (the admin console and app; builds on a Nomad client),
 * so the operations only call these after the admin agreed.
 */
import { DrydockError } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';

/** "Stop replicated-ui, replicated, replicated-operator; start replicated-ui, replicated-operator, replicated." */
export const REPLICATED_RESTART_ORDER: readonly (readonly ['stop' | 'start', string])[] = [
  ['stop', 'replicated-ui'],
  ['stop', 'replicated'],
  ['stop', 'replicated-operator'],
  ['start', 'replicated-ui'],
  ['start', 'replicated-operator'],
  ['start', 'replicated'],
];

/** systemctl where there is systemd, `service` on Upstart-era hosts (Ubuntu 14.04). */
function unitCommand(verb: string, unit: string): string {
  return sh`if command -v systemctl >/dev/null 2>&1; then systemctl ${verb} ${unit}; else service ${unit} ${verb}; fi`;
}

export async function restartReplicated(session: HostSession, note: (m: string) => void, signal?: AbortSignal): Promise<void> {
  for (const [verb, unit] of REPLICATED_RESTART_ORDER) {
    note(`${verb} ${unit}`);
    await session.check(unitCommand(verb, unit), { asRoot: true, signal, shown: `systemctl ${verb} ${unit}` });
  }
}

/** Units that are not active, of those given. */
export async function inactiveUnits(session: HostSession, units: string[], signal?: AbortSignal): Promise<string[]> {
  const inactive: string[] = [];
  for (const unit of units) {
    const r = await session.sudo(sh`if command -v systemctl >/dev/null 2>&1; then systemctl is-active ${unit}; else service ${unit} status; fi`, { signal });
    if (r.code !== 0) inactive.push(unit);
  }
  return inactive;
}

export async function restartDocker(session: HostSession, signal?: AbortSignal): Promise<void> {
  await session.check('systemctl daemon-reload', { asRoot: true, signal });
  await session.check(unitCommand('restart', 'docker'), { asRoot: true, signal, shown: 'systemctl restart docker' });
}

/**
 * Whether the Docker daemon's unit carries the proxy the drop-in names, as
 * `systemctl show` reports it after the reload. systemd prints `%` where the
 * file says `%%`, so both are compared unescaped.
 */
export async function dockerSeesProxy(session: HostSession, httpProxyUrl: string, signal?: AbortSignal): Promise<void> {
  const out = await session.check('systemctl show --property=Environment docker', { asRoot: true, signal });
  const env = out.replace(/%%/g, '%');
  if (!env.includes(`HTTP_PROXY=${httpProxyUrl}`)) {
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: Docker does not report the proxy after the restart (systemctl show docker: ${env.replace(/:[^:@\s]*@/g, ':***@').trim() || 'no Environment'})`, {
      host: session.host.name,
    });
  }
}
