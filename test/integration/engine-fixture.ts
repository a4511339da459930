/**
 * An engine with its own DRYDOCK_HOME whose inventory holds lab hosts,
 * trusted the way an admin would (fingerprint compared with the lab's own
 * `ssh-keygen -lf`), so each integration test starts where a real admin
 * would after setting up Drydock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostRole } from '../../shared/hosts';
import { createEngine, type Engine, type EngineOptions } from '../../electron/engine/engine';
import type { Lab } from '../lab/lab';

export interface EngineFixture {
  engine: Engine;
  home: string;
  dispose(): Promise<void>;
}

export async function engineWithHosts(
  lab: Lab,
  hosts: { name: string; role: HostRole; user?: string; jump?: string; trust?: boolean }[],
  options: EngineOptions = {},
): Promise<EngineFixture> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'drydock-home-'));
  const engine = createEngine({ home, defaultSecrets: {}, ...options });
  for (const h of hosts) {
    const labHost = lab.hosts[h.name];
    if (!labHost) throw new Error(`no lab host ${h.name}`);
    engine.inventory.add({ name: h.name, address: labHost.ip, port: labHost.port, user: h.user ?? 'root', role: h.role, keyPath: lab.clientKey, ...(h.jump ? { jump: h.jump } : {}) });
  }
  for (const h of hosts) {
    if (h.trust !== false) await engine.pool.trust(h.name, lab.hosts[h.name].fingerprint);
  }
  return {
    engine,
    home,
    dispose: async () => {
      await engine.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
