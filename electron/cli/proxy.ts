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
import { formatApplyResult, formatProxyPlan, formatRollbackPlan, formatVerification, restartList } from './proxy-format';

const SETTINGS_OPTIONS = {
  proxy: { type: 'string' },
  'https-proxy': { type: 'string' },
  'proxy-user': { type: 'string' },
  'no-proxy': { type: 'string', multiple: true },
  aws: { type: 'boolean' },
} as const;

const USAGE = 'proxy plan|apply --proxy URL [--https-proxy URL] [--proxy-user USER] [--no-proxy a,b] [--aws] [--verify-url URL] [--yes] [--no-restart] | proxy verify [--url URL] | proxy rollback [--to SET] [--yes] [--no-restart]';

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

  const restarts = restart ? restartList(p.restarts) : [];
  if (p.changedFiles > 0 || restarts.length) {
    const question = `Apply ${p.changedFiles} file change(s)${restarts.length ? ` and restart ${restarts.join(' and ')}` : ''}?`;
    await confirm(ctx, values.yes, question, restarts.length ? 'add --no-restart to write the files without restarting' : 'files only', { plan: p });
  }
  const result = await guarded(ctx, () =>
    ctx.call('proxy:apply', {
      settings,
      restartReplicated: restart,
      restartDocker: restart,
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
  else formatVerification(report.url, report.results).forEach((l) => ctx.out(l));
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length) throw new CliExit(EXIT.failed, `${failed.map((r) => r.host).join(', ')} could not reach ${report.url} through the proxy.`);
}

async function rollback(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { yes: { type: 'boolean' }, 'no-restart': { type: 'boolean' }, to: { type: 'string' } } });
  const restart = !values['no-restart'];
  const to = values.to !== undefined ? { to: values.to } : {};
  const p = await guarded(ctx, () => ctx.call('proxy:rollback-plan', to));
  if (!ctx.json) formatRollbackPlan(p).forEach((l) => ctx.out(l));
  const restarts = restart ? restartList(p.restarts) : [];
  const others = p.unrecorded?.length ? ` including ${p.unrecorded.length} backup set(s) made from another laptop (paths and hashes above)` : '';
  await confirm(ctx, values.yes, `Restore these backups${others}${restarts.length ? ` and restart ${restarts.join(' and ')}` : ''}?`, 'add --no-restart to skip the restarts', { plan: p });
  // Confirming (or --yes) after the plan was shown accepts exactly the unrecorded sets it listed.
  const result = await ctx.call('proxy:rollback', { restartReplicated: restart, restartDocker: restart, ...to, ...(p.unrecorded?.length ? { accept: p.unrecorded } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify({ plan: p, result }));
  ctx.out(result.summary);
  if (result.pendingRestarts.length) ctx.out(`Still to restart: ${result.pendingRestarts.join(', ')}.`);
}
