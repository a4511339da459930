/**
 * The preflight tests' world: a lab Services machine, two Nomad clients and a
 * GitHub Enterprise stand-in (a plain lab host: its sshd answers 22, nothing
 * else listens, so 80/443 are "refused"), each made to look like the machine
 * it plays. The lab machine has 2 cores, fewer than any Nomad client needs,
 * so clients see an 8-core /proc/cpuinfo bind-mounted in their own mount
 * namespace: the check reads /proc/cpuinfo on real hosts just the same.
 */
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { fromErrorPayload } from '../../shared/errors';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { startLab, type Lab, type LabHost } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

export interface PreflightWorld {
  lab: Lab;
  fx: EngineFixture;
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  dispose(): Promise<void>;
}

/** Bind-mount `content` over a /proc file inside the host's own mount namespace (gone when the host stops). */
export function standInProcFile(host: LabHost, procFile: string, content: string): void {
  const copy = `/run/drydock-test-${procFile.replace(/\W/g, '_')}`;
  host.writeFile(copy, content, 0o644);
  const r = host.exec(`mount --bind ${copy} ${procFile}`);
  if (r.code !== 0) throw new Error(`bind-mount over ${procFile} on ${host.name}: ${r.stderr}`);
}

export function cpuinfo(n: number): string {
  return Array.from({ length: n }, (_, i) => `processor\t: ${i}\nmodel name\t: lab vCPU\n\n`).join('');
}

export function meminfo(kB: number): string {
  return `MemTotal:       ${kB} kB\nMemFree:        ${Math.floor(kB / 2)} kB\nMemAvailable:   ${Math.floor(kB / 2)} kB\n`;
}

export async function startPreflightWorld(clients = ['nomad-1', 'nomad-2']): Promise<PreflightWorld> {
  const lab = await startLab([{ name: 'services', standins: true }, ...clients.map((name) => ({ name, standins: true })), { name: 'ghe' }]);
  try {
    for (const c of clients) standInProcFile(lab.hosts[c], '/proc/cpuinfo', cpuinfo(8));
    const fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }, ...clients.map((name) => ({ name, role: 'nomad' as const })), { name: 'ghe', role: 'ghe', trust: false }]);
    const handlers = createHandlers(fx.engine);
    return {
      lab,
      fx,
      async call(channel, request) {
        const result = await dispatch(handlers, channel, request, { emit: () => undefined });
        if (!result.ok) throw fromErrorPayload(result.error);
        return result.value as never;
      },
      async dispose() {
        await fx.dispose();
        await lab.stop();
      },
    };
  } catch (err) {
    await lab.stop();
    throw err;
  }
}
