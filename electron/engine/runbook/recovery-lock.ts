/**
 * One recovery run at a time per installation (DRYDOCK_HOME): two restores
 * swapping the spare's root at once would leave it in a state neither can
 * get out of. The lock names who holds it, which process and which run; a
 * lock left by a process that died (kill -9, a closed laptop) is stale and
 * is taken over with a warning, since the run it names is resumable.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DrydockError } from '../../../shared/errors';
import { writeFileAtomic } from '../store/atomic-file';
import { bootId } from './run-store';

export interface RecoveryLock {
  holder: string;
  pid: number;
  boot?: string;
  runId: string;
  since: string;
}

export function lockFile(home: string): string {
  return path.join(home, 'recovery.lock');
}

function holderName(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}@${os.hostname()}`;
  }
}

export function lockAlive(lock: RecoveryLock): boolean {
  if (lock.boot && lock.boot !== bootId()) return false;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(home: string): RecoveryLock | null {
  try {
    const parsed = JSON.parse(readFileSync(lockFile(home), 'utf8')) as RecoveryLock;
    return typeof parsed.pid === 'number' && typeof parsed.runId === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Take the lock for `runId`. Returns a warning when a stale lock was taken
 * over; throws CONFLICT when a live process holds it for another run (or for
 * the same run: it is running there).
 */
export function acquireRecoveryLock(home: string, runId: string): { warning?: string } {
  const mine: RecoveryLock = { holder: holderName(), pid: process.pid, boot: bootId(), runId, since: new Date().toISOString() };
  const text = JSON.stringify(mine, null, 2) + '\n';
  try {
    // Exclusive create: of two processes racing for a free lock, one wins.
    writeFileSync(lockFile(home), text, { flag: 'wx', mode: 0o600 });
    return {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const held = readLock(home);
  if (held && held.pid === process.pid && held.runId === runId) return {};
  if (held && lockAlive(held)) {
    throw new DrydockError(
      'CONFLICT',
      `Another recovery run holds the lock: run ${held.runId}, by ${held.holder}, process ${held.pid}, since ${held.since}. One recovery at a time: wait for it, or stop it there.`,
      { lock: held },
    );
  }
  writeFileAtomic(lockFile(home), text);
  // Re-read: a process that took it over at the same moment wins if its write landed last.
  const now = readLock(home);
  if (!now || now.pid !== process.pid || now.runId !== runId) throw new DrydockError('CONFLICT', `Another process took the recovery lock just now (run ${now?.runId ?? '?'}, process ${now?.pid ?? '?'})`);
  return held
    ? { warning: `Took over a stale recovery lock: run ${held.runId}, by ${held.holder}, process ${held.pid} (no longer running), since ${held.since}.` }
    : { warning: 'Took over an unreadable recovery lock file.' };
}

/** Release the lock if this process holds it for `runId`. */
export function releaseRecoveryLock(home: string, runId: string): void {
  const held = readLock(home);
  if (held && held.pid === process.pid && held.runId === runId) {
    try {
      unlinkSync(lockFile(home));
    } catch {
      /* already gone */
    }
  }
}
