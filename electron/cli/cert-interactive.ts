/**
 * The two `drydock cert` commands that wait on the admin: trust-ghe (look at
 * each certificate before it is trusted) and certbot (publish the TXT
 * records, then continue). certbot's pause is documented for automation:
 *   on a terminal           press Enter when the records are published
 *                           ("check" asks the Services machine's DNS first);
 *   --dns-ready-file PATH   continue when PATH exists (a DNS script touches it);
 *   --continue-when-resolves  continue once every record resolves from the
 *                           Services machine (dig, optionally --dns-server IP[#PORT]).
 * Without a terminal and without either option, certbot is not started (exit 3).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { caBundleProblem, isDnsResolver } from '../../shared/certs/certbot-options';
import type { TxtRecord } from '../../shared/certs/certbot-output';
import { certLines, confirmHostChange, renewalReminder } from './cert-format';
import { CliExit, EXIT, usage, type CliContext } from './context';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WAIT_LIMIT_MS = 3 * 60 * 60_000;

export async function trustGheCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ghe: { type: 'string' }, port: { type: 'string' }, services: { type: 'string' }, 'no-nomad': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  });
  const ghe = values.ghe ?? ctx.engine.inventory.withRole('ghe')[0]?.address;
  if (!ghe) usage('cert trust-ghe --ghe HOST (or add the GHE host to the inventory with role ghe)');
  const port = values.port ? Number(values.port) : 443;
  const services = values.services ? { services: values.services } : {};
  const { services: from, chain } = await ctx.call('certs:ghe-fetch', { gheHost: ghe, port, ...services });
  ctx.err(`${ghe}:${port} presents ${chain.length} certificate(s) to ${from}:`);
  chain.forEach((c, i) => certLines(c, i).forEach((l) => ctx.err(l)));
  const nomad = values['no-nomad'] ? 'the Services machine' : `the Services machine and ${ctx.engine.inventory.withRole('nomad').length} Nomad client(s)`;
  await confirmHostChange(ctx, values.yes, `Trust these certificates on ${nomad}?`, `after checking the fingerprints above: drydock cert trust-ghe --ghe ${ghe} --yes`);
  const result = await ctx.call('certs:trust-ghe', { gheHost: ghe, port, fingerprints: chain.map((c) => c.sha256), nomadClients: !values['no-nomad'], ...services });
  if (ctx.json) return ctx.out(JSON.stringify(result));
  ctx.err(`Installed ${result.files.join(', ')}; ${from} now verifies ${ghe}:${port}.`);
  for (const n of result.nomadClients) ctx.err(`  ${n.host}: ${n.ok ? 'installed' : `failed: ${n.error}`}`);
  ctx.err('In the admin console, switch the GitHub protocol to HTTPS and restart; "Test GitHub Authentication" should then pass.');
}

function printRecords(ctx: CliContext, records: TxtRecord[]): void {
  ctx.err(`Publish ${records.length === 1 ? 'this DNS TXT record' : `these ${records.length} DNS TXT records`} at your DNS provider:`);
  for (const r of records) {
    ctx.err('');
    ctx.err(`  name   ${r.name}`);
    ctx.err(`  value  ${r.value}`);
  }
  ctx.err('');
  // stdout gets the bare records, one "name value" per line, for scripts to pick up.
  for (const r of records) ctx.out(`${r.name} ${r.value}`);
}

async function waitForAdmin(ctx: CliContext, runId: string, opts: { readyFile?: string; resolves?: boolean; resolver?: string }): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  const resolver = opts.resolver ? { resolver: opts.resolver } : {};
  if (opts.readyFile) {
    ctx.err(`Waiting for ${opts.readyFile} to exist…`);
    while (!existsSync(opts.readyFile)) {
      if (Date.now() > deadline) throw new CliExit(EXIT.failed, `${opts.readyFile} did not appear within 3 hours`);
      await sleep(1_000);
    }
    return;
  }
  if (opts.resolves) {
    ctx.err('Waiting until the records resolve from the Services machine…');
    for (;;) {
      const check = await ctx.call('certs:certbot-check-dns', { runId, ...resolver });
      if (!check.checked) throw new CliExit(EXIT.failed, check.note ?? 'Could not check DNS from the Services machine');
      if (check.records.every((r) => r.found)) return;
      if (Date.now() > deadline) throw new CliExit(EXIT.failed, 'The records did not resolve within 3 hours');
      await sleep(10_000);
    }
  }
  for (;;) {
    const answer = (await ctx.ask('Press Enter when the records are published (or type "check" to ask the Services machine\'s DNS): ')).trim().toLowerCase();
    if (answer !== 'check') return;
    const check = await ctx.call('certs:certbot-check-dns', { runId, ...resolver });
    if (!check.checked) ctx.err(check.note ?? 'Could not check.');
    for (const r of check.records) ctx.err(`  ${r.found ? 'found    ' : 'not yet  '}${r.name}${r.seen.length && !r.found ? ` (sees ${r.seen.join(', ')})` : ''}`);
  }
}

/** A bad option value: one line and exit 2 (the usage is for a wrong option, not a wrong value). */
function badValue(message: string): never {
  throw new CliExit(EXIT.usage, message);
}

/** Options certbot's run depends on later, checked now: returns the CA bundle's text. */
function checkCertbotOptions(values: { 'dns-server'?: string; 'dns-ready-file'?: string; 'continue-when-resolves'?: boolean; 'ca-bundle'?: string }): string | undefined {
  if (values['dns-server'] !== undefined && !isDnsResolver(values['dns-server'].trim())) {
    badValue(`--dns-server ${values['dns-server']}: not an IP address, optionally with #PORT (10.0.0.2 or 10.0.0.2#5353)`);
  }
  if (values['dns-ready-file'] !== undefined && values['continue-when-resolves']) badValue('give either --dns-ready-file or --continue-when-resolves, not both');
  const readyFile = values['dns-ready-file'];
  if (readyFile !== undefined) {
    if (!readyFile) badValue('--dns-ready-file needs a path');
    const dir = path.dirname(path.resolve(readyFile));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) badValue(`--dns-ready-file ${readyFile}: the folder ${dir} does not exist, so the file could never appear`);
    // A file left by an earlier run would make certbot validate before this run's records exist.
    if (existsSync(readyFile)) badValue(`--dns-ready-file ${readyFile} already exists: remove it first (the DNS script creates it once the new records are published)`);
  }
  const bundleFile = values['ca-bundle'];
  if (bundleFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(bundleFile, 'utf8');
  } catch (err) {
    badValue(`--ca-bundle ${bundleFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const problem = caBundleProblem(text);
  if (problem) badValue(`--ca-bundle ${bundleFile}: ${problem}`);
  return text;
}

export async function certbotCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      san: { type: 'string', multiple: true },
      server: { type: 'string' },
      'ca-bundle': { type: 'string' },
      email: { type: 'string' },
      services: { type: 'string' },
      'dns-server': { type: 'string' },
      'dns-ready-file': { type: 'string' },
      'continue-when-resolves': { type: 'boolean' },
      install: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
    },
  });
  if (!values.host) usage('cert certbot --host ci.example.com [--server URL --ca-bundle FILE] [--dns-ready-file PATH | --continue-when-resolves]');
  if (values['ca-bundle'] && !values.server) usage('--ca-bundle goes with --server (the internal ACME CA it belongs to)');
  // Everything checkable is checked before certbot starts on the host.
  const caBundle = checkCertbotOptions(values);
  const automated = !!values['dns-ready-file'] || !!values['continue-when-resolves'];
  if (!automated && !ctx.isTTY) throw new CliExit(EXIT.needsConfirmation, 'certbot waits for you to publish DNS records: run it on a terminal, or give --dns-ready-file PATH or --continue-when-resolves (with --yes). Nothing was started.');
  await confirmHostChange(ctx, values.yes, `Run certbot for ${values.host} on the Services machine?`, 'drydock cert certbot … --yes');
  const started = await ctx.call('certs:certbot-start', {
    hostname: values.host,
    sans: values.san ?? [],
    ...(values.server ? { server: values.server } : {}),
    ...(caBundle ? { caBundle } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values.services ? { services: values.services } : {}),
  });
  printRecords(ctx, started.records);
  // Ctrl-C while waiting stops certbot on the host too, instead of leaving it at its prompt.
  const onInterrupt = () => void ctx.call('certs:certbot-cancel', { runId: started.runId }).finally(() => process.exit(EXIT.failed));
  process.once('SIGINT', onInterrupt);
  try {
    await waitForAdmin(ctx, started.runId, { readyFile: values['dns-ready-file'], resolves: values['continue-when-resolves'], resolver: values['dns-server'] });
  } catch (err) {
    await ctx.call('certs:certbot-cancel', { runId: started.runId });
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  ctx.err('certbot is validating…');
  const { bundle } = await ctx.call('certs:certbot-continue', { runId: started.runId });
  for (const line of certLines(bundle.chain[0])) ctx.err(line);
  ctx.err(`Collected fullchain.pem and privkey.pem into ${bundle.dir} (certificate id ${bundle.id}).`);
  ctx.err(renewalReminder(bundle));
  if (!values.install) {
    ctx.err(`Install it: drydock cert install --bundle ${bundle.id}`);
    return;
  }
  const result = await ctx.call('certs:install', { bundle: bundle.id, ...(values.services ? { services: values.services } : {}) });
  ctx.err(`Installed for ${result.hostname} (run ${result.runId}).`);
}
