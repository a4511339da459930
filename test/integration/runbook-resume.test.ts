/**
 * Runbooks survive what happens to admins: the host drops off the network
 * mid-step, or the laptop's Drydock process dies. Resuming continues at the
 * unfinished step; finished steps are not run again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrydockEvent } from '../../shared/events';
import { hostFacts } from '../../electron/engine/operations/health/host-facts';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import type { RunRecord } from '../../electron/engine/runbook/run-store';
import { startLab, type Lab } from '../lab/lab';
import { engineWithHosts, type EngineFixture } from './engine-fixture';

const CLI = path.resolve(__dirname, '../../dist/electron/cli.js');
// A df that hangs while a flag file exists: a slow disk, to catch a step mid-flight.
const SLOW_DF = '#!/bin/sh\nwhile [ -e /var/lib/lab/slow-df ]; do sleep 0.2; done\nexec /usr/bin/df "$@"\n';

let lab: Lab;
let fx: EngineFixture;

beforeAll(async () => {
  lab = await startLab([{ name: 'services', files: { '/usr/local/bin/df': { content: SLOW_DF, mode: 0o755 } } }]);
  fx = await engineWithHosts(lab, [{ name: 'services', role: 'services' }]);
});
afterAll(async () => {
  await fx?.dispose();
  await lab?.stop();
});

const identityRuns = () => fx.engine.audit.entries().filter((e) => e.command.startsWith('hostname;')).length;

describe('resuming a half-run operation', () => {
  it('continues at the step the host dropped out of', async () => {
    const services = lab.hosts.services;
    services.writeFile('/var/lib/lab/slow-df', '');
    const events: DrydockEvent[] = [];
    let stopped: Promise<void> | undefined;
    const run = fx.engine.runner.start(hostFacts, { host: 'services' }, {
      emit: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 'resources' && e.status === 'running') stopped = services.stop();
      },
    });
    await expect(run).rejects.toThrow();
    const [record] = fx.engine.runner.store.list();
    expect(record.steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending']);
    expect(record.status).toBe('failed');
    expect(identityRuns()).toBe(1);

    await stopped;
    await services.start();
    services.exec('rm -f /var/lib/lab/slow-df');
    fx.engine.pool.drop('services');
    const resumed = await fx.engine.runner.resume<{ hostname: string; cpus: number }>(record.id);
    expect(resumed.result.hostname).toBe('services');
    expect(resumed.result.cpus).toBeGreaterThan(0);
    expect(fx.engine.runner.store.load(record.id)!.steps.map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect(identityRuns()).toBe(1);
    await expect(fx.engine.runner.resume(record.id)).rejects.toThrow(/already finished/);
  });

  it('continues after the Drydock process itself was killed mid-step', async () => {
    expect(existsSync(CLI), 'build first: npm run build:node').toBe(true);
    const services = lab.hosts.services;
    services.writeFile('/var/lib/lab/slow-df', '');
    const env = { ...process.env, DRYDOCK_HOME: fx.home };
    const before = new Set(fx.engine.runner.store.list().map((r) => r.id));
    const child = spawn(process.execPath, [CLI, 'hosts', 'facts', 'services'], { env, stdio: 'ignore' });

    // Wait until the runbook on disk says the resources step is running, then kill -9.
    const runsDir = path.join(fx.home, 'runs');
    let runId = '';
    for (let i = 0; i < 200 && !runId; i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const f of readdirSync(runsDir)) {
        const rec = JSON.parse(readFileSync(path.join(runsDir, f), 'utf8')) as RunRecord;
        if (!before.has(rec.id) && rec.steps[1].status === 'running') runId = rec.id;
      }
    }
    expect(runId).not.toBe('');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(fx.engine.runner.store.load(runId)!.status).toBe('interrupted');

    services.exec('rm -f /var/lib/lab/slow-df');
    const identityBefore = identityRuns();
    const resumed = spawnSync(process.execPath, [CLI, 'runs', 'resume', runId, '--json'], { env, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    // Progress shows only the steps that were left: the identity step is not redone.
    expect(resumed.stderr).toContain('✓ Measure CPUs, memory and disks');
    expect(resumed.stderr).not.toContain('Read hostname');
    const summary = JSON.parse(resumed.stdout);
    expect(summary.status).toBe('done');
    expect(summary.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done']);
    expect(identityRuns()).toBe(identityBefore);
  });

  it('stops at a step when the admin cancels, leaving the run resumable', async () => {
    const services = lab.hosts.services;
    services.writeFile('/var/lib/lab/slow-df', '');
    const handlers = createHandlers(fx.engine);
    const events: DrydockEvent[] = [];
    const call = dispatch(handlers, 'hosts:facts', { name: 'services' }, {
      emit: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 'resources' && e.status === 'running') {
          void dispatch(handlers, 'runs:cancel', { id: e.runId }, { emit: () => undefined });
        }
      },
    });
    const result = await call;
    expect(result).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const runId = events[0].runId;
    expect(fx.engine.runner.store.load(runId)!.status).toBe('interrupted');
    services.exec('rm -f /var/lib/lab/slow-df');
    const resumed = await dispatch(handlers, 'runs:resume', { id: runId }, { emit: () => undefined });
    expect(resumed).toMatchObject({ ok: true, value: { status: 'done' } });
  });
});
