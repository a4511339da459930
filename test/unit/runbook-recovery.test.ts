/**
 * The runbook engine's ways out of a failed step: abort undoes every step
 * done, newest first, saving after each (an abort cut short resumes and
 * carries on undoing); skip only where the step allows it, with its
 * consequence recorded; and one recovery run at a time under a lock that
 * names its holder, taken over with a warning when its process died.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { DrydockError } from '../../shared/errors';
import { createEngine, type Engine } from '../../electron/engine/engine';
import { defineOperation } from '../../electron/engine/operations/operation';
import { acquireRecoveryLock, lockFile, readLock, releaseRecoveryLock } from '../../electron/engine/runbook/recovery-lock';
import { undoTitles } from '../../electron/engine/runbook/undo';

/** A world outside the runbook: what the steps did, as a test can inspect it. */
const world = { log: [] as string[], failAt: '' as string, failUndoAt: '' as string, volume: false, attached: false };

const recovery = defineOperation({
  name: 'test-recovery',
  title: 'Test recovery',
  recovery: true,
  input: z.object({}),
  initialState: () => ({}),
  steps: [
    {
      name: 'create',
      title: 'Create the volume',
      check: async () => world.volume,
      apply: async () => {
        world.log.push('create');
        world.volume = true;
      },
      // A restored volume is kept for inspection: no undo.
    },
    {
      name: 'attach',
      title: 'Attach it',
      check: async () => world.attached,
      apply: async () => {
        world.log.push('attach');
        world.attached = true;
      },
      undo: async () => {
        if (world.failUndoAt === 'attach') {
          world.failUndoAt = '';
          throw new DrydockError('CONNECT_FAILED', 'the API went away');
        }
        world.log.push('detach');
        world.attached = false;
      },
    },
    {
      name: 'verify',
      title: 'Verify the app',
      skip: { consequence: 'the app is not verified; check it yourself' },
      apply: async () => {
        world.log.push('verify');
        if (world.failAt === 'verify') throw new DrydockError('COMMAND_FAILED', 'the app did not answer');
      },
      undo: async () => void world.log.push('unverify'),
    },
    {
      name: 'repoint',
      title: 'Re-point the clients',
      pointOfNoReturn: 'the clients use the new machine now',
      apply: async () => {
        world.log.push('repoint');
        if (world.failAt === 'repoint') throw new DrydockError('COMMAND_FAILED', 'a client refused');
      },
      undo: async () => void world.log.push('unrepoint'),
    },
  ],
  result: () => ({ ok: true }),
});

/** A skippable step that writes on two hosts and may fail on the second, then a step that may fail. */
const partWay = defineOperation({
  name: 'test-part-way',
  title: 'Test part-way',
  recovery: true,
  input: z.object({}),
  initialState: () => ({}),
  steps: [
    {
      name: 'write',
      title: 'Write both hosts',
      skip: { consequence: 'the second host is left to you' },
      apply: async () => {
        world.log.push('write first host');
        if (world.failAt === 'write') throw new DrydockError('COMMAND_FAILED', 'the second host refused');
      },
      undo: async () => void world.log.push('put the first host back'),
    },
    {
      name: 'after',
      title: 'A later step',
      apply: async () => {
        world.log.push('after');
        if (world.failAt === 'after') throw new DrydockError('COMMAND_FAILED', 'the later step failed');
      },
    },
  ],
  result: () => ({ ok: true }),
});

let engine: Engine;
afterEach(async () => {
  await engine?.close();
  Object.assign(world, { log: [], failAt: '', failUndoAt: '', volume: false, attached: false });
});

function fresh(): Engine {
  engine = createEngine({ home: mkdtempSync(path.join(os.tmpdir(), 'drydock-recovery-')), defaultSecrets: {}, operations: [recovery, partWay] });
  return engine;
}

describe('runbook recovery: abort, skip, lock', () => {
  it('abort undoes every step done, newest first, and an abort cut short resumes where it stopped', async () => {
    fresh();
    world.failAt = 'verify';
    await expect(engine.runner.start(recovery, {})).rejects.toThrow(/did not answer/);
    const id = engine.runner.store.list()[0].id;
    expect(engine.runner.describe(engine.runner.store.load(id)!).steps.map((s) => [s.name, s.status, s.undoable ?? false])).toEqual([
      ['create', 'done', false],
      ['attach', 'done', true],
      ['verify', 'failed', true],
      ['repoint', 'pending', true],
    ]);

    // The first abort loses the API half-way: the steps after it are undone, the run says how to go on.
    world.failUndoAt = 'attach';
    await expect(engine.runner.abort(id)).rejects.toThrow(/Abort stopped at "Attach it".*resume run/);
    let run = engine.runner.store.load(id)!;
    expect(run.status).toBe('failed');
    expect(run.aborting).toBe(true);
    expect(run.steps.map((s) => s.status)).toEqual(['done', 'done', 'undone', 'pending']);
    expect(world.log).toEqual(['create', 'attach', 'verify', 'unverify']);
    expect(world.attached).toBe(true);

    // Resuming an abort carries on undoing; it never re-applies a step.
    await engine.runner.resume(id);
    run = engine.runner.store.load(id)!;
    expect(run.status).toBe('aborted');
    expect(run.steps.map((s) => s.status)).toEqual(['done', 'undone', 'undone', 'pending']);
    expect(world.log.slice(4)).toEqual(['detach']);
    expect(world.attached).toBe(false);
    expect(world.volume).toBe(true);
    expect(engine.runner.describe(run)).toMatchObject({ status: 'aborted', resumable: false, whyNot: expect.stringMatching(/aborted/) });
    await expect(engine.runner.abort(id)).rejects.toThrow(/already aborted/);
  });

  it('refuses to abort when the point-of-no-return step stopped part-way (some hosts may have taken it)', async () => {
    fresh();
    world.failAt = 'repoint';
    await expect(engine.runner.start(recovery, {})).rejects.toThrow(/a client refused/);
    const id = engine.runner.store.list()[0].id;
    await expect(engine.runner.abort(id)).rejects.toThrow(/"Re-point the clients" stopped part-way .* retry or resume it to finish/);
    expect(world.log).not.toContain('unrepoint');
    expect(world.attached).toBe(true);
  });

  it('refuses to abort once a point-of-no-return step is done', async () => {
    fresh();
    world.failAt = 'repoint';
    await expect(engine.runner.start(recovery, {})).rejects.toThrow();
    const id = engine.runner.store.list()[0].id;
    // As if the step had finished before a later one failed.
    const run = engine.runner.store.load(id)!;
    run.steps[3].status = 'done';
    engine.runner.store.save(run);
    await expect(engine.runner.abort(id)).rejects.toThrow(/"Re-point the clients" is done: the clients use the new machine now/);
    expect(world.log).not.toContain('unrepoint');
  });

  it('skips only a failed step that allows it, records the consequence, and goes on', async () => {
    fresh();
    world.failAt = 'verify';
    await expect(engine.runner.start(recovery, {})).rejects.toThrow(/did not answer/);
    const id = engine.runner.store.list()[0].id;
    await expect(engine.runner.skip(id, 'attach')).rejects.toThrow(/only the step that failed/);
    await engine.runner.skip(id, 'verify');
    const run = engine.runner.store.load(id)!;
    expect(run.status).toBe('done');
    expect(run.steps[2]).toMatchObject({ status: 'skipped', message: 'Skipped by the admin: the app is not verified; check it yourself' });
    expect(world.log).toEqual(['create', 'attach', 'verify', 'repoint']);
  });

  it('abort runs the undo of a step the admin skipped: it failed, so it may have written part-way', async () => {
    fresh();
    world.failAt = 'write';
    await expect(engine.runner.start(partWay, {})).rejects.toThrow(/second host refused/);
    const id = engine.runner.store.list()[0].id;
    world.failAt = 'after';
    await expect(engine.runner.skip(id, 'write')).rejects.toThrow(/later step failed/);
    let run = engine.runner.store.load(id)!;
    expect(run.steps.map((s) => s.status)).toEqual(['skipped', 'failed']);
    // What the admin confirms names it, and the abort runs it.
    expect(undoTitles(partWay, run)).toEqual(['Write both hosts']);
    await engine.runner.abort(id);
    run = engine.runner.store.load(id)!;
    expect(run.status).toBe('aborted');
    expect(run.steps[0].status).toBe('undone');
    expect(world.log).toEqual(['write first host', 'after', 'put the first host back']);
  });

  it('refuses to skip a step that does not say it may be skipped', async () => {
    fresh();
    world.failAt = 'repoint';
    await expect(engine.runner.start(recovery, {})).rejects.toThrow();
    const id = engine.runner.store.list()[0].id;
    await expect(engine.runner.skip(id, 'repoint')).rejects.toThrow(/cannot be skipped.*Retry it \(resume\) or abort/);
    expect(engine.runner.store.load(id)!.steps[3].status).toBe('failed');
  });

  it('holds one recovery lock per installation; a live holder refuses, a dead one is taken over with a warning', async () => {
    fresh();
    // Held by a live process (this test's parent shell stands in for another Drydock).
    writeFileSync(lockFile(engine.home), JSON.stringify({ holder: 'alice@laptop', pid: process.ppid, runId: 'other-run', since: '2026-01-01T00:00:00Z' }));
    await expect(engine.runner.start(recovery, {})).rejects.toThrow(/Another recovery run holds the lock: run other-run, by alice@laptop, process \d+/);
    expect(world.log).toEqual([]);

    // Held by a process that died: taken over, said, released at the end.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(lockFile(engine.home), JSON.stringify({ holder: 'bob@laptop', pid: Number(dead), runId: 'old-run', since: '2026-01-01T00:00:00Z' }));
    const lines: string[] = [];
    const { runId } = await engine.runner.start(recovery, {}, { emit: (e) => e.type === 'output' && lines.push(e.text) });
    expect(lines.join('')).toMatch(/Took over a stale recovery lock: run old-run, by bob@laptop, process \d+ \(no longer running\)/);
    expect(engine.runner.store.load(runId)!.notice).toMatch(/stale recovery lock/);
    expect(readLock(engine.home)).toBeNull();
  });

  it('the lock file names holder, pid and run, and is only released by its holder', () => {
    fresh();
    expect(acquireRecoveryLock(engine.home, 'run-a')).toEqual({});
    const lock = JSON.parse(readFileSync(lockFile(engine.home), 'utf8'));
    expect(lock).toMatchObject({ holder: expect.stringContaining('@'), pid: process.pid, runId: 'run-a' });
    releaseRecoveryLock(engine.home, 'run-b');
    expect(readLock(engine.home)?.runId).toBe('run-a');
    // This same process may not start a second recovery run while it holds the first.
    expect(() => acquireRecoveryLock(engine.home, 'run-b')).toThrow(/holds the lock: run run-a/);
    releaseRecoveryLock(engine.home, 'run-a');
    expect(readLock(engine.home)).toBeNull();
  });
});
