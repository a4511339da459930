/**
 * `drydock health`, `drydock nomad status`, `drydock support-bundle`: see
 * what is broken and what it takes with it, and collect evidence. Exit codes:
 * health 0 healthy or only mild, 5 something severe or moderate down, 1 could
 * not check.
 */
import { parseArgs } from 'node:util';
import type { HealthReport } from '../../shared/health/report';
import { CliExit, EXIT, usage, type CliContext } from './context';
import { bytes } from './format';
import { formatHealth, formatNomad } from './health-format';
import type { CliCommand } from './help';
import { NOMAD_DRAIN_HELP, nomadDrainCommand } from './install';

const yesNoFlag = (v: string | undefined, name: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (/^(yes|true|1)$/i.test(v)) return true;
  if (/^(no|false|0)$/i.test(v)) return false;
  return usage(`--${name} takes yes or no`);
};

export function healthExitCode(r: HealthReport): number {
  return r.verdict === 'unhealthy' ? EXIT.unhealthy : EXIT.ok;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function healthCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { watch: { type: 'string' }, host: { type: 'string' }, 'endpoint-host': { type: 'string' }, ldap: { type: 'string' }, s3: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length) usage('health [--json] [--watch SECONDS] [--host NAME] [--ldap yes|no] [--s3 yes|no] [--endpoint-host ADDR]');
  const every = values.watch === undefined ? 0 : Number(values.watch);
  if (values.watch !== undefined && !(Number.isFinite(every) && every >= 1 && every <= 86_400)) usage('--watch takes a number of seconds, 1 to 86400');
  const request = {
    ...(values.host ? { host: values.host } : {}),
    ...(values['endpoint-host'] ? { endpointHost: values['endpoint-host'] } : {}),
    ...(yesNoFlag(values.ldap, 'ldap') !== undefined ? { ldap: yesNoFlag(values.ldap, 'ldap') } : {}),
    ...(yesNoFlag(values.s3, 's3') !== undefined ? { s3: yesNoFlag(values.s3, 's3') } : {}),
  };
  const history: number[] = [];
  for (;;) {
    let report: HealthReport;
    try {
      report = await ctx.call('health:check', { ...request, ...(history.length ? { pendingHistory: history.slice(-20) } : {}) });
    } catch (err) {
      if (!every) throw new CliExit(EXIT.failed, `Could not check health: ${(err as Error).message}`);
      ctx.err(`${new Date().toISOString()} could not check health: ${(err as Error).message}`);
      await sleep(every * 1000);
      continue;
    }
    if (ctx.json) ctx.out(JSON.stringify(report));
    else ctx.out(formatHealth(report) + (every ? `\n— ${report.checkedAt}; next check in ${every} s (Ctrl-C to stop)\n` : ''));
    if (!every) {
      const code = healthExitCode(report);
      if (code !== EXIT.ok) throw new CliExit(code, report.summary);
      return;
    }
    history.push(report.nomad.jobs.pending);
    await sleep(every * 1000);
  }
}

export async function nomadCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'drain') return nomadDrainCommand(ctx, rest);
  if (sub !== 'status') usage('nomad status [--json] [--host NAME] | nomad drain HOST [--yes]');
  const { values } = parseArgs({ args: rest, options: { host: { type: 'string' } } });
  const r = await ctx.call('nomad:status', values.host ? { host: values.host } : {});
  if (ctx.json) ctx.out(JSON.stringify(r));
  else ctx.out(formatNomad(r.nomad, r.advice));
  if (r.nomad.pollFailure) throw new CliExit(EXIT.failed, `The Nomad server did not answer: ${r.nomad.error ?? ''}`);
}

export async function supportBundleCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string' }, hosts: { type: 'string' }, tail: { type: 'string' } }, allowPositionals: true });
  if (positionals.length || !values.out) usage('support-bundle --out FILE.tar.gz [--hosts a,b] [--tail LINES] [--json]');
  if (!/\.(tar\.gz|tgz)$/.test(values.out)) usage('--out names a .tar.gz file');
  const hosts = values.hosts ? values.hosts.split(',').map((h) => h.trim()).filter(Boolean) : undefined;
  const r = await ctx.call('support:bundle', { out: values.out, ...(hosts ? { hosts } : {}), ...(values.tail ? { tailLines: Number(values.tail) } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify(r));
  ctx.out(`Wrote ${r.out} (${bytes(r.bytes)}, sha256 ${r.sha256})`);
  for (const h of r.hosts) {
    const red = h.redactions.reduce((n, x) => n + x.count, 0);
    ctx.out(h.ok ? `  ${h.host}: ${h.files.length} files, ${red} secrets redacted${h.missing.length ? `, ${h.missing.length} items unavailable` : ''}` : `  ${h.host}: FAILED — ${h.error}`);
  }
  const failed = r.hosts.filter((h) => !h.ok);
  if (failed.length) ctx.err(`drydock: ${failed.length} host(s) could not be collected (listed in the manifest): ${failed.map((h) => h.host).join(', ')}`);
}

export const healthCli: CliCommand = {
  name: 'health',
  summary: 'the Services machine\'s containers, endpoints and Replicated, what a stopped container takes down, Nomad and scaling advice',
  run: healthCommand,
  usage: {
    usage: 'health [--json] [--watch SECONDS] [--host NAME] [--ldap yes|no] [--s3 yes|no] [--endpoint-host ADDR]',
    summary: 'Check the installation once, or every SECONDS until Ctrl-C.',
    options: {
      '--watch SECONDS': 'check again every SECONDS (1 to 86400)',
      '--host NAME': 'the Services machine, when the inventory has more than one candidate',
      '--ldap yes|no': 'whether LDAP is in use (decides federations-service\'s severity); default: read from the app config',
      '--s3 yes|no': 'whether artifacts live in S3 (decides fileserved\'s severity)',
      '--endpoint-host ADDR': 'the address the health endpoints are probed at, from the Services machine (default localhost)',
    },
    notes: ['Exit codes: 0 healthy or only mild problems, 5 something severe or moderate is down, 1 could not check.'],
  },
};

export const nomadCli: CliCommand = {
  name: 'nomad',
  summary: 'the Nomad server\'s jobs and client nodes, with scaling advice',
  run: nomadCommand,
  subcommands: { status: { usage: 'nomad status [--json]', summary: 'Jobs pending/running/complete/dead and every client node with its allocations.' }, drain: NOMAD_DRAIN_HELP },
};

export const supportBundleCli: CliCommand = {
  name: 'support-bundle',
  summary: 'what CircleCI support asks for, from every host, secrets redacted, in one .tar.gz',
  run: supportBundleCommand,
  usage: {
    usage: 'support-bundle --out FILE.tar.gz [--hosts a,b] [--tail LINES] [--json]',
    summary: 'Collect logs, status and config from every host in parallel (a host that fails is listed in the manifest), redacted, with SHA256SUMS.',
    options: { '--out FILE.tar.gz': 'where to write the archive', '--hosts a,b': 'only these hosts', '--tail LINES': 'lines of each container log' },
  },
};
