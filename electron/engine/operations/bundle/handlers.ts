/**
 * Handlers for shared/channels/bundle.ts: thin. A push runs as the
 * bundle-push runbook operation (resumable with runs:resume); status reads
 * only the laptop and the inventory.
 */
import type { bundleChannels, BundleFileResult } from '../../../../shared/channels/bundle';
import { DrydockError, toErrorPayload } from '../../../../shared/errors';
import type { Handlers } from '../../api/types';
import type { Engine } from '../../engine';
import { localFile } from './probe';
import { bundlePush } from './push-operation';
import { DEFAULT_BUNDLE_DIR } from './remote-dir';

type BundleChannel = keyof typeof bundleChannels;

/** The hosts a push goes to: the ones named (each must be in the inventory), or every host of the role. */
export function bundleTargets(engine: Engine, hosts: string[] | undefined, role: 'services' | 'nomad' | undefined): string[] {
  if (hosts) return [...new Set(hosts.map((h) => engine.inventory.get(h).name))];
  if (!role) return [];
  const found = engine.inventory.withRole(role).map((h) => h.name);
  if (!found.length) throw new DrydockError('NOT_FOUND', `No host has the role ${role} in the inventory: add it (drydock hosts add … --role ${role}) or name hosts with --to`);
  return found;
}

export function bundleHandlers(engine: Engine): Pick<Handlers, BundleChannel> {
  return {
    'bundle:push': async (req, ctx) => {
      const hosts = bundleTargets(engine, req.hosts, req.role);
      const input = { files: req.files, hosts, dir: req.dir ?? DEFAULT_BUNDLE_DIR };
      const { runId, result } = await engine.runner.start<{ files: BundleFileResult[] }>(bundlePush, input, { emit: ctx.emit, signal: ctx.signal });
      return { runId, files: result.files };
    },
    'bundle:status': async (req) => {
      const files = req.files.map((p) => {
        try {
          const f = localFile(p);
          return { path: p, name: f.name, size: f.size };
        } catch (err) {
          return { path: p, name: p.split(/[\\/]/).pop() ?? p, error: toErrorPayload(err).message };
        }
      });
      return { files, hosts: bundleTargets(engine, req.hosts, req.role), dir: req.dir ?? DEFAULT_BUNDLE_DIR };
    },
  };
}
