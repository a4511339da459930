/**
 * Host facts: what a host is before Drydock changes anything on it. The first
 * operation on the runbook model; read-only, so "already done?" just means
 * "already read in this run".
 */
import { z } from 'zod';
import { HostName } from '../../../../shared/hosts';
import type { HostFacts } from '../../../../shared/facts';
import { defineOperation } from '../operation';
import { parseDf, parseMemTotal, parseOsRelease, parseToolVersion, sections } from './parse-facts';

interface FactsState {
  identity?: Pick<HostFacts, 'hostname' | 'os' | 'kernel'>;
  resources?: Pick<HostFacts, 'cpus' | 'memoryBytes' | 'disks'>;
  software?: HostFacts['software'];
}

const SEP = "echo '---drydock---'";

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
      title: 'Look for Docker, Nomad and Replicated',
      check: async (ctx) => !!ctx.state.software,
      apply: async (ctx) => {
        const session = await ctx.services.pool.session(ctx.input.host, ctx.signal);
        // Each probe may be missing; the script itself must still succeed.
        const out = await session.check(
          `docker --version 2>/dev/null; ${SEP}; nomad version 2>/dev/null | head -n 1; ${SEP}; (replicatedctl version 2>/dev/null || replicated --version 2>/dev/null) | head -n 1; true`,
          { signal: ctx.signal },
        );
        const [docker, nomad, replicated] = sections(out, 3);
        ctx.state.software = { docker: parseToolVersion(docker), nomad: parseToolVersion(nomad), replicated: parseToolVersion(replicated) };
      },
    },
  ],
  result: (state: FactsState): HostFacts => ({ ...state.identity!, ...state.resources!, software: state.software! }),
});
