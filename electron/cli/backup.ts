/**
 * `drydock backup …`: profiles, a backup run (interactive, or with --yes for
 * cron and systemd timers), the catalog, prune and schedule. A run prints the
 * plan first; without --yes it asks on a terminal and elsewhere stops with
 * exit 3 having touched nothing.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BackupView } from '../../shared/backup/catalog';
import { parseInterval, scheduleFiles } from '../../shared/backup/schedule';
import { CliExit, EXIT, usage, type CliContext } from './context';
import { formatCatalog, formatPlan, formatPrune, formatProfiles } from './backup-format';
import type { CliCommand } from './help';

const USAGE = `backup profile set NAME --provider aws --instance ID|IP|NAME [--region R] [--endpoint URL] [--ca-bundle FILE] [--aws-profile P] [--imds] [--tunnel-via HOST] [--spare-instance ID]
  backup profile set NAME --provider libvirt --hypervisor HOST --domain DOM [--uri URI] --store HOST:DIR [--spare-hypervisor HOST --spare-domain DOM]
  backup profile list | backup profile remove NAME
  backup run --profile NAME [--mode live|consistent] [--volumes root|all] [--wait] [--wait-for-builds] [--yes]
  backup list --profile NAME | backup prune --profile NAME [--keep-last N] [--keep-days D] [--yes]
  backup schedule --profile NAME --every DURATION`;

export const backupCli: CliCommand = {
  name: 'backup',
  summary: 'snapshots of the Services machine (AWS EBS, KVM/libvirt): profiles, runs, the catalog, prune and schedule',
  run: backupCommand,
  subcommands: {
    profile: {
      usage: 'backup profile set NAME --provider aws|libvirt … | backup profile list [--json] | backup profile remove NAME',
      summary: 'Where and how to back up (no secrets are kept): the provider, the Services machine, and for restore the spare.',
      options: {
        '--provider aws|libvirt': 'AWS EBS snapshots, or a libvirt domain on a hypervisor reached over SSH',
        '--instance ID|IP|NAME': 'aws: the Services instance by id, private IP or Name tag',
        '--region R': 'aws: the region (default from the environment or profile)',
        '--endpoint URL': 'aws: a custom EC2 endpoint (VPC endpoint, GovCloud, isolated region)',
        '--ca-bundle FILE': 'aws: extra CA certificates (a TLS-inspecting proxy)',
        '--aws-profile P': 'aws: a profile in ~/.aws',
        '--imds': 'aws: also ask the instance metadata service (only for a Drydock running on EC2)',
        '--tunnel-via HOST': 'aws: reach the EC2 API through an SSH tunnel from this inventory host',
        '--spare-instance ID': 'aws: the hot spare, for restore',
        '--hypervisor HOST --domain DOM': 'libvirt: the inventory host (role hypervisor) and the Services machine\'s domain',
        '--uri URI': 'libvirt: connection URI (default qemu:///system)',
        '--store HOST:DIR': 'libvirt: where images are kept (root-owned 0700 directory), on the hypervisor or another inventory host (then staged on the hypervisor and copied through this computer)',
      },
    },
    run: {
      usage: 'backup run --profile NAME [--mode live|consistent] [--volumes root|all] [--wait] [--wait-for-builds] [--yes] [--json]',
      summary: 'Take a backup: plan shown first; without --yes asks on a terminal, elsewhere exits 3 having touched nothing.',
      options: {
        '--mode live|consistent': 'live: no downtime (small risk without a reboot); consistent: stop the app, sync, snapshot, start',
        '--volumes root|all': 'the root volume only, or every attached volume at once (crash-consistent)',
        '--wait': 'follow the snapshot until it completes',
        '--wait-for-builds': 'consistent mode: wait for running builds before stopping the app',
        '--yes': 'go ahead without asking (cron, systemd timers)',
      },
    },
    list: { usage: 'backup list --profile NAME [--json]', summary: 'The catalog: backups Drydock tagged for this installation, with state, progress, size and age.' },
    prune: {
      usage: 'backup prune --profile NAME [--keep-last N] [--keep-days D] [--yes] [--json]',
      summary: 'Delete old backups after confirmation; never the newest completed, one a restore uses, or one Drydock did not tag.',
      options: { '--keep-last N': 'keep the newest N', '--keep-days D': 'keep those younger than D days', '--yes': 'delete without asking' },
    },
    schedule: {
      usage: 'backup schedule --profile NAME --every DURATION',
      summary: 'Print systemd timer and service units (and a crontab line where cron can express it) for headless backups.',
      options: { '--every DURATION': 'e.g. 6h, 1d' },
    },
  },
};

export async function backupCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'profile':
      return profile(ctx, rest);
    case 'run':
      return run(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'prune':
      return prune(ctx, rest);
    case 'schedule':
      return schedule(ctx, rest);
    default:
      usage(USAGE);
  }
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) usage(`${flag}: a number, not ${v}`);
  return n;
}

async function profile(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const profiles = await ctx.call('backup:profiles', {});
    if (ctx.json) return ctx.out(JSON.stringify(profiles));
    formatProfiles(profiles).forEach((l) => ctx.out(l));
    return;
  }
  if (sub === 'remove') {
    if (rest.length !== 1) usage('backup profile remove NAME');
    const { removed } = await ctx.call('backup:profile-remove', { profile: rest[0] });
    if (!removed) throw new CliExit(EXIT.failed, `No backup profile ${rest[0]}`);
    return ctx.out(ctx.json ? JSON.stringify({ removed }) : `Removed backup profile ${rest[0]} (its snapshots are untouched).`);
  }
  if (sub !== 'set') usage(USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      provider: { type: 'string' },
      instance: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'ca-bundle': { type: 'string' },
      'aws-profile': { type: 'string' },
      imds: { type: 'boolean' },
      'tunnel-via': { type: 'string' },
      'spare-instance': { type: 'string' },
      'installation-id': { type: 'string' },
      hypervisor: { type: 'string' },
      domain: { type: 'string' },
      uri: { type: 'string' },
      store: { type: 'string' },
      'spare-hypervisor': { type: 'string' },
      'spare-domain': { type: 'string' },
    },
  });
  if (positionals.length !== 1) usage('backup profile set NAME --provider aws|libvirt …');
  const name = positionals[0];
  const common = { name, ...(values['installation-id'] ? { installationId: values['installation-id'] } : {}) };
  const opt = <K extends string>(key: K, v: string | undefined) => (v !== undefined ? ({ [key]: v } as Record<K, string>) : {});
  let saved;
  if (values.provider === 'aws') {
    if (!values.instance) usage('--instance ID|IP|NAME is required for an AWS profile');
    saved = await ctx.call('backup:profile-set', {
      ...common,
      provider: 'aws',
      instance: values.instance,
      ...opt('region', values.region),
      ...opt('endpoint', values.endpoint),
      ...(values['ca-bundle'] ? { caBundle: path.resolve(values['ca-bundle']) } : {}),
      ...opt('awsProfile', values['aws-profile']),
      imds: !!values.imds,
      ...opt('tunnelVia', values['tunnel-via']),
      ...opt('spareInstance', values['spare-instance']),
    });
  } else if (values.provider === 'libvirt') {
    const store = /^([^:]+):(\/.*)$/.exec(values.store ?? '');
    if (!values.hypervisor || !values.domain || !store) usage('--hypervisor HOST --domain DOM --store HOST:DIR are required for a libvirt profile');
    saved = await ctx.call('backup:profile-set', {
      ...common,
      provider: 'libvirt',
      hypervisor: values.hypervisor,
      domain: values.domain,
      ...opt('uri', values.uri),
      store: { host: store[1], dir: store[2] },
      ...opt('spareHypervisor', values['spare-hypervisor']),
      ...opt('spareDomain', values['spare-domain']),
    });
  } else {
    usage('--provider aws or --provider libvirt');
  }
  ctx.out(ctx.json ? JSON.stringify(saved) : `Saved backup profile ${saved.name} (${saved.provider}, installation ${saved.installationId}).`);
}

async function confirm(ctx: CliContext, yes: boolean | undefined, question: string, planJson: object): Promise<void> {
  if (yes) return;
  if (!ctx.isTTY) {
    if (ctx.json) ctx.out(JSON.stringify({ ...planJson, needsConfirmation: true }));
    throw new CliExit(EXIT.needsConfirmation, 'Needs confirmation: nothing was done. Review the plan above, then run again with --yes.');
  }
  const answer = (await ctx.ask(`${question} Type yes to go ahead: `)).trim().toLowerCase();
  if (answer !== 'yes') throw new CliExit(EXIT.needsConfirmation, 'Not done: nothing was changed.');
}

async function run(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string' },
      mode: { type: 'string', default: 'live' },
      volumes: { type: 'string', default: 'all' },
      wait: { type: 'boolean' },
      'wait-for-builds': { type: 'boolean' },
      yes: { type: 'boolean' },
    },
  });
  if (!values.profile) usage('backup run --profile NAME');
  if (values.mode !== 'live' && values.mode !== 'consistent') usage('--mode live or --mode consistent');
  if (values.volumes !== 'root' && values.volumes !== 'all') usage('--volumes root or --volumes all');
  const plan = await ctx.call('backup:plan', { profile: values.profile, mode: values.mode, volumes: values.volumes });
  if (!ctx.json) formatPlan(plan).forEach((l) => ctx.err(l));
  const builds = plan.runningBuilds ? ` ${plan.runningBuilds} build(s) are running: ${values['wait-for-builds'] ? 'Drydock waits for them' : 'they stop with the app (add --wait-for-builds to wait)'}.` : '';
  await confirm(ctx, values.yes, values.mode === 'consistent' ? `Stop the app, snapshot ${plan.disks.length} volume(s), start the app again?${builds}` : `Snapshot ${plan.disks.length} volume(s) live?`, { plan });
  const result = await ctx.call('backup:run', {
    profile: values.profile,
    mode: values.mode,
    volumes: values.volumes,
    wait: !!values.wait,
    waitForBuilds: !!values['wait-for-builds'],
    planFingerprint: plan.fingerprint,
  });
  if (ctx.json) return ctx.out(JSON.stringify({ plan, result }));
  ctx.out(result.summary);
  for (const w of result.warnings) ctx.out(`  warning: ${w}`);
  ctx.out(`Run ${result.runId}`);
}

async function list(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { profile: { type: 'string' } } });
  if (!values.profile) usage('backup list --profile NAME');
  const { backups } = await ctx.call('backup:list', { profile: values.profile });
  if (ctx.json) return ctx.out(JSON.stringify({ backups }));
  formatCatalog(backups, Date.now()).forEach((l) => ctx.out(l));
}

async function prune(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { profile: { type: 'string' }, 'keep-last': { type: 'string' }, 'keep-days': { type: 'string' }, yes: { type: 'boolean' } } });
  if (!values.profile) usage('backup prune --profile NAME --keep-last N and/or --keep-days D');
  const keepLast = num(values['keep-last'], '--keep-last');
  const keepDays = num(values['keep-days'], '--keep-days');
  if (keepLast === undefined && keepDays === undefined) usage('Say what to keep: --keep-last N and/or --keep-days D');
  const retention = { ...(keepLast !== undefined ? { keepLast } : {}), ...(keepDays !== undefined ? { keepDays } : {}) };
  const { decisions } = await ctx.call('backup:prune-plan', { profile: values.profile, ...retention });
  if (!ctx.json) formatPrune(decisions).forEach((l) => ctx.err(l));
  const doomed: BackupView[] = decisions.filter((d) => d.action === 'delete').map((d) => d.backup);
  if (!doomed.length) {
    if (ctx.json) ctx.out(JSON.stringify({ decisions, deleted: [] }));
    else ctx.out('Nothing to delete.');
    return;
  }
  await confirm(ctx, values.yes, `Delete ${doomed.length} backup(s) (${doomed.reduce((n, b) => n + b.snapshots.length, 0)} snapshot(s))?`, { decisions });
  const result = await ctx.call('backup:prune', { profile: values.profile, ...retention, confirm: doomed.map((b) => b.id) });
  if (ctx.json) return ctx.out(JSON.stringify({ decisions, ...result }));
  ctx.out(result.summary);
  for (const k of result.kept) ctx.out(`  kept ${k.id}: ${k.why}`);
}

async function schedule(ctx: CliContext, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { profile: { type: 'string' }, every: { type: 'string' } } });
  if (!values.profile || !values.every) usage('backup schedule --profile NAME --every DURATION');
  let interval;
  try {
    interval = parseInterval(values.every);
  } catch (err) {
    usage((err as Error).message);
  }
  const profiles = await ctx.call('backup:profiles', {});
  if (!profiles.some((p) => p.name === values.profile)) throw new CliExit(EXIT.failed, `No backup profile ${values.profile} (drydock backup profile list)`);
  const info = await ctx.call('app:info', {});
  const drydock = path.resolve(process.argv[1] ?? 'drydock');
  const files = scheduleFiles(values.profile, interval, drydock, info.home);
  if (ctx.json) return ctx.out(JSON.stringify(files));
  ctx.out(`# ${files.unitName}.service`);
  ctx.out(files.service);
  ctx.out(`# ${files.unitName}.timer`);
  ctx.out(files.timer);
  ctx.out(files.crontab ? `# crontab line (crontab -e)\n${files.crontab}` : `# cron cannot express "every ${interval.text}" (its day steps restart each month): use the systemd timer`);
  ctx.out('');
  ctx.out(`# ${files.note}`);
}
