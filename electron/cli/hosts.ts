/** `drydock hosts …`: inventory, trust and facts. */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DrydockError } from '../../shared/errors';
import { HOST_ROLES, knownHostsName, parseAddress, type HostEdit, type HostRole } from '../../shared/hosts';
import { importSshConfig } from '../engine/inventory/ssh-config-import';
import { CliExit, EXIT, noArguments, usage, type CliContext } from './context';
import { bytes, table } from './format';
import type { CliCommand } from './help';

export const hostsCli: CliCommand = {
  name: 'hosts',
  summary: 'the inventory: add, list and remove hosts, trust their SSH keys, read their facts',
  run: hostsCommand,
  subcommands: {
    add: {
      usage: 'hosts add NAME --address HOST[:PORT] --user USER [--key PATH] [--jump NAME] --role ROLE',
      summary: 'Add a host to the inventory (nothing is contacted yet).',
      options: {
        '--address HOST[:PORT]': 'DNS name or IP, optional SSH port (default 22); [v6]:PORT for IPv6',
        '--user USER': 'the SSH login user (root, or a user with sudo)',
        '--key PATH': 'private key file (DRYDOCK_KEY_PASSPHRASE when it is encrypted)',
        '--jump NAME': 'reach this host through another inventory host (bastion)',
        '--role ROLE': `${HOST_ROLES.join(', ')}`,
      },
    },
    edit: {
      usage: 'hosts edit NAME [--address HOST[:PORT]] [--port N] [--user USER] [--key PATH | --no-key] [--role ROLE] [--jump NAME | --no-jump] [--yes]',
      summary: 'Change a host in place; a new address or port forgets its trusted key (asks first; --yes to go ahead).',
      options: {
        '--address HOST[:PORT]': 'new DNS name or IP (and port)',
        '--port N': 'new SSH port',
        '--user USER': 'new login user',
        '--key PATH | --no-key': 'new private key file, or none (agent or password)',
        '--role ROLE': `${HOST_ROLES.join(', ')}`,
        '--jump NAME | --no-jump': 'reach it through another inventory host, or directly',
        '--yes': 'forget the old key without asking when the address or port changes',
      },
    },
    list: { usage: 'hosts list [--json]', summary: 'The inventory, with each host\'s trusted key.' },
    remove: { usage: 'hosts remove NAME', summary: 'Remove a host from the inventory.' },
    'import-ssh-config': {
      usage: 'hosts import-ssh-config [--file PATH] [--role ROLE]',
      summary: 'Add the hosts of an OpenSSH client config.',
      options: { '--file PATH': 'default ~/.ssh/config', '--role ROLE': 'role given to every imported host (default nomad)' },
    },
    'import-known-hosts': {
      usage: 'hosts import-known-hosts [--file PATH]',
      summary: 'Trust the keys a known_hosts file already holds for inventory hosts; a different key is reported, not imported.',
      options: { '--file PATH': 'default ~/.ssh/known_hosts' },
    },
    trust: {
      usage: 'hosts trust NAME [--fingerprint SHA256:...]',
      summary: 'Trust a host\'s SSH key: asks on a terminal; elsewhere prints it and exits 3 unless --fingerprint matches.',
      options: { '--fingerprint SHA256:…': 'the fingerprint you checked on the host\'s console (ssh-keygen -lf)' },
    },
    'forget-key': { usage: 'hosts forget-key NAME', summary: 'Forget the trusted key of a host (after a reinstall).' },
    facts: { usage: 'hosts facts NAME [--json]', summary: 'OS, kernel, CPUs, memory, disks, Docker, Nomad and Replicated versions.' },
  },
};

export async function hostsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'edit':
      return edit(ctx, rest);
    case 'list':
      noArguments(rest);
      return list(ctx);
    case 'remove':
      return one(rest, async (name) => {
        await ctx.call('hosts:remove', { name });
        ctx.err(`Removed ${name}`);
      });
    case 'import-ssh-config':
      return importConfig(ctx, rest);
    case 'import-known-hosts':
      return importKnownHosts(ctx, rest);
    case 'trust':
      return trust(ctx, rest);
    case 'forget-key':
      return one(rest, async (name) => {
        const { removed } = await ctx.call('hosts:forget-key', { name });
        ctx.err(`Forgot ${removed} key(s) of ${name}`);
      });
    case 'facts':
      return facts(ctx, rest);
    default:
      usage('hosts: add | edit | list | remove | import-ssh-config | import-known-hosts | trust | forget-key | facts');
  }
}

async function one(argv: string[], run: (name: string) => Promise<void>): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true });
  if (positionals.length !== 1) usage('give exactly one host name');
  await run(positionals[0]);
}

async function add(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { address: { type: 'string' }, user: { type: 'string' }, key: { type: 'string' }, jump: { type: 'string' }, role: { type: 'string' } },
  });
  if (positionals.length !== 1) usage('hosts add NAME --address HOST[:PORT] --user USER [--key PATH] [--jump NAME] --role ROLE');
  if (!values.address) usage('--address is required');
  if (!values.user) usage('--user is required');
  if (!values.role) usage(`--role is required (${HOST_ROLES.join(', ')})`);
  const { address, port } = parseAddress(values.address);
  const host = await ctx.call('hosts:add', {
    name: positionals[0],
    address,
    port: port ?? 22,
    user: values.user,
    role: values.role as HostRole,
    ...(values.key ? { keyPath: path.resolve(values.key) } : {}),
    ...(values.jump ? { jump: values.jump } : {}),
  });
  for (const w of host.warnings) ctx.err(`warning: ${w}`);
  if (ctx.json) ctx.out(JSON.stringify(host));
  else ctx.err(`Added ${host.name}. Next: drydock hosts trust ${host.name}`);
}

export const EDIT_USAGE = 'hosts edit NAME [--address HOST[:PORT]] [--port N] [--user USER] [--key PATH | --no-key] [--role ROLE] [--jump NAME | --no-jump] [--yes]';

/**
 * Change a host in place. Moving it to another address or port forgets the
 * key trusted for the old one: that needs --yes (exit 3 without it, nothing
 * changed), as the GUI asks first.
 */
async function edit(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      address: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      key: { type: 'string' },
      'no-key': { type: 'boolean' },
      role: { type: 'string' },
      jump: { type: 'string' },
      'no-jump': { type: 'boolean' },
      yes: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) usage(EDIT_USAGE);
  if (values.key && values['no-key']) usage('give --key or --no-key, not both');
  if (values.jump && values['no-jump']) usage('give --jump or --no-jump, not both');
  const changes: HostEdit = {};
  if (values.address !== undefined) {
    const { address, port } = parseAddress(values.address);
    changes.address = address;
    if (port !== undefined) changes.port = port;
  }
  if (values.port !== undefined) changes.port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (values.user !== undefined) changes.user = values.user;
  if (values.role !== undefined) {
    if (!HOST_ROLES.includes(values.role as HostRole)) usage(`--role must be one of ${HOST_ROLES.join(', ')}`);
    changes.role = values.role as HostRole;
  }
  if (values.key !== undefined) changes.keyPath = path.resolve(values.key);
  if (values['no-key']) changes.keyPath = null;
  if (values.jump !== undefined) changes.jump = values.jump;
  if (values['no-jump']) changes.jump = null;
  if (!Object.keys(changes).length) usage(`nothing to change: ${EDIT_USAGE}`);

  const name = positionals[0];
  let result;
  try {
    result = await ctx.call('hosts:edit', { name, changes, ...(values.yes ? { forgetKey: true } : {}) });
  } catch (err) {
    if (err instanceof DrydockError && err.code === 'CONFLICT' && err.details?.forgetKey) {
      throw new CliExit(EXIT.needsConfirmation, `${err.message.replace(/ Confirm to go on;.*$/, '')} Nothing was changed; run again with --yes to do it.`);
    }
    throw err;
  }
  for (const w of result.warnings) ctx.err(`warning: ${w}`);
  if (ctx.json) return ctx.out(JSON.stringify(result));
  ctx.err(`Saved ${name}${result.forgotKeys ? `; forgot the key of its old address. Next: drydock hosts trust ${name}` : ''}`);
}

async function list(ctx: CliContext): Promise<void> {
  const hosts = await ctx.call('hosts:list', {});
  if (ctx.json) return ctx.out(JSON.stringify(hosts));
  if (!hosts.length) return ctx.err('No hosts yet: drydock hosts add NAME --address … --user … --role …');
  ctx.out(
    table([
      ['NAME', 'ROLE', 'ADDRESS', 'USER', 'JUMP', 'HOST KEY'],
      ...hosts.map((h) => [h.name, h.role, `${h.address}:${h.port}`, h.user, h.jump ?? '-', h.fingerprint ?? 'not trusted']),
    ]),
  );
}

async function importConfig(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { file: { type: 'string' }, role: { type: 'string' } } });
  const file = values.file ?? path.join(os.homedir(), '.ssh', 'config');
  const role = (values.role ?? 'nomad') as HostRole;
  if (!HOST_ROLES.includes(role)) usage(`--role must be one of ${HOST_ROLES.join(', ')}`);
  const { hosts, skipped } = importSshConfig(file, role);
  ctx.engine.inventory.upsertAll(hosts);
  for (const s of skipped) ctx.err(`skipped ${s.name}: ${s.reason}`);
  if (ctx.json) ctx.out(JSON.stringify({ imported: hosts.map((h) => h.name), skipped }));
  else ctx.err(`Imported ${hosts.length} host(s) from ${file}: ${hosts.map((h) => `${h.name} (${h.role})`).join(', ')}`);
}

async function importKnownHosts(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { file: { type: 'string' } } });
  const file = values.file ?? path.join(os.homedir(), '.ssh', 'known_hosts');
  const hosts = ctx.engine.inventory.list();
  const byKnownAs = new Map(hosts.map((h) => [knownHostsName(h.address, h.port), h.name]));
  const { imported, conflicts, revoked } = ctx.engine.knownHosts.importFrom(file, [...byKnownAs.keys()]);
  for (const { name, keys } of imported) {
    for (const k of keys) {
      ctx.engine.audit.append({ host: byKnownAs.get(name)!, fingerprint: k.fingerprint, kind: 'trust', command: `import ${k.keyType} key for ${name} from ${file}`, exitCode: 0, durationMs: 0 });
    }
  }
  for (const r of revoked) ctx.err(`not imported: ${file} offers ${r.offered} for ${byKnownAs.get(r.name)}, a key marked @revoked in ${ctx.engine.knownHosts.file}`);
  for (const c of conflicts) ctx.err(`not imported: ${byKnownAs.get(c.name)} is trusted with ${c.stored}, ${file} offers ${c.offered} (a changed key: check it on the host's console)`);
  if (ctx.json) ctx.out(JSON.stringify({ imported: imported.map((i) => byKnownAs.get(i.name)), conflicts: conflicts.map((c) => byKnownAs.get(c.name)) }));
  else ctx.err(`Imported keys for ${imported.length} of ${hosts.length} host(s) from ${file}`);
}

async function trust(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { fingerprint: { type: 'string' } } });
  if (positionals.length !== 1) usage('hosts trust NAME [--fingerprint SHA256:...]');
  const name = positionals[0];
  let fingerprint = values.fingerprint;
  if (!fingerprint) {
    const scan = await ctx.call('hosts:scan-key', { name });
    if (scan.status === 'trusted') {
      ctx.err(`${name} is already trusted (${scan.keyType} ${scan.fingerprint})`);
      return;
    }
    if (scan.status === 'changed') {
      throw new CliExit(EXIT.hostKey, `Host key changed for ${name}: stored ${scan.storedFingerprint}, presented ${scan.fingerprint}. Possible man-in-the-middle attack; nothing trusted.`);
    }
    ctx.out(`${scan.knownAs} ${scan.keyType} ${scan.fingerprint}`);
    if (!ctx.isTTY) {
      throw new CliExit(
        EXIT.needsConfirmation,
        `Not trusted: compare ${scan.fingerprint} with \`ssh-keygen -lf\` of the host key on ${name}'s console, then run: drydock hosts trust ${name} --fingerprint ${scan.fingerprint}`,
      );
    }
    const answer = (await ctx.ask(`Trust this ${scan.keyType} key for ${name}? Type yes to confirm: `)).trim().toLowerCase();
    if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not trusted.');
    fingerprint = scan.fingerprint;
  }
  const result = await ctx.call('hosts:trust', { name, fingerprint });
  if (ctx.json) ctx.out(JSON.stringify(result));
  else ctx.err(`Trusted ${name}: ${result.keyType} ${result.fingerprint}`);
}

async function facts(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) usage('hosts facts NAME [--json]');
  const { runId, facts: f } = await ctx.call('hosts:facts', { name: positionals[0] });
  if (ctx.json) return ctx.out(JSON.stringify({ runId, facts: f }));
  ctx.out(
    table([
      ['hostname', f.hostname],
      ['os', `${f.os.name} ${f.os.version}`.trim()],
      ['kernel', f.kernel],
      ['cpus', String(f.cpus)],
      ['memory', bytes(f.memoryBytes)],
      ['docker', f.software.docker ?? 'not installed'],
      ['docker daemon', f.software.dockerServer ?? (f.software.docker ? 'not reachable' : 'not installed')],
      ['nomad', f.software.nomad ?? 'not installed'],
      ['replicated', f.software.replicated ?? 'not installed'],
    ]),
  );
  ctx.out('');
  ctx.out(table([['MOUNT', 'FS', 'SIZE', 'FREE'], ...f.disks.map((d) => [d.mount, d.filesystem, bytes(d.sizeBytes), bytes(d.freeBytes)])]));
}
