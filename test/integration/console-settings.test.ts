/**
 * Console settings headless, against the replicatedctl stand-in holding the
 * CircleCI app's config screen (test/lab/standins/circleci-app-config.json):
 * plan diff, apply touching only the named items (exports before and after
 * compared), the guide's DLC rule, rollback to the exported config exactly,
 * a missing item reported with nothing written, and the usage data export.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySettings, exportUsageStats, latestBackup, planSettings, rollbackSettings, showSettings } from '../../electron/engine/operations/console/settings';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';
import { bundleCli } from './proxy-fixture';

const R = '/var/lib/lab/replicated';
const SECRET = 'dd-api-key-0123456789abcdef';
let lab: Lab;
let fx: EngineFixture;
const host = () => lab.hosts.services;
const exportNow = () => JSON.parse(host().exec('replicatedctl app-config export --hidden').stdout) as Record<string, { value: string; data?: string }>;
const calls = () => host().readFile('/var/log/lab/calls.log') ?? '';

beforeAll(async () => {
  lab = await startLab([{ name: 'services', standins: true, users: [{ name: 'ubuntu', password: 'pw-ubuntu', sudo: 'nopasswd' }], files: { [`${R}/app-config/hostname.value`]: 'ci.example.com', [`${R}/transition-ms`]: '200' } }]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
});

afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

describe('console settings', () => {
  it('shows each setting where the console lists it', async () => {
    const { services, settings } = await showSettings(fx.engine);
    expect(services).toBe('services');
    const byKey = Object.fromEntries(settings.map((s) => [s.key, s]));
    expect(byKey['metrics.cloudwatch.enabled']).toMatchObject({ value: 'false', where: 'AWS CloudWatch Metrics › Enabled', item: 'cloudwatch_metrics_enabled' });
    expect(byKey['metrics.cloudwatch.auth'].value).toBe('instance-profile');
    expect(byKey['metrics.datadog.api-key'].value).toBe('(not set)');
    expect(byKey['vm.preallocated.machine']).toMatchObject({ value: '0', item: 'vm_machine_preallocated' });
    expect(byKey['artifacts.unsafe-content-types'].item).toBe('serve_unsafe_artifacts');
    expect(byKey['usage-stats.enabled'].item).toBe('usage_stats_enabled');
    expect(settings.filter((s) => s.missing)).toEqual([]);
  });

  it('plans current → new with secrets masked, writing nothing', async () => {
    const before = exportNow();
    const plan = await planSettings(fx.engine, { 'metrics.datadog.enabled': 'true', 'metrics.datadog.api-key': SECRET, 'metrics.cloudwatch.region': 'eu-west-1', 'artifacts.unsafe-content-types': 'false' });
    expect(plan.changes).toEqual([
      expect.objectContaining({ key: 'metrics.datadog.enabled', from: 'false', to: 'true', changed: true, item: 'datadog_metrics_enabled' }),
      expect.objectContaining({ key: 'metrics.datadog.api-key', from: '(not set)', to: '•••••• (new value)', changed: true, secret: true }),
      expect.objectContaining({ key: 'metrics.cloudwatch.region', from: '', to: 'eu-west-1', changed: true }),
      expect.objectContaining({ key: 'artifacts.unsafe-content-types', from: 'false', to: 'false', changed: false }),
    ]);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    expect(plan.missing).toEqual([]);
    expect(exportNow()).toEqual(before);
    expect(calls()).not.toMatch(/app-config (import|set)/);
  });

  it('applies only the named items, exporting the whole config to the laptop first', async () => {
    const before = exportNow();
    const plan = await planSettings(fx.engine, { 'metrics.datadog.enabled': 'true', 'metrics.datadog.api-key': SECRET });
    const result = await applySettings(fx.engine, { 'metrics.datadog.enabled': 'true', 'metrics.datadog.api-key': SECRET }, { restart: false, planFingerprint: plan.fingerprint });
    const after = exportNow();
    expect(result.changed).toEqual(['datadog_api_key', 'datadog_metrics_enabled']);
    const changedNames = Object.keys(after).filter((n) => JSON.stringify(after[n]) !== JSON.stringify(before[n]));
    expect(changedNames.sort()).toEqual(['datadog_api_key', 'datadog_metrics_enabled']);
    expect(after.datadog_api_key.value).toBe(SECRET);
    expect(after.datadog_metrics_enabled.value).toBe('1');
    // The backup: the config exactly as it was, 0600, in DRYDOCK_HOME.
    expect(result.backupFile).toBe(latestBackup(fx.home, 'services'));
    expect(JSON.parse(readFileSync(result.backupFile!, 'utf8'))).toEqual(before);
    expect(statSync(result.backupFile!).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(result.backupFile!)).mode & 0o777).toBe(0o700);
    // Secrets never in the audit log, never on a command line; no restart without being asked.
    expect(readFileSync(path.join(fx.home, 'audit.jsonl'), 'utf8')).not.toContain(SECRET);
    expect(calls()).not.toContain(SECRET);
    expect(calls()).toMatch(/replicatedctl app-config import/);
    expect(calls()).not.toMatch(/replicatedctl app (stop|start)/);
    expect(result.restarted).toBe(false);
    // A runbook like every operation: visible in `drydock runs`, its steps recorded, no secret in it.
    const run = fx.engine.runner.store.load(result.runId)!;
    expect(run).toMatchObject({ operation: 'console-settings-apply', status: 'done' });
    expect(run.steps.map((st) => `${st.name}:${st.status}`)).toEqual(['check-plan:done', 'save-config:done', 'import:done', 'restart:skipped']);
    expect(readFileSync(path.join(fx.home, 'runs', `${result.runId}.json`), 'utf8')).not.toContain(SECRET);
    // The temporary import folder is gone.
    expect(host().exec('ls -d /tmp/drydock-settings.* 2>/dev/null').stdout).toBe('');
  });

  it('refuses a reviewed plan when the config changed since', async () => {
    const plan = await planSettings(fx.engine, { 'metrics.datadog.enabled': 'false' });
    host().exec('replicatedctl app-config set datadog_metrics_enabled --value 0');
    const before = exportNow();
    await expect(applySettings(fx.engine, { 'metrics.datadog.enabled': 'false' }, { restart: false, planFingerprint: plan.fingerprint })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(exportNow()).toEqual(before);
    host().exec('replicatedctl app-config set datadog_metrics_enabled --value 1');
  });

  it('enforces the DLC rule: both preallocated counts 0 when Docker Layer Caching is used', async () => {
    const before = exportNow();
    const importsBefore = calls().match(/app-config import/g)?.length ?? 0;
    const plan = await planSettings(fx.engine, { 'vm.preallocated.machine': '2', 'vm.docker-layer-caching': 'true' });
    expect(plan.problems[0]).toMatch(/must both be 0/);
    await expect(applySettings(fx.engine, { 'vm.preallocated.machine': '2', 'vm.docker-layer-caching': 'true' }, { restart: false })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(exportNow()).toEqual(before);
    expect(calls().match(/app-config import/g)?.length ?? 0).toBe(importsBefore);
    // Without DLC the same count is allowed, with the rule stated.
    const ok = await planSettings(fx.engine, { 'vm.preallocated.machine': '2' });
    expect(ok.problems).toEqual([]);
    expect(ok.notes.join(' ')).toMatch(/Docker Layer Caching/);
  });

  it('rolls back to the exported config exactly, restarting the app only when asked', async () => {
    const first = JSON.parse(readFileSync(latestBackup(fx.home, 'services')!, 'utf8'));
    const r = await applySettings(fx.engine, { 'usage-stats.enabled': 'true', 'vm.preallocated.remote-docker': '3' }, { restart: true });
    expect(r.restarted).toBe(true);
    expect(calls()).toMatch(/app-config import\n(.*\n)*replicatedctl app stop\n(.*\n)*replicatedctl app start/);
    const saved = JSON.parse(readFileSync(r.backupFile!, 'utf8'));
    const back = await rollbackSettings(fx.engine, { restart: false });
    expect(back.restored.sort()).toEqual(['usage_stats_enabled', 'vm_docker_preallocated']);
    expect(exportNow()).toEqual(saved);
    expect(saved).not.toEqual(first); // the newest export, not the oldest
  });

  it('reports an item the console does not list, with the page to use, and writes nothing', async () => {
    const view = JSON.parse(host().exec('replicatedctl app-config view').stdout) as { name: string }[];
    host().writeFile(`${R}/app-config-schema.json`, JSON.stringify(view.filter((g) => g.name !== 'artifacts')));
    try {
      const before = exportNow();
      const importsBefore = calls().match(/app-config import/g)?.length ?? 0;
      const plan = await planSettings(fx.engine, { 'artifacts.unsafe-content-types': 'true', 'metrics.datadog.enabled': 'false' });
      expect(plan.missing).toEqual([{ key: 'artifacts.unsafe-content-types', message: expect.stringContaining(':8800/settings#artifacts') }]);
      await expect(applySettings(fx.engine, { 'artifacts.unsafe-content-types': 'true', 'metrics.datadog.enabled': 'false' }, { restart: false })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/Nothing was changed/) });
      expect(exportNow()).toEqual(before);
      expect(calls().match(/app-config import/g)?.length ?? 0).toBe(importsBefore);
    } finally {
      host().exec(`rm -f ${R}/app-config-schema.json`);
    }
  });

  it('works for a sudo user as for root (the import file in a private folder of that user, read by sudo)', async () => {
    const asUbuntu = await engineWithHosts(lab, [{ name: 'services', role: 'services', user: 'ubuntu' }]);
    try {
      const r = await applySettings(asUbuntu.engine, { 'metrics.cloudwatch.namespace': 'ci-lab' }, { restart: false });
      expect(r.changed).toEqual(['cloudwatch_namespace']);
      expect(exportNow().cloudwatch_namespace.value).toBe('ci-lab');
      const commands = asUbuntu.engine.audit.entries().map((e) => e.command);
      expect(commands.some((c) => c.startsWith('mktemp -d'))).toBe(true);
      expect(commands.some((c) => /^sudo replicatedctl app-config import < '?\/tmp\/drydock-settings\./.test(c))).toBe(true);
      expect(host().exec('ls -d /tmp/drydock-settings.* 2>/dev/null').stdout).toBe('');
      await rollbackSettings(asUbuntu.engine, { restart: false });
      expect(exportNow().cloudwatch_namespace.value).toBe('');
    } finally {
      await asUbuntu.dispose();
    }
  });

  it('saves the usage data export on the laptop', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-usage-'));
    try {
      const extract = 'utc_week,usage_private_linux_current\n2026-11-16,4242\n';
      host().writeFile('/var/lib/lab/docker/usage-stats/extract', extract);
      const out = path.join(dir, 'usage.csv');
      const r = await exportUsageStats(fx.engine, out);
      expect(readFileSync(out, 'utf8')).toBe(extract);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(r).toMatchObject({ services: 'services', file: out, bytes: Buffer.byteLength(extract) });
      expect(calls()).toMatch(/docker exec usage-stats \/src\/builds\/extract/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('drydock settings / usage-stats (CLI)', () => {
  let cli: ReturnType<typeof bundleCli>;
  const drydock = (...args: string[]) => cli.run(args, { DRYDOCK_HOME: fx.home });
  beforeAll(() => {
    cli = bundleCli();
  });
  afterAll(() => cli?.dispose());

  it('shows, plans without writing until --yes, applies without restart, and rolls back', async () => {
    const shown = await drydock('settings', 'show', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).settings.find((s: { key: string }) => s.key === 'artifacts.unsafe-content-types')).toMatchObject({ value: 'false' });

    const before = exportNow();
    const asked = await drydock('settings', 'set', 'artifacts.unsafe-content-types=true', 'metrics.cloudwatch.region=eu-west-1');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toMatch(/artifacts\.unsafe-content-types\s+false\s+→\s+true/);
    expect(exportNow()).toEqual(before);

    const bad = await drydock('settings', 'set', 'metrics.cloudwatch.region=Mars');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/AWS region/);

    const done = await drydock('settings', 'set', 'artifacts.unsafe-content-types=true', '--yes', '--no-restart', '--json');
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).result).toMatchObject({ changed: ['serve_unsafe_artifacts'], restarted: false });
    expect(exportNow().serve_unsafe_artifacts.value).toBe('1');

    const back = await drydock('settings', 'rollback', '--yes', '--no-restart');
    expect(back.code, back.stderr).toBe(0);
    expect(exportNow()).toEqual(before);
  });

  it('resets the console password only after confirmation, saying what it means', async () => {
    const asked = await drydock('console', 'reset-password');
    expect(asked.code).toBe(3);
    expect(asked.stdout).toMatch(/whoever reaches the port first sets it/);
    expect(calls()).not.toMatch(/replicated auth reset/);
    const done = await drydock('console', 'reset-password', '--yes');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/will ask for a new password/);
    expect(calls()).toMatch(/replicated auth reset/);
  });

  it('exports the usage data to a file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-usage-cli-'));
    try {
      const r = await drydock('usage-stats', 'export', '--out', path.join(dir, 'u.csv'));
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(path.join(dir, 'u.csv'), 'utf8')).toBe(host().exec('docker exec usage-stats /src/builds/extract').stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
