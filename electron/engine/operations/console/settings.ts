/**
 * Management console settings, headless, through `replicatedctl app-config`
 * on the Services machine: show, plan (current → new, secrets masked), apply
 * (whole config exported to the laptop first, then imported with only the
 * planned items changed, verified by a second export), rollback (re-import
 * the export), and the app restarted only when the admin said so, as the
 * console's "Restart Now" does.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DrydockError } from '../../../../shared/errors';
import {
  DLC_KEY,
  dlcProblems,
  locate,
  SETTINGS,
  showValue,
  specFor,
  toConsoleValue,
  type Located,
  type SettingChange,
  type SettingsPlan,
  type ViewGroup,
  type ViewItem,
} from '../../../../shared/console/settings';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';
import type { EngineServices } from '../operation';
import { exportAppConfig, servicesHostName, type AppConfig } from '../certs/services-host';
import { waitForState } from '../certs/replicated-app';
import type { Runner } from '../../runbook/runner';
import type { ProgressEvent } from '../../../../shared/events';
import { settingsApply } from './settings-operation';

type Found = Extract<Located, { item: ViewItem }>;
type Services = Pick<EngineServices, 'pool' | 'inventory' | 'audit' | 'home'>;
export type AppConfigExport = AppConfig;

export async function readView(session: HostSession, signal?: AbortSignal): Promise<ViewGroup[]> {
  const out = await session.check('replicatedctl app-config view', { asRoot: true, signal });
  try {
    const view = JSON.parse(out) as ViewGroup[];
    if (Array.isArray(view) && view.every((g) => Array.isArray(g.items))) return view;
  } catch {
    /* reported below */
  }
  // The view holds secrets (password items' values): not quoted in the error.
  throw new DrydockError('COMMAND_FAILED', `${session.host.name}: replicatedctl app-config view did not print the groups and items Drydock expects`);
}

const valueOf = (config: AppConfig, name: string) => config[name]?.value ?? '';

export interface SettingView {
  key: string;
  label: string;
  value?: string;
  where?: string;
  item?: string;
  missing?: string;
}

export async function showSettings(services: Services, options: { services?: string; signal?: AbortSignal } = {}): Promise<{ services: string; settings: SettingView[] }> {
  const session = await services.pool.session(servicesHostName(services, options.services), options.signal);
  const view = await readView(session, options.signal);
  const settings = SETTINGS.map((spec): SettingView => {
    const found = locate(view, spec);
    if ('missing' in found) return { key: spec.key, label: spec.label, missing: found.missing };
    return { key: spec.key, label: spec.label, value: showValue(found, found.item.value ?? ''), where: `${found.group.title} › ${found.item.title}`, item: found.item.name };
  });
  return { services: session.host.name, settings };
}

function planFingerprint(entries: [string, string][]): string {
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

interface Planned {
  plan: SettingsPlan;
  /** item name → new stored value (secrets in clear: memory only). */
  writes: Map<string, string>;
  session: HostSession;
}

async function planWith(services: Services, changes: Record<string, string>, options: { services?: string; signal?: AbortSignal }): Promise<Planned> {
  const session = await services.pool.session(servicesHostName(services, options.services), options.signal);
  const view = await readView(session, options.signal);
  const config = await exportAppConfig(session, options.signal);
  const missing: SettingsPlan['missing'] = [];
  const rows: SettingChange[] = [];
  const writes = new Map<string, string>();
  const invalid: string[] = [];
  for (const [key, raw] of Object.entries(changes)) {
    if (key === DLC_KEY) continue;
    const spec = specFor(key);
    if (!spec) throw new DrydockError('INVALID_INPUT', `Unknown setting "${key}"`);
    const found = locate(view, spec);
    if ('missing' in found) {
      missing.push({ key, message: found.missing });
      continue;
    }
    let stored: string;
    try {
      stored = toConsoleValue(found, raw);
    } catch (err) {
      invalid.push((err as Error).message);
      continue;
    }
    const current = valueOf(config, found.item.name);
    const effective = current === '' ? (found.item.default ?? '') : current;
    const secret = spec.kind === 'secret';
    rows.push({
      key,
      label: spec.label,
      item: found.item.name,
      where: `${found.group.title} › ${found.item.title}`,
      from: showValue(found, current),
      to: secret ? (stored === effective ? '•••••• (unchanged)' : '•••••• (new value)') : showValue(found, stored),
      changed: stored !== effective,
      secret,
    });
    if (stored !== effective) writes.set(found.item.name, stored);
  }
  if (invalid.length) throw new DrydockError('INVALID_INPUT', invalid.join('; '));
  const problems: string[] = [];
  const notes: string[] = [];
  const count = (key: string) => {
    const found = locate(view, specFor(key)!) as Found | { missing: string };
    if ('missing' in found) return 0;
    const v = writes.get(found.item.name) ?? (valueOf(config, found.item.name) || found.item.default || '0');
    return Number(v) || 0;
  };
  const dlc = /^(true|yes|1|on)$/i.test(changes[DLC_KEY] ?? '');
  const machine = count('vm.preallocated.machine');
  const docker = count('vm.preallocated.remote-docker');
  problems.push(...dlcProblems(dlc, machine, docker));
  if (!dlc && (machine > 0 || docker > 0) && ('vm.preallocated.machine' in changes || 'vm.preallocated.remote-docker' in changes)) {
    notes.push(`If Docker Layer Caching is used, both preallocated counts must be 0 (say ${DLC_KEY}=true to have Drydock enforce it).`);
  }
  if (writes.size) notes.push('Any change to the console settings restarts the CircleCI app: it is unavailable meanwhile (guide, "Allow Unsafe Content types").');
  const touched = rows.map((r) => r.item).sort();
  const plan: SettingsPlan = {
    services: session.host.name,
    changes: rows,
    missing,
    problems,
    notes,
    fingerprint: planFingerprint(touched.map((n) => [n, valueOf(config, n)])),
  };
  return { plan, writes, session };
}

/** item name → the value Replicated should store, from the view (no secrets are read back). */
export async function desiredValues(session: HostSession, changes: Record<string, string>, signal?: AbortSignal): Promise<Map<string, string>> {
  const view = await readView(session, signal);
  const out = new Map<string, string>();
  for (const [key, raw] of Object.entries(changes)) {
    const spec = key === DLC_KEY ? undefined : specFor(key);
    if (!spec) continue;
    const found = locate(view, spec);
    if ('missing' in found) throw new DrydockError('NOT_FOUND', found.missing);
    out.set(found.item.name, toConsoleValue(found, raw));
  }
  return out;
}

export async function planSettings(services: Services, changes: Record<string, string>, options: { services?: string; signal?: AbortSignal } = {}): Promise<SettingsPlan> {
  return (await planWith(services, changes, options)).plan;
}

const backupDir = (home: string) => path.join(home, 'console-settings');

/** The whole config, on the laptop, readable by the admin only: what rollback re-imports. */
export function saveBackup(home: string, services: string, config: AppConfig): string {
  const dir = backupDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = path.join(dir, `${services}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return file;
}

export function latestBackup(home: string, services: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(backupDir(home));
  } catch {
    return undefined;
  }
  const mine = names.filter((n) => n.startsWith(`${services}-`) && n.endsWith('.json')).sort();
  return mine.length ? path.join(backupDir(home), mine[mine.length - 1]) : undefined;
}

/**
 * `replicatedctl app-config import` from a file in a fresh private folder
 * (mktemp -d: 0700, ours, checked), never from the command line, where `ps`
 * would show secrets. The folder is removed whatever happens.
 */
export async function importConfig(session: HostSession, config: AppConfig, signal?: AbortSignal): Promise<void> {
  const dir = (await session.check('mktemp -d /tmp/drydock-settings.XXXXXXXX', { signal })).trim();
  if (!/^\/tmp\/drydock-settings\.[A-Za-z0-9]+$/.test(dir)) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: mktemp gave an unexpected folder: ${dir.slice(0, 100)}`);
  try {
    const [uid, mode, type] = (await session.check(sh`stat -c '%u %a %F' ${dir}`, { signal })).trim().split(/\s+/, 3);
    const me = (await session.check('id -u', { signal })).trim();
    if (uid !== me || mode !== '700' || type !== 'directory') throw new DrydockError('CONFLICT', `${session.host.name}: ${dir} is not a private folder of ours (${uid} ${mode} ${type}): nothing imported`);
    const file = `${dir}/settings.json`;
    await session.writeFile(file, JSON.stringify(config), 0o600);
    await session.check(sh`replicatedctl app-config import < ${file}`, { asRoot: true, signal });
  } finally {
    await session.run(sh`rm -rf ${dir}`).catch(() => undefined);
  }
}

export async function restartApp(session: HostSession, signal?: AbortSignal): Promise<void> {
  await session.check('replicatedctl app stop', { asRoot: true, signal });
  await waitForState(session, 'stopped', { signal, pollMs: 500 });
  await session.check('replicatedctl app start', { asRoot: true, signal });
  await waitForState(session, 'started', { signal, pollMs: 500 });
}

export function differences(before: AppConfig, after: AppConfig): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => JSON.stringify(before[n] ?? {}) !== JSON.stringify(after[n] ?? {})).sort();
}

export interface ApplyResult {
  plan: SettingsPlan;
  runId: string;
  backupFile?: string;
  changed: string[];
  restarted: boolean;
}

/** Plan (for the answer), then run the settings-apply operation (runbook: visible, resumable). */
export async function applySettings(
  engine: Services & { runner: Runner },
  changes: Record<string, string>,
  options: { services?: string; restart: boolean; planFingerprint?: string; signal?: AbortSignal; emit?: (event: ProgressEvent) => void },
): Promise<ApplyResult> {
  const plan = await planSettings(engine, changes, options);
  const input = { changes, restart: options.restart, ...(options.services ? { services: options.services } : {}), ...(options.planFingerprint ? { planFingerprint: options.planFingerprint } : {}) };
  const { runId, result } = await engine.runner.start<{ backupFile?: string; changed: string[]; restarted: boolean }>(settingsApply, input, { emit: options.emit, signal: options.signal });
  return { plan, runId, ...result };
}

/** What rollback would re-import, by item name (values not shown: they may be secrets). */
export async function planRollback(services: Services, options: { services?: string; signal?: AbortSignal } = {}): Promise<{ services: string; backupFile: string; items: string[] }> {
  const name = servicesHostName(services, options.services);
  const backupFile = latestBackup(services.home, name);
  if (!backupFile) throw new DrydockError('NOT_FOUND', `No saved console settings for ${name} in ${backupDir(services.home)}: nothing to roll back`);
  const saved = JSON.parse(readFileSync(backupFile, 'utf8')) as AppConfig;
  const session = await services.pool.session(name, options.signal);
  return { services: name, backupFile, items: differences(saved, await exportAppConfig(session, options.signal)) };
}

export async function rollbackSettings(
  services: Services,
  options: { services?: string; restart: boolean; signal?: AbortSignal },
): Promise<{ services: string; backupFile: string; restored: string[]; restarted: boolean }> {
  const name = servicesHostName(services, options.services);
  const backupFile = latestBackup(services.home, name);
  if (!backupFile) throw new DrydockError('NOT_FOUND', `No saved console settings for ${name} in ${backupDir(services.home)}: nothing to roll back`);
  const saved = JSON.parse(readFileSync(backupFile, 'utf8')) as AppConfig;
  const session = await services.pool.session(name, options.signal);
  const before = await exportAppConfig(session, options.signal);
  const restored = differences(saved, before);
  if (restored.length) {
    // Items the saved config did not have are emptied too, so the result is the export exactly.
    const full: AppConfig = { ...Object.fromEntries(Object.keys(before).map((n) => [n, { value: '' }])), ...saved };
    await importConfig(session, full, options.signal);
    const after = await exportAppConfig(session, options.signal);
    const left = differences(saved, after);
    if (left.length) throw new DrydockError('COMMAND_FAILED', `After re-importing ${backupFile}, items still differ: ${left.join(', ')}`);
  }
  if (options.restart && restored.length) await restartApp(session, options.signal);
  return { services: name, backupFile, restored, restarted: options.restart && restored.length > 0 };
}

/** The guide's "Accessing Usage Data": `docker exec usage-stats /src/builds/extract`, saved on the laptop. */
export async function exportUsageStats(services: Services, out: string, options: { services?: string; signal?: AbortSignal } = {}): Promise<{ services: string; file: string; bytes: number }> {
  const session = await services.pool.session(servicesHostName(services, options.services), options.signal);
  const data = await session.check('docker exec usage-stats /src/builds/extract', { asRoot: true, signal: options.signal });
  writeFileSync(out, data, { mode: 0o600 });
  return { services: session.host.name, file: out, bytes: Buffer.byteLength(data) };
}
