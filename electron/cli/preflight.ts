/**
 * `drydock preflight` and `drydock capacity`: is every host ready for CircleCI
 * Server 2.x, and how many builds will the Nomad clients run. Exit codes:
 * preflight 0 all pass or warn, 5 a check failed, 1 could not check.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CapacityPlan } from '../../shared/install/capacity';
import type { PreflightReport } from '../../shared/install/preflight';
import { CliExit, EXIT, usage, type CliContext } from './context';
import type { CliCommand } from './help';

const MARK = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
const PREFLIGHT_USAGE = 'preflight [--hosts a,b] [--only-failed] [--json] [--out FILE.md|FILE.html] [--circle-hostname H] [--ghe H] [--bundle-dir DIR]';

export function formatPreflight(r: PreflightReport): string {
  const lines: string[] = [];
  for (const h of r.hosts) {
    lines.push(`${h.host} (${h.role}, ${h.address}): ${h.status.toUpperCase()}`);
    for (const c of h.checks) {
      lines.push(`  ${MARK[c.status]} ${c.title}: ${c.value}`);
      if (c.fix) lines.push(`       fix: ${c.fix}`);
    }
  }
  lines.push('', `Preflight: ${r.summary}.`);
  return lines.join('\n');
}

export function formatCapacity(p: CapacityPlan): string {
  const lines = ['Builds that fit at once (after 2 vCPU + 4 GiB held back per client):', '  client          vCPUs  memory     small  medium  large'];
  for (const c of p.clients) {
    lines.push(`  ${c.host.padEnd(15)} ${String(c.cpus).padStart(5)}  ${`${(c.memoryBytes / 1024 ** 3).toFixed(1)} GiB`.padStart(9)}  ${String(c.fits.small).padStart(5)}  ${String(c.fits.medium).padStart(6)}  ${String(c.fits.large).padStart(5)}`);
  }
  lines.push(`  ${'total'.padEnd(15)} ${''.padStart(5)}  ${''.padStart(9)}  ${String(p.totals.small).padStart(5)}  ${String(p.totals.medium).padStart(6)}  ${String(p.totals.large).padStart(5)}`);
  lines.push(`Default resource class: ${p.defaultClass} (${p.totals[p.defaultClass]} concurrent builds).`);
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export async function preflightCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string' },
      'only-failed': { type: 'boolean' },
      out: { type: 'string' },
      'circle-hostname': { type: 'string' },
      ghe: { type: 'string' },
      'bundle-dir': { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length) usage(PREFLIGHT_USAGE);
  if (values.out && !/\.(md|html?)$/i.test(values.out)) usage('--out names a .md or .html file');
  const hosts = values.hosts ? values.hosts.split(',').map((h) => h.trim()).filter(Boolean) : undefined;
  let report: PreflightReport;
  try {
    report = await ctx.call('install:preflight', {
      ...(hosts ? { hosts } : {}),
      ...(values['only-failed'] ? { onlyFailed: true } : {}),
      ...(values['circle-hostname'] ? { circleHostname: values['circle-hostname'] } : {}),
      ...(values.ghe ? { gheHostname: values.ghe } : {}),
      ...(values['bundle-dir'] ? { bundleDir: values['bundle-dir'] } : {}),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'INVALID_INPUT') throw err;
    throw new CliExit(EXIT.failed, `Could not run the preflight: ${(err as Error).message}`);
  }
  if (values.out) {
    const { content } = await ctx.call('install:preflight-export', { format: /\.html?$/i.test(values.out) ? 'html' : 'markdown' });
    writeFileSync(values.out, content);
  }
  ctx.out(ctx.json ? JSON.stringify(report) : formatPreflight(report));
  if (values.out && !ctx.json) ctx.err(`Wrote ${values.out}`);
  const unchecked = report.hosts.filter((h) => h.checks.some((c) => c.id === 'ssh' && c.status === 'fail')).map((h) => h.host);
  if (unchecked.length) throw new CliExit(EXIT.failed, `Could not check ${unchecked.join(', ')}: ${report.summary}`);
  if (report.status === 'fail') throw new CliExit(EXIT.unhealthy, `Preflight: ${report.summary}`);
}

export async function capacityCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true });
  if (positionals.length) usage('capacity [--json]');
  const plan = await ctx.call('install:capacity', {});
  ctx.out(ctx.json ? JSON.stringify(plan) : formatCapacity(plan));
}

export const preflightCli: CliCommand = {
  name: 'preflight',
  summary: 'check every host before installing: OS, CPU/memory, disk, Docker, clocks, DNS, ports and firewalls, proxy',
  run: preflightCommand,
  usage: {
    usage: PREFLIGHT_USAGE,
    summary: 'Run every check on every Services machine, Nomad client and spare in parallel, from the hosts themselves; read-only.',
    options: {
      '--hosts a,b': 'only these hosts',
      '--only-failed': 'run again only what failed in the last preflight, keeping the rest of its results',
      '--out FILE.md|FILE.html': 'also write the report as Markdown or HTML',
      '--circle-hostname H': 'the hostname CircleCI will serve, resolved from every host (kept for later runs)',
      '--ghe H': "GitHub Enterprise's hostname (default: the inventory's ghe host)",
      '--bundle-dir DIR': 'where the bundle will be pushed (default /var/lib/drydock/bundle)',
    },
    notes: ['Exit codes: 0 every check passed or only warned, 5 a check failed, 1 could not check (the preflight could not run, or a host could not be logged in to).'],
  },
};

export const capacityCli: CliCommand = {
  name: 'capacity',
  summary: 'how many small/medium/large builds the Nomad clients run at once (from the last preflight)',
  run: capacityCommand,
  usage: { usage: 'capacity [--json]', summary: 'Builds per resource class on each Nomad client after the 2 vCPU + 4 GiB reservation, the totals, and clients over the maximum size.' },
};
