/**
 * Host facts: what a host is before Drydock changes anything on it. The first
 * operation on the runbook model; read-only, so "already done?" just means
 * "already read in this run".
 */
import { z } from 'zod';
import { HostName } from '../../../../shared/hosts';
import type { HostFacts } from '../../../../shared/facts';
import { defineOperation } from '../operation';
import { DrydockError } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';
import { parseDaemonVersion, parseDf, parseMemTotal, parseOsRelease, parseToolVersion, sections } from './parse-facts';

interface FactsState {
  identity?: Pick<HostFacts, 'hostname' | 'os' | 'kernel'>;
  resources?: Pick<HostFacts, 'cpus' | 'memoryBytes' | 'disks'>;
  software?: HostFacts['software'];
}

const SEP = "echo '---drydock---'";

const DAEMON_VERSION = "docker version --format '{{.Server.Version}}'";

/**
 * The Docker daemon's own version, which can differ from the client's
 * (`docker --version`). The daemon's socket is root's (or the docker
 * group's): ask as the login user first, then through sudo. Null when the
 * daemon does not answer either way.
 */
async function daemonVersion(session: HostSession, signal?: AbortSignal): Promise<string | null> {
  let result = await session.run(DAEMON_VERSION, { signal });
  if (result.code !== 0 && !session.isRoot && /permission denied/i.test(result.stderr)) {
    try {
      result = await session.sudo(DAEMON_VERSION, { signal });
    } catch (err) {
      // No sudo for this user (or no password given): the daemon is simply out of reach.
      if (err instanceof DrydockError && err.code === 'SUDO_FAILED') return null;
      throw err;
    }
  }
  return result.code === 0 ? parseDaemonVersion(result.stdout) : null;
}

export const hostFacts = defineOperation({
  name: 'host-facts',
  title: 'Host facts',
  input: z.object({ host: HostName }).strict(),
  initialState: (): FactsState => ({}),
  steps: [
    {
      name: 'identity',
      title: 'Read hostname, OS and kernel',
      check: async (ctx) => !!ctx.state.identity,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.host, ctx.signal);
        const out = await session.check(`hostname; ${SEP}; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release; ${SEP}; uname -r`, { signal: ctx.signal });
        const [hostname, osRelease, kernel] = sections(out, 3);
        ctx.state.identity = { hostname: hostname.trim(), os: parseOsRelease(osRelease), kernel: kernel.trim() };
      },
    },
    {
      name: 'resources',
      title: 'Measure CPUs, memory and disks',
      check: async (ctx) => !!ctx.state.resources,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.host, ctx.signal);
        const out = await session.check(`getconf _NPROCESSORS_ONLN; ${SEP}; cat /proc/meminfo; ${SEP}; df -PkT`, { signal: ctx.signal });
        const [cpus, meminfo, df] = sections(out, 3);
        ctx.state.resources = { cpus: Number(cpus.trim()) || 0, memoryBytes: parseMemTotal(meminfo), disks: parseDf(df) };
      },
      verify: async (ctx) => {
        if (!ctx.state.resources?.cpus) throw new Error('the host reported no CPUs');
      },
    },
    {
      name: 'software',
      title: 'Look for Docker (client and daemon), Nomad and Replicated',
      check: async (ctx) => !!ctx.state.software,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.host, ctx.signal);
        // Each probe may be missing; the script itself must still succeed.
        const out = await session.check(
          `docker --version 2>/dev/null; ${SEP}; nomad version 2>/dev/null | head -n 1; ${SEP}; (replicatedctl version 2>/dev/null || replicated --version 2>/dev/null) | head -n 1; true`,
          { signal: ctx.signal },
        );
        const [docker, nomad, replicated] = sections(out, 3);
        const dockerServer = docker.trim() ? await daemonVersion(session, ctx.signal) : null;
        ctx.state.software = { docker: parseToolVersion(docker), dockerServer, nomad: parseToolVersion(nomad), replicated: parseToolVersion(replicated) };
      },
    },
  ],
  result: (state: FactsState): HostFacts => ({ ...state.identity!, ...state.resources!, software: state.software! }),
});
