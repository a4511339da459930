/**
 * `drydock proxy plan|apply|verify|rollback`: the Proxy wizard, headless.
 * Apply and rollback print the plan first; without --yes they ask on a
 * terminal, and elsewhere (scripts, CI) stop with exit 3 having written
 * nothing. The proxy password comes from DRYDOCK_PROXY_PASSWORD, never from
 * the command line (shell history, `ps`).
 */
import { parseArgs } from 'node:util';
import type { ProxyPlan } from '../../shared/channels/proxy';
import { DrydockError } from '../../shared/errors';
import type { ProxyRequest } from '../../shared/proxy/input';
import { splitNoProxy } from '../../shared/proxy/no-proxy';
import { CliExit, EXIT, usage, type CliContext } from './context';
import type { CliCommand } from './help';
import { formatApplyResult, formatProxyPlan, formatRollbackPlan, formatVerification, restartList } from './proxy-format';

const SETTINGS_OPTIONS = {
  proxy: { type: 'string' },
  'https-proxy': { type: 'string' },
  'proxy-user': { type: 'string' },
  'no-proxy': { type: 'string', multiple: true },
  aws: { type: 'boolean' },
} as const;

const USAGE =
  'proxy plan|apply --proxy URL [--https-proxy URL] [--proxy-user USER] [--no-proxy a,b] [--aws] [--verify-url URL] [--yes] [--no-restart] | proxy verify [--url URL] | proxy rollback [--to SET] [--yes] [--no-restart] | proxy restart [--yes]';

const SETTINGS_HELP = {
  '--proxy URL': 'http://HOST:PORT of the proxy (required); the password comes from DRYDOCK_PROXY_PASSWORD',
  '--https-proxy URL': 'a different proxy for https:// URLs',
  '--proxy-user USER': 'proxy login user',
  '--no-proxy a,b': 'hosts, domains (.example.com) and CIDRs reached directly; repeatable',
  '--aws': 'add the AWS metadata and service endpoints to NO_PROXY',
};

export const proxyCli: CliCommand = {
  name: 'proxy',
  summary: 'HTTP proxy settings on the Services machine and every Nomad client',
  run: proxyCommand,
  subcommands: {
    plan: { usage: 'proxy plan --proxy URL [--https-proxy URL] [--proxy-user USER] [--no-proxy a,b] [--aws] [--json]', summary: 'Show the file changes and restarts, writing nothing.', options: SETTINGS_HELP },
    apply: {
      usage: 'proxy apply --proxy URL … [--verify-url URL] [--yes] [--no-restart] [--json]',
      summary: 'Plan, confirm, write the files (backed up), restart what reads them, then check a URL through the proxy from each host.',
      options: {
        ...SETTINGS_HELP,
        '--verify-url URL': 'the URL each host fetches through the proxy afterwards',
        '--yes': 'go ahead without asking (otherwise asks on a terminal, exits 3 elsewhere)',
        '--no-restart': 'write the files only; Replicated and Docker keep the old settings until restarted',
      },
    },
    verify: { usage: 'proxy verify [--url URL] [--json]', summary: 'Fetch a URL through the proxy from every host.', options: { '--url URL': 'what to fetch' } },
    rollback: {
      usage: 'proxy rollback [--to SET] [--yes] [--no-restart] [--json]',
      summary: 'Put back the files as they were before the first Drydock apply (or before the apply of --to SET); the plan lists the sets with dates.',
      options: { '--to SET': 'a backup set the plan lists: roll back to the state before it', '--yes': 'go ahead without asking', '--no-restart': 'restore the files only' },
    },
  },
};

export async function proxyCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'plan':
      return plan(ctx, rest);
    case 'apply':
      return apply(ctx, rest);
    case 'verify':
      return verify(ctx, rest);
    case 'rollback':
      return rollback(ctx, rest);
    case 'restart':
      return restartOwed(ctx, rest);
    default:
      usage(USAGE);
  }
}

function settingsFrom(values: { proxy?: string; 'https-proxy'?: string; 'proxy-user'?: string; 'no-proxy'?: string[]; aws?: boolean }): ProxyRequest {
  if (values.proxy === undefined) usage('--proxy URL is required, as <protocol>://<host>:<port>, e.g. --proxy http://10.0.0.33:3128');
  const password = process.env.DRYDOCK_PROXY_PASSWORD;
  return {
    proxy: values.proxy,
    ...(values['https-proxy'] !== undefined ? { httpsProxy: values['https-proxy'] } : {}),
    ...(values['proxy-user'] !== undefined ? { proxyUser: values['proxy-user'] } : {}),
    ...(password ? { proxyPassword: password } : {}),
    noProxy: (values['no-proxy'] ?? []).flatMap(splitNoProxy),
    aws: !!values.aws,
  };
}

/** Invalid settings: one line per bad field, then exit 2. Nothing has touched a host. */
async function guarded<T>(ctx: CliContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const fields = err instanceof DrydockError && err.code === 'INVALID_INPUT' && Array.isArray(err.details?.fields) ? (err.details.fields as { message: string }[]) : [];
    if (!fields.length) throw err;
    if (ctx.json) ctx.out(JSON.stringify({ error: { code: 'INVALID_INPUT', fields: err instanceof DrydockError ? err.details?.fields : [] } }));
    for (const f of fields) ctx.err(`  ${f.message}`);
    throw new CliExit(EXIT.usage, 'invalid settings: nothing was written');
  }
}

/** Ask on a terminal; elsewhere stop with exit 3. */
async function confirm(ctx: CliContext, yes: boolean | undefined, question: string, rerun: string, planJson: object): Promise<void> {
  if (yes) return;
  if (!ctx.isTTY) {
    if (ctx.json) ctx.out(JSON.stringify({ ...planJson, needsConfirmation: true }));
    throw new CliExit(EXIT.needsConfirmation, `Needs confirmation: nothing was written. Review the plan above, then run again with --yes (${rerun}).`);
  }
  const answer = (await ctx.ask(`${question} Type yes to go ahead: `)).trim().toLowerCase();
  if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was written.');
}

async function plan(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: SETTINGS_OPTIONS });
  const p = await guarded(ctx, () => ctx.call('proxy:plan', settingsFrom(values)));
  if (ctx.json) return ctx.out(JSON.stringify(p));
  formatProxyPlan(p).forEach((l) => ctx.out(l));
  if (p.hosts.some((h) => h.error)) throw new CliExit(EXIT.failed, 'A host has a file Drydock will not rewrite (see above).');
}

async function apply(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...SETTINGS_OPTIONS, 'verify-url': { type: 'string' }, yes: { type: 'boolean' }, 'no-restart': { type: 'boolean' } },
  });
  const settings = settingsFrom(values);
  const restart = !values['no-restart'];
  const p: ProxyPlan = await guarded(ctx, () => ctx.call('proxy:plan', settings));
  if (!ctx.json) formatProxyPlan(p).forEach((l) => ctx.out(l));
  if (p.hosts.some((h) => h.error)) throw new CliExit(EXIT.failed, 'A host has a file Drydock will not rewrite (see above); nothing was written.');

  // Exactly the restarts printed above, or none: never one the plan did not list.
  const consent = consentFor(p.restarts, restart);
  const restarts = restartList(consent);
  if (p.changedFiles > 0 || restarts.length) {
    const question = `Apply ${p.changedFiles} file change(s)${restarts.length ? ` and restart ${restarts.join(' and ')}` : ''}?`;
    await confirm(ctx, values.yes, question, restarts.length ? 'add --no-restart to write the files without restarting' : 'files only', { plan: p });
  }
  const result = await guarded(ctx, () =>
    ctx.call('proxy:apply', {
      settings,
      restartReplicated: consent.replicated,
      restartDocker: consent.docker,
      ...(values['verify-url'] !== undefined ? { verifyUrl: values['verify-url'] } : {}),
      planFingerprint: p.fingerprint,
    }),
  );
  if (ctx.json) ctx.out(JSON.stringify({ plan: p, result }));
  else formatApplyResult(result).forEach((l) => ctx.out(l));
  const failed = result.verification.filter((r) => !r.ok);
  if (failed.length) throw new CliExit(EXIT.failed, `${failed.map((r) => r.host).join(', ')} could not reach ${result.verifyUrl} through the proxy (see above).`);
}

async function verify(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { url: { type: 'string' } } });
  const report = await guarded(ctx, () => ctx.call('proxy:verify', values.url !== undefined ? { url: values.url } : {}));
  if (ctx.json) ctx.out(JSON.stringify(report));
  else formatVerification(report.url, report.results, report.pendingRestarts).forEach((l) => ctx.out(l));
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length) throw new CliExit(EXIT.failed, `${failed.map((r) => r.host).join(', ')} could not reach ${report.url} as the files say.`);
}

async function rollback(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { yes: { type: 'boolean' }, 'no-restart': { type: 'boolean' }, to: { type: 'string' } } });
  const restart = !values['no-restart'];
  const to = values.to !== undefined ? { to: values.to } : {};
  const p = await guarded(ctx, () => ctx.call('proxy:rollback-plan', to));
  if (!ctx.json) formatRollbackPlan(p).forEach((l) => ctx.out(l));
  const consent = consentFor(p.restarts, restart);
  const restarts = restartList(consent);
  const others = p.unrecorded?.length ? ` including ${p.unrecorded.length} backup set(s) made from another laptop (paths and hashes above)` : '';
  await confirm(ctx, values.yes, `Restore these backups${others}${restarts.length ? ` and restart ${restarts.join(' and ')}` : ''}?`, 'add --no-restart to skip the restarts', { plan: p });
  // Confirming (or --yes) after the plan was shown accepts exactly the unrecorded sets it listed.
  const result = await ctx.call('proxy:rollback', { restartReplicated: consent.replicated, restartDocker: consent.docker, ...to, ...(p.unrecorded?.length ? { accept: p.unrecorded } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify({ plan: p, result }));
  ctx.out(result.summary);
  if (result.pendingRestarts.length) ctx.out(`Still to restart: ${result.pendingRestarts.join(', ')}. Run drydock proxy restart when it suits you.`);
}

/** The restarts a plan listed, all of them or (--no-restart) none. */
function consentFor(listed: { replicated: boolean; docker: string[] }, restart: boolean): { replicated: boolean; docker: string[] } {
  return restart ? { replicated: listed.replicated, docker: [...listed.docker] } : { replicated: false, docker: [] };
}

/** `proxy restart`: the restarts still owed, listed, confirmed, then done in the guide's order. */
async function restartOwed(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { yes: { type: 'boolean' } } });
  const owed = await ctx.call('proxy:pending-restarts', {});
  const consent = { replicated: owed.replicated.length > 0, docker: owed.docker };
  const restarts = restartList(consent);
  if (!restarts.length) {
    if (ctx.json) return ctx.out(JSON.stringify({ owed, result: null }));
    return ctx.out('No restart is owed: every service runs the settings its files hold.');
  }
  if (!ctx.json) ctx.out(`Still running the old proxy settings: ${owed.described.join(', ')}.`);
  await confirm(ctx, values.yes, `Restart ${restarts.join(' and ')}?`, 'or leave them for later', { owed });
  const result = await ctx.call('proxy:restart', { restartReplicated: consent.replicated, restartDocker: consent.docker });
  if (ctx.json) return ctx.out(JSON.stringify({ owed, result }));
  ctx.out(result.summary);
  if (result.pendingRestarts.length) ctx.out(`Still to restart: ${result.pendingRestarts.join(', ')}.`);
}
