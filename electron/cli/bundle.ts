/**
 * `drydock bundle push`: the offline bundle (the .airgap, the .rli license,
 * replicated.tar.gz, Docker .debs, the nomad binary) to the hosts that need
 * it, SHA-256 checked on both ends, every host at once. An interrupted push
 * resumes from what arrived (`drydock runs resume ID`, or the same push again).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BUNDLE_DIR } from '../../shared/channels/bundle';
import { usage, type CliContext } from './context';
import { bytes, table } from './format';
import type { CliCommand } from './help';

const USAGE = 'bundle push --file PATH [--file PATH ...] (--to HOST[,HOST] | --role services|nomad) [--dir REMOTE_DIR] [--json]';

async function bundleCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'push') usage(USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { file: { type: 'string', multiple: true }, to: { type: 'string' }, role: { type: 'string' }, dir: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length) usage(`unexpected ${positionals.join(' ')}`);
  if (!values.file?.length) usage('--file PATH is needed (once per file)');
  if (!!values.to === !!values.role) usage('say where to: --to HOST[,HOST] or --role services|nomad');
  if (values.role && values.role !== 'services' && values.role !== 'nomad') usage('--role takes services or nomad');
  const hosts = values.to?.split(',').map((h) => h.trim()).filter(Boolean);
  const r = await ctx.call('bundle:push', {
    files: values.file.map((f) => path.resolve(f)),
    ...(hosts ? { hosts } : { role: values.role as 'services' | 'nomad' }),
    ...(values.dir ? { dir: values.dir } : {}),
  });
  if (ctx.json) {
    ctx.out(JSON.stringify(r.files.map((f) => ({ host: f.host, path: f.path, bytes: f.bytes, sha256: f.sha256, resumedFrom: f.resumedFrom, seconds: Math.round(f.seconds * 100) / 100 }))));
    return;
  }
  const rows = r.files.map((f) => [
    f.host,
    f.path,
    bytes(f.bytes),
    f.skipped ? 'already there' : f.resumedFrom ? `resumed from ${bytes(f.resumedFrom)}` : f.discardedPart ? `sent whole (a ${bytes(f.discardedPart)} .part did not match)` : 'sent',
    f.skipped ? '' : `${f.seconds.toFixed(1)} s`,
    f.sha256,
  ]);
  ctx.out(table([['HOST', 'PATH', 'SIZE', 'HOW', 'TIME', 'SHA-256'], ...rows]));
  ctx.out(`Run ${r.runId}: every copy's SHA-256 matched the laptop's.`);
}

export const bundleCli: CliCommand = {
  name: 'bundle',
  summary: 'push the offline bundle (.airgap, .rli, replicated.tar.gz, .debs, nomad) to the hosts, checksummed, resumable',
  run: bundleCommand,
  subcommands: {
    push: {
      usage: USAGE,
      summary: 'Send laptop files over SSH to the hosts that need them, all hosts at once; SHA-256 computed on both ends while streaming, a mismatch is an error.',
      options: {
        '--file PATH': 'a file on this computer (repeat for each file)',
        '--to HOST[,HOST]': 'these inventory hosts',
        '--role services|nomad': 'every host of the role (the Services machine, or every Nomad client)',
        '--dir REMOTE_DIR': `the folder on the hosts (default ${DEFAULT_BUNDLE_DIR}; a real folder of root's, mode 0700, created if missing)`,
        '--json': 'print [{host, path, bytes, sha256, resumedFrom, seconds}] per host and file',
      },
      notes: [
        'Free space is checked on every host first: a host that lacks it stops the push before anything is sent.',
        'A copy already there with the same SHA-256 is not sent again. An interrupted push (dropped connection, closed laptop) keeps what arrived in REMOTE_DIR/.NAME.part; `drydock runs resume ID` or the same push again continues from there once that prefix\'s hash matches.',
        'Exit codes: 0 every copy checked, 1 a host failed (the others finished), 2 bad usage.',
      ],
    },
  },
};
