/**
 * `drydock cert ca …`, `cert trust-ca` and `cert untrust-ca`: the internal
 * CA on this laptop, and its certificate on the Nomad clients.
 */
import { parseArgs } from 'node:util';
import { confirmHostChange, intOption, keyType, secret } from './cert-format';
import { CliExit, EXIT, noArguments, usage, type CliContext } from './context';
import { table } from './format';

export async function caCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    noArguments(rest);
    const cas = await ctx.call('certs:ca-list', {});
    if (ctx.json) return ctx.out(JSON.stringify(cas));
    if (!cas.length) return ctx.err('No internal CA yet: drydock cert ca create NAME');
    ctx.out(table([['NAME', 'EXPIRES', 'SHA256', 'CERTIFICATE'], ...cas.map((c) => [c.name, c.notAfter.slice(0, 10), c.sha256, c.certPath])]));
    return;
  }
  if (sub !== 'create') usage('cert ca create NAME [--days N] [--key …] | cert ca list');
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { days: { type: 'string' }, key: { type: 'string' } } });
  if (positionals.length !== 1) usage('cert ca create NAME');
  let passphrase = process.env.DRYDOCK_CA_PASSPHRASE;
  if (!passphrase) {
    passphrase = await secret(ctx, 'DRYDOCK_CA_PASSPHRASE', `New passphrase for CA ${positionals[0]}`);
    if ((await secret(ctx, 'DRYDOCK_CA_PASSPHRASE', 'Again')) !== passphrase) throw new CliExit(EXIT.usage, 'The passphrases differ: nothing was created.');
  }
  const created = await ctx.call('certs:ca-create', {
    name: positionals[0],
    passphrase,
    ...(values.days ? { days: intOption(values.days, '--days') } : {}),
    ...(values.key ? { key: keyType(values.key) } : {}),
  });
  if (ctx.json) return ctx.out(JSON.stringify(created));
  ctx.err(`Created CA ${created.name} (${created.sha256}), valid until ${created.notAfter.slice(0, 10)}.`);
  ctx.err(`Give browsers its certificate; give the Nomad clients it with: drydock cert trust-ca ${created.name}. Its key stays encrypted on this laptop:`);
  ctx.out(created.certPath);
}

/** The CA's fingerprint and the clients are shown before the question; exactly those are sent. */
export async function trustCaCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { yes: { type: 'boolean', short: 'y' } } });
  if (positionals.length !== 1) usage('cert trust-ca NAME [--yes]');
  const ca = (await ctx.call('certs:ca-list', {})).find((c) => c.name === positionals[0]);
  if (!ca) throw new CliExit(EXIT.usage, `No internal CA named ${positionals[0]} (drydock cert ca list)`);
  const clients = ctx.engine.inventory.withRole('nomad').map((h) => h.name);
  if (!clients.length) throw new CliExit(EXIT.usage, 'No Nomad clients in the inventory: add them with drydock hosts add … --role nomad');
  ctx.err(`CA ${ca.name}: ${ca.subject}`);
  ctx.err(`    sha256   ${ca.sha256}`);
  ctx.err(`Nomad clients: ${clients.join(', ')}`);
  await confirmHostChange(ctx, values.yes, `Add this CA to the trust store of ${clients.length} Nomad client(s)?`, `drydock cert trust-ca ${ca.name} --yes`);
  const result = await ctx.call('certs:trust-ca', { ca: ca.name, sha256: ca.sha256, hosts: clients });
  if (ctx.json) return ctx.out(JSON.stringify(result));
  for (const c of result.clients) ctx.err(`  ${c.host}: ${c.ok ? (c.changed ? 'trusted' : 'already trusted') : `failed: ${c.error}`}`);
  ctx.err(`${result.file} is in place (run ${result.runId}). Undo: drydock cert untrust-ca --yes`);
}

export async function untrustCaCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { yes: { type: 'boolean', short: 'y' } } });
  const clients = ctx.engine.inventory.withRole('nomad').map((h) => h.name);
  await confirmHostChange(ctx, values.yes, `Restore the CA files trust-ca replaced on ${clients.join(', ') || 'no Nomad client'}?`, 'drydock cert untrust-ca --yes');
  const { hosts } = await ctx.call('certs:untrust-ca', { hosts: clients });
  if (ctx.json) return ctx.out(JSON.stringify({ hosts }));
  for (const h of hosts) ctx.err(h.set ? `${h.host}: restored ${h.files.length} file(s) from ${h.set}` : `${h.host}: nothing to undo`);
}
