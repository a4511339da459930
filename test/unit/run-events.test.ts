/**
 * Runs are the source of truth for every window: each start, step and end
 * goes out on the engine's event stream (whoever started the run), a failed
 * run keeps its error text and code, and the answer its call gave is kept
 * so a window that reloaded mid-run can still show the result.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { runDurationMs } from '../../shared/runs';
import { dispatch } from '../../electron/engine/api/dispatch';
import { createHandlers } from '../../electron/engine/api/handlers';
import { createEngine, type Engine } from '../../electron/engine/engine';
import { defineOperation } from '../../electron/engine/operations/operation';

const twoSteps = defineOperation({
  name: 'two-steps',
  title: 'Two steps',
  input: z.object({ fail: z.boolean() }),
  initialState: () => ({ n: 0 }),
  steps: [
    { name: 'one', title: 'Step one', apply: async (ctx) => void (ctx.state.n += 1) },
    {
      name: 'two',
      title: 'Step two',
      apply: async (ctx) => {
        ctx.services.audit.append({ host: 'h', fingerprint: '', kind: 'command', command: 'inside', exitCode: 0, durationMs: 0 });
        if (ctx.input.fail) throw new DrydockError('CONFLICT', 'the file changed since the plan');
      },
    },
  ],
  result: (state) => ({ n: state.n }),
});

let engine: Engine;
afterEach(() => engine?.close());

describe('run events', () => {
  it('publishes every change of a run, tags its audit entries, and records error text and code', async () => {
    engine = createEngine({ home: mkdtempSync(path.join(os.tmpdir(), 'drydock-runs-')), defaultSecrets: {}, operations: [twoSteps] });
    const events: DrydockEvent[] = [];
    engine.events.subscribe((e) => events.push(e));

    const ok = await engine.runner.start<{ n: number }>(twoSteps, { fail: false });
    const runEvents = events.filter((e) => e.type === 'run');
    expect(runEvents[0]).toMatchObject({ run: { id: ok.runId, title: 'Two steps', status: 'running', steps: [{ status: 'pending' }, { status: 'pending' }] } });
    expect(runEvents.at(-1)).toMatchObject({ run: { status: 'done', endedAt: expect.any(String), steps: [{ status: 'done' }, { status: 'done' }] } });
    expect(events.some((e) => e.type === 'step' && e.step === 'two' && e.status === 'running')).toBe(true);
    const audit = events.find((e) => e.type === 'audit');
    expect(audit).toMatchObject({ entry: { command: 'inside', run: ok.runId } });

    await expect(engine.runner.start(twoSteps, { fail: true })).rejects.toThrow(/changed since the plan/);
    const failed = engine.runner.store.list().find((r) => r.status === 'failed')!;
    const summary = engine.runner.summary(failed);
    expect(summary).toMatchObject({ error: 'Step two: the file changed since the plan', errorCode: 'CONFLICT', endedAt: expect.any(String) });
    expect(runDurationMs(summary)).toBeGreaterThanOrEqual(0);
  });

  it("keeps a run's answer for runs:get, only for channels whose answers hold no secrets", async () => {
    engine = createEngine({ home: mkdtempSync(path.join(os.tmpdir(), 'drydock-runs-')), defaultSecrets: {}, operations: [twoSteps] });
    const { runId } = await engine.runner.start(twoSteps, { fail: false });
    engine.runner.keepOutcome(runId, 'proxy:apply', { runId, summary: 'Wrote 4 file(s)' });
    const h = createHandlers(engine);
    const got = await dispatch(h, 'runs:get', { id: runId }, { emit: () => undefined });
    expect(got).toMatchObject({ ok: true, value: { id: runId, status: 'done', outcome: { channel: 'proxy:apply', value: { summary: 'Wrote 4 file(s)' } } } });
    expect(await dispatch(h, 'runs:get', { id: 'no-such-run' }, { emit: () => undefined })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
