/**
 * `drydock cert …`: certificates for CircleCI Server, headless. Every
 * subcommand goes through the same channels as the Certificates wizard.
 *
 *   cert self-signed --host H [--san N]... [--days N] [--key rsa2048|rsa3072|rsa4096|p256] [--ca NAME] --out DIR
 *   cert ca create NAME [--days N] [--key …] | cert ca list
 *   cert trust-ca NAME [--yes] | cert untrust-ca [--yes]   the internal CA on the Nomad clients
 *   cert delete ID [--yes]             forget a certificate Drydock holds
 *   cert list                          certificates Drydock holds, with renewal dates
 *   cert trust-ghe [--ghe HOST] [--port N] [--no-nomad] [--yes]
 *   cert untrust-ghe [--yes]           undo the newest trust-ghe on every host it touched
 *   cert certbot --host H [--san N]... [--server URL --ca-bundle FILE] [--email E] [--install] [--yes]
 *                [--dns-ready-file PATH | --continue-when-resolves [--dns-server IP[#PORT]]]
 *   cert install (--cert FILE --key FILE | --bundle ID) [--hostname H] [--yes]
 *   cert verify [--hostname H] [--address A] [--from laptop|services] [--port N]...
 * Every host command takes --services NAME when the inventory has several.
 */
import { parseArgs } from 'node:util';
import { caCommand, trustCaCommand, untrustCaCommand } from './cert-ca';
import { certbotCommand, trustGheCommand } from './cert-interactive';
import { certLines, confirmHostChange, intOption, keyType, renewalReminder, secret } from './cert-format';
import { CliExit, EXIT, noArguments, usage, type CliContext } from './context';
import { table } from './format';

export async function certCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'self-signed':
      return selfSigned(ctx, rest);
    case 'ca':
      return caCommand(ctx, rest);
    case 'trust-ca':
      return trustCaCommand(ctx, rest);
    case 'untrust-ca':
      return untrustCaCommand(ctx, rest);
    case 'list':
      noArguments(rest);
      return list(ctx);
    case 'delete':
      return remove(ctx, rest);
    case 'trust-ghe':
      return trustGheCommand(ctx, rest);
    case 'untrust-ghe':
      return untrustGhe(ctx, rest);
    case 'certbot':
      return certbotCommand(ctx, rest);
    case 'install':
      return install(ctx, rest);
    case 'verify':
      return verify(ctx, rest);
    default:
      usage(`unknown subcommand${sub ? ` "${sub}"` : ''}: self-signed | ca create|list | trust-ca | untrust-ca | list | delete | trust-ghe | untrust-ghe | certbot | install | verify`);
  }
}

async function selfSigned(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      san: { type: 'string', multiple: true },
      days: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      out: { type: 'string' },
      services: { type: 'string' },
      offline: { type: 'boolean' },
    },
  });
  if (!values.host) usage('cert self-signed --host ci.example.com [--san …] [--days N] [--key rsa2048|rsa3072|rsa4096|p256] [--ca NAME] --out DIR');
  if (!values.out) usage('--out DIR is required (cert.pem and key.pem are written there)');
  const caPassphrase = values.ca ? await secret(ctx, 'DRYDOCK_CA_PASSPHRASE', `Passphrase of CA ${values.ca}`) : undefined;
  const result = await ctx.call('certs:generate', {
    hostname: values.host,
    sans: values.san ?? [],
    ...(values.days ? { days: intOption(values.days, '--days') } : {}),
    ...(values.key ? { key: keyType(values.key) } : {}),
    ...(values.ca ? { ca: values.ca, caPassphrase } : {}),
    out: values.out,
    ...(values.services ? { services: values.services } : {}),
    offline: !!values.offline,
  });
  if (ctx.json) return ctx.out(JSON.stringify({ ...result, bundle: { ...result.bundle, chain: result.bundle.chain.map(({ pem: _pem, ...c }) => c) } }));
  for (const line of certLines(result.bundle.chain[0])) ctx.err(line);
  for (const note of result.notes) ctx.err(note);
  ctx.err(`Wrote ${result.files.cert} (full chain, leaf first) and ${result.files.key} (0600). Certificate id ${result.bundle.id}.`);
  ctx.out(result.files.cert);
}

async function list(ctx: CliContext): Promise<void> {
  const bundles = await ctx.call('certs:bundles', {});
  if (ctx.json) return ctx.out(JSON.stringify(bundles.map((b) => ({ ...b, chain: b.chain.map(({ pem: _pem, ...c }) => c) }))));
  if (!bundles.length) return ctx.err('No certificates yet: drydock cert self-signed … or drydock cert certbot …');
  ctx.out(table([['ID', 'HOSTNAME', 'SOURCE', 'EXPIRES', 'RENEW BY'], ...bundles.map((b) => [b.id, b.hostname, b.source, b.chain[0].notAfter.slice(0, 10), b.renewBy.slice(0, 10)])]));
  for (const b of bundles.filter((x) => Date.now() > new Date(x.renewBy).getTime())) ctx.err(`Renew now: ${renewalReminder(b)}`);
}

async function remove(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { yes: { type: 'boolean', short: 'y' } } });
  if (positionals.length !== 1) usage('give exactly one certificate id (drydock cert list)');
  const bundle = (await ctx.call('certs:bundles', {})).find((b) => b.id === positionals[0]);
  if (!bundle) throw new CliExit(EXIT.usage, `No certificate ${positionals[0]} (drydock cert list)`);
  for (const line of certLines(bundle.chain[0])) ctx.err(line);
  await confirmHostChange(ctx, values.yes, `Delete ${bundle.id} and its private key from this laptop? (Nothing on a host changes.)`, `drydock cert delete ${bundle.id} --yes`);
  const { deleted } = await ctx.call('certs:bundle-delete', { id: bundle.id });
  if (ctx.json) return ctx.out(JSON.stringify({ deleted }));
  ctx.err(`Deleted ${deleted}.`);
}

async function install(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { cert: { type: 'string' }, key: { type: 'string' }, bundle: { type: 'string' }, hostname: { type: 'string' }, services: { type: 'string' }, yes: { type: 'boolean', short: 'y' } },
  });
  if (!values.bundle && !(values.cert && values.key)) usage('cert install --cert FILE --key FILE [--yes]  (or --bundle ID)');
  // Importing checks key and chain on the laptop: a mismatch stops here, before any host is touched.
  const bundle = values.bundle
    ? (await ctx.call('certs:bundles', {})).find((b) => b.id === values.bundle)
    : await ctx.call('certs:import', { certFile: values.cert!, keyFile: values.key! });
  if (!bundle) throw new CliExit(EXIT.usage, `No certificate ${values.bundle} (drydock cert list)`);
  for (const line of certLines(bundle.chain[0])) ctx.err(line);
  await confirmHostChange(
    ctx,
    values.yes,
    'This stops the CircleCI app, installs this certificate for the app and the admin console, and starts the app again (downtime).',
    `drydock cert install --bundle ${bundle.id} --yes`,
  );
  const result = await ctx.call('certs:install', {
    bundle: bundle.id,
    ...(values.hostname ? { hostname: values.hostname } : {}),
    ...(values.services ? { services: values.services } : {}),
  });
  if (ctx.json) return ctx.out(JSON.stringify({ runId: result.runId, hostname: result.hostname, sha256: result.installed.sha256, replaced: result.replaced ?? null }));
  ctx.err(`Installed for ${result.hostname} (run ${result.runId}). ${renewalReminder(bundle)}`);
  if (result.replaced) ctx.err(`The certificate it replaced is kept: drydock cert install --bundle ${result.replaced} puts it back.`);
  ctx.err('Check it: drydock cert verify');
}

async function verify(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { hostname: { type: 'string' }, address: { type: 'string' }, from: { type: 'string' }, port: { type: 'string', multiple: true }, services: { type: 'string' } },
  });
  if (values.from && values.from !== 'laptop' && values.from !== 'services') usage('--from laptop|services');
  const report = await ctx.call('certs:verify', {
    ...(values.hostname ? { hostname: values.hostname } : {}),
    ...(values.address ? { address: values.address } : {}),
    ...(values.from ? { from: values.from as 'laptop' | 'services' } : {}),
    ...(values.port ? { ports: values.port.map((p) => intOption(p, '--port')!) } : {}),
    ...(values.services ? { services: values.services } : {}),
  });
  const bad = report.endpoints.filter((e) => !e.reachable || e.hostnameMatches === false || e.matchesInstalled === false || (e.daysLeft ?? 0) < 0);
  if (ctx.json) ctx.out(JSON.stringify(report));
  else {
    ctx.out(
      table([
        ['PORT', 'TLS', 'HOSTNAME', 'INSTALLED', 'DAYS LEFT', 'SHA256'],
        ...report.endpoints.map((e) => [
          String(e.port),
          e.reachable ? 'ok' : `failed: ${e.error ?? ''}`,
          e.hostnameMatches === null ? '-' : e.hostnameMatches ? 'matches' : 'MISMATCH',
          e.matchesInstalled === null ? 'unknown' : e.matchesInstalled ? 'same' : 'DIFFERENT',
          e.daysLeft === null ? '-' : String(e.daysLeft),
          e.presented?.sha256 ?? '-',
        ]),
      ]),
    );
    ctx.err(`${report.hostname}, checked from ${report.from === 'laptop' ? 'this laptop' : 'the Services machine'}${report.installed ? '' : ' (installed certificate unknown: Services machine not reachable)'}`);
  }
  if (bad.length) throw new CliExit(EXIT.failed, `TLS check failed on port(s) ${bad.map((e) => e.port).join(', ')}`);
}

async function untrustGhe(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { services: { type: 'string' }, yes: { type: 'boolean' } } });
  await confirmHostChange(ctx, values.yes, 'Restore the CA files trust-ghe replaced, on the Services machine and every Nomad client?', 'drydock cert untrust-ghe --yes');
  const { hosts } = await ctx.call('certs:trust-ghe-rollback', { ...(values.services ? { services: values.services } : {}) });
  if (ctx.json) return ctx.out(JSON.stringify({ hosts }));
  for (const h of hosts) ctx.err(h.set ? `${h.host}: restored ${h.files.length} file(s) from ${h.set}` : `${h.host}: nothing to undo`);
}
