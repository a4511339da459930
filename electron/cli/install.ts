/**
 * `drydock install services|nomad` and `drydock nomad drain`: the Install
 * wizard's last steps, headless. Each prints the plan first (what it
 * installs, writes, restarts); without --yes it asks on a terminal and,
 * elsewhere (scripts, CI), stops with exit 3 having changed nothing. The
 * installer's output is streamed to stderr. The console password comes from
 * DRYDOCK_CONSOLE_PASSWORD, never from the command line.
 */
import { parseArgs } from 'node:util';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import type { NomadInstallPlan, ServicesInstallPlan } from '../../shared/channels/install-services';
import { fromErrorPayload } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { LDAP_WARNING } from '../../shared/install/replicated';
import { dispatch } from '../engine/api/dispatch';
import { CliExit, EXIT, printEvent, usage, type CliContext } from './context';
import type { CliCommand } from './help';

/** A channel call that also streams remote output (install.sh, dpkg) to stderr as it arrives. */
async function streaming<C extends Channel>(ctx: CliContext, channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const emit = (event: DrydockEvent) => {
    if (event.type === 'output') process.stderr.write(event.text.replace(/^(?=.)/gm, `    ${event.host}| `));
    else printEvent(event, ctx.err);
  };
  const result = await dispatch(ctx.handlers, channel, request, { emit });
  if (!result.ok) throw fromErrorPayload(result.error);
  return result.value as ResponseOf<C>;
}

async function confirm(ctx: CliContext, yes: boolean | undefined, question: string, rerun: string, planJson: object): Promise<void> {
  if (yes) return;
  if (!ctx.isTTY) {
    if (ctx.json) ctx.out(JSON.stringify({ ...planJson, needsConfirmation: true }));
    throw new CliExit(EXIT.needsConfirmation, `Needs confirmation: nothing was changed. Review the plan above, then run again with --yes (${rerun}).`);
  }
  const answer = (await ctx.ask(`${question} Type yes to go ahead: `)).trim().toLowerCase();
  if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was changed.');
}

const minutes = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) usage(`--${name} takes a number of minutes`);
  return n;
};

function printServicesPlan(ctx: CliContext, p: ServicesInstallPlan): void {
  ctx.out(`Install CircleCI Server on ${p.host} (hostname ${p.hostname}, private address ${p.privateAddress || '?'}, ${p.mode === 'console' ? 'finish in the admin console' : 'headless'})`);
  for (const f of p.files) ctx.out(`  ${f.onHost ? 'on host ' : 'to push '} ${f.role.padEnd(10)} ${f.remote}${f.sha256 ? `  sha256 ${f.sha256.slice(0, 16)}…` : ''}`);
  ctx.out(`  Docker: ${p.docker.installed ? `installed${p.docker.version ? ` (${p.docker.version})` : ''}` : 'missing: installed from the bundle'}`);
  if (p.proxy) ctx.out(`  Proxy (from the proxy settings): ${p.proxy.url}${p.proxy.noProxy.length ? `, bypassing ${p.proxy.noProxy.join(',')}` : ''}`);
  ctx.out(`  LDAP: ${p.ldap ? 'yes' : 'no'} — ${p.ldapWarning}`);
  for (const f of p.fileChanges) if (f.diff) ctx.out(f.diff.replace(/^/gm, '    '));
  ctx.out('It will:');
  for (const i of p.installs) ctx.out(`  - ${i}`);
  for (const w of p.warnings) ctx.out(`Note: ${w}`);
  for (const b of p.blockers) ctx.out(`Cannot install: ${b}`);
}

async function services(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      license: { type: 'string' },
      bundle: { type: 'string' },
      installer: { type: 'string' },
      'docker-deb': { type: 'string', multiple: true },
      hostname: { type: 'string' },
      'private-address': { type: 'string' },
      ldap: { type: 'string' },
      console: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      host: { type: 'string' },
      wait: { type: 'string' },
      yes: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (positionals.length) usage(`unexpected argument ${positionals[0]}`);
  if (!values.license || !values.bundle) usage('--license FILE.rli and --bundle FILE.airgap are required');
  let ldap: boolean;
  if (values.ldap === undefined) {
    if (!ctx.isTTY) usage(`--ldap yes|no is required: ${LDAP_WARNING}`);
    ctx.err(LDAP_WARNING);
    ldap = /^y(es)?$/i.test((await ctx.ask('Use LDAP for this installation? (yes/no): ')).trim());
  } else if (/^(yes|true|1)$/i.test(values.ldap)) ldap = true;
  else if (/^(no|false|0)$/i.test(values.ldap)) ldap = false;
  else usage('--ldap takes yes or no');
  if (!!values['tls-cert'] !== !!values['tls-key']) usage('--tls-cert and --tls-key go together');
  const password = process.env.DRYDOCK_CONSOLE_PASSWORD;
  if (!values.console && !password) usage('the admin console password comes from DRYDOCK_CONSOLE_PASSWORD (headless install); or use --console to finish in the console');
  const wait = minutes(values.wait, 'wait');
  const request = {
    license: values.license,
    bundle: values.bundle,
    ldap,
    mode: values.console ? ('console' as const) : ('headless' as const),
    ...(values.installer ? { installer: values.installer } : {}),
    ...(values['docker-deb'] ? { dockerDebs: values['docker-deb'] } : {}),
    ...(values.hostname ? { hostname: values.hostname } : {}),
    ...(values['private-address'] ? { privateAddress: values['private-address'] } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values['tls-cert'] && values['tls-key'] ? { tls: { cert: values['tls-cert'], key: values['tls-key'] } } : {}),
    ...(password && !values.console ? { consolePassword: password } : {}),
    ...(wait !== undefined ? { waitMinutes: wait } : {}),
  };
  const plan = await ctx.call('install:services-plan', request);
  if (!ctx.json) printServicesPlan(ctx, plan);
  if (plan.blockers.length) {
    if (ctx.json) ctx.out(JSON.stringify({ plan }));
    throw new CliExit(EXIT.failed, `Cannot install on ${plan.host}: ${plan.blockers[0]}${plan.blockers.length > 1 ? ` (and ${plan.blockers.length - 1} more, above)` : ''}`);
  }
  await confirm(ctx, values.yes, `Install on ${plan.host}?`, 'drydock install services … --yes', { plan });
  const result = await streaming(ctx, 'install:services-run', { request, confirm: true, planFingerprint: plan.fingerprint });
  if (ctx.json) return ctx.out(JSON.stringify({ plan, result }));
  ctx.out(result.summary);
}

function printNomadPlan(ctx: CliContext, p: NomadInstallPlan): void {
  ctx.out(`Provision ${p.clients.length} Nomad client(s) against the Nomad server on ${p.servicesHost} (${p.servicesAddress}:4647)`);
  for (const c of p.clients) {
    ctx.out(`  ${c.host} (advertises ${c.advertise}): Docker ${c.docker.installed ? 'installed' : 'missing'}, nomad ${c.nomadRunning ? 'running' : 'not running'}${c.node ? `, node ${c.node.id} ${c.node.status}` : ''}`);
    for (const f of c.fileChanges) if (f.diff) ctx.out(f.diff.replace(/^/gm, '    '));
  }
  ctx.out(p.installs.length ? 'It will:' : 'Every client is already provisioned as planned.');
  for (const i of p.installs) ctx.out(`  - ${i}`);
  for (const w of p.warnings) ctx.out(`Note: ${w}`);
  for (const b of p.blockers) ctx.out(`Cannot provision: ${b}`);
}

async function nomad(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { hosts: { type: 'string' }, nomad: { type: 'string' }, 'docker-deb': { type: 'string', multiple: true }, wait: { type: 'string' }, yes: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length) usage(`unexpected argument ${positionals[0]}`);
  const hosts = values.hosts ? values.hosts.split(',').map((h) => h.trim()).filter(Boolean) : undefined;
  const wait = minutes(values.wait, 'wait');
  const request = {
    ...(hosts ? { hosts } : {}),
    ...(values.nomad ? { nomadBinary: values.nomad } : {}),
    ...(values['docker-deb'] ? { dockerDebs: values['docker-deb'] } : {}),
    ...(wait !== undefined ? { waitMinutes: wait } : {}),
  };
  const plan = await ctx.call('install:nomad-plan', request);
  if (!ctx.json) printNomadPlan(ctx, plan);
  if (plan.blockers.length) {
    if (ctx.json) ctx.out(JSON.stringify({ plan }));
    throw new CliExit(EXIT.failed, `Cannot provision: ${plan.blockers[0]}`);
  }
  if (plan.installs.length) await confirm(ctx, values.yes, `Provision ${plan.clients.map((c) => c.host).join(', ')}?`, 'drydock install nomad … --yes', { plan });
  const result = await streaming(ctx, 'install:nomad-run', { request, confirm: true, planFingerprint: plan.fingerprint });
  if (ctx.json) return ctx.out(JSON.stringify({ plan, result }));
  for (const c of result.clients) ctx.out(`  ${c.host}: ${c.status}${c.nodeId ? ` (node ${c.nodeId})` : ''}`);
  ctx.out(result.summary);
}

/** `drydock nomad drain HOST`: listed under the nomad command (electron/cli/health.ts). */
export async function nomadDrainCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { wait: { type: 'string' }, yes: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) usage('nomad drain HOST [--wait MINUTES] [--yes] [--json]');
  const host = positionals[0];
  const plan = await ctx.call('nomad:drain-plan', { host });
  if (!ctx.json) ctx.out(plan.summary);
  await confirm(ctx, values.yes, `Drain ${host}?`, `drydock nomad drain ${host} --yes`, { plan });
  const wait = minutes(values.wait, 'wait');
  const result = await streaming(ctx, 'nomad:drain', { host, confirm: true, ...(wait !== undefined ? { waitMinutes: wait } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify({ plan, result }));
  ctx.out(result.summary);
}

export const NOMAD_DRAIN_HELP = {
  usage: 'nomad drain HOST [--wait MINUTES] [--yes] [--json]',
  summary: 'Drain a Nomad client (its builds move to other clients), wait for 0 running allocations, then stop nomad there.',
  options: { '--wait MINUTES': 'how long to wait for the allocations to move off (default 30)', '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)' },
  notes: ['Exit codes: 0 drained and stopped, 1 failed or timed out (resume with drydock runs resume), 2 bad usage, 3 needs confirmation.'],
};

export const installCli: CliCommand = {
  name: 'install',
  summary: 'install the Services machine (Replicated, air-gapped) and provision Nomad clients',
  run: async (ctx, argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'services') return services(ctx, rest);
    if (sub === 'nomad') return nomad(ctx, rest);
    usage('install services|nomad …');
  },
  subcommands: {
    services: {
      usage: 'install services --license FILE --bundle FILE --ldap yes|no [--installer FILE] [--docker-deb FILE]... [--hostname H] [--private-address IP] [--console] [--tls-cert PATH --tls-key PATH] [--wait MINUTES] [--yes] [--json]',
      summary: 'Plan, confirm, then install Replicated headless (replicated.conf, install.sh airgap) and wait until the app reports started.',
      options: {
        '--license FILE': 'the airgap-enabled .rli license on this computer',
        '--bundle FILE': 'the .airgap bundle on this computer',
        '--installer FILE': 'replicated.tar.gz (default: the one in the host\'s bundle folder)',
        '--docker-deb FILE': 'a Docker .deb, installed only if Docker is missing (repeatable; default: the .debs in the bundle folder)',
        '--hostname H': 'the CircleCI hostname (default: the Services machine\'s inventory address)',
        '--private-address IP': 'given to the installer (default: the inventory address when it is an IP)',
        '--ldap yes|no': 'use LDAP; it can only be enabled now, on a clean installation',
        '--console': 'install Replicated, then stop: upload the license and bundle at https://HOST:8800 yourself',
        '--tls-cert PATH --tls-key PATH': 'a certificate and key already on the Services machine for the console (default: self-signed)',
        '--wait MINUTES': 'how long to wait for the app to start (default 10)',
        '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)',
      },
      notes: [
        'Files already in the host\'s bundle folder (/var/lib/drydock/bundle) with the same SHA-256 are used; others must be pushed first (drydock bundle push).',
        'The console password comes from DRYDOCK_CONSOLE_PASSWORD (headless). A proxy set with drydock proxy apply is passed to the installer (http-proxy=).',
        'Exit codes: 0 installed, 1 failed or timed out (resume with drydock runs resume), 2 bad usage, 3 needs confirmation (nothing was changed).',
      ],
    },
    nomad: {
      usage: 'install nomad [--hosts a,b] [--nomad FILE] [--docker-deb FILE]... [--wait MINUTES] [--yes] [--json]',
      summary: 'Plan, confirm, then provision Nomad clients: Docker, daemon.json, the nomad binary, config.hcl, the unit, ci-privileged, start; done when each node is ready.',
      options: {
        '--hosts a,b': 'only these clients (default: every host with the role nomad)',
        '--nomad FILE': 'the nomad binary on this computer (default: nomad in each client\'s bundle folder)',
        '--docker-deb FILE': 'a Docker .deb for clients without Docker (repeatable)',
        '--wait MINUTES': 'how long to wait for the nodes to be ready (default 5)',
        '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)',
      },
      notes: ['Exit codes: 0 every node ready, 1 failed or timed out, 2 bad usage, 3 needs confirmation (nothing was changed).'],
    },
  },
};
