/**
 * The audit log: one JSON line per remote command, file change or trust
 * decision, hash-chained (each line's hash covers the previous hash and the
 * line's own fields), so an edited, removed or reordered line is detectable
 * by `drydock audit verify`. It proves tampering, not authorship: whoever can
 * rewrite the whole file can rebuild the chain, which is why it is append-only
 * in normal use and meant to be shipped off the laptop by admins who need more.
 *
 * A chain alone cannot show that its end was cut off: the remaining lines
 * still link up. So the head (entry count and last hash) is also kept in a
 * second file, `audit.jsonl.head`, rewritten atomically under the same lock
 * after each append, and `verify` compares the log with it. Reports print the
 * head, so a copy kept elsewhere anchors the log at that moment too.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { matchesAuditFilter, type AuditEntry, type AuditFilter } from '../../../shared/audit';
import { redact } from './redact';
import { currentRun } from './run-scope';

export type AuditHead = { count: number; hash: string };
export type AuditVerdict = { ok: boolean; entries: number; brokenAt?: number; reason?: string; head?: AuditHead };

export type AuditRecord = Omit<AuditEntry, 'seq' | 'time' | 'prev' | 'hash' | 'run'> & { time?: string; run?: string };

const GENESIS = '0'.repeat(64);
const FIELDS = ['seq', 'time', 'host', 'fingerprint', 'kind', 'command', 'exitCode', 'durationMs', 'prev'] as const;

export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  // `run` came later: entries without it hash exactly as they always did.
  const canonical = JSON.stringify([...FIELDS.map((f) => entry[f]), ...(entry.run !== undefined ? [entry.run] : [])]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** True when the lock names a pid that no longer runs (an empty or unreadable lock: not known to be dead). */
function holderDead(lockFile: string): boolean {
  const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A lock file taken with O_EXCL; one left by a crashed process expires, at once when its pid is gone. */
function withLock<T>(lockFile: string, fn: () => T): T {
  const deadline = Date.now() + 5_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lockFile, 'wx', 0o600);
      // The holder's pid, so a lock left by a process killed mid-append (kill -9) is taken over at once.
      writeSync(fd, String(process.pid));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lockFile).mtimeMs > 10_000 || holderDead(lockFile)) unlinkSync(lockFile);
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`the audit log is locked by another Drydock process (${lockFile})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    return fn();
  } finally {
    closeSync(fd);
    unlinkSync(lockFile);
  }
}

export class AuditLog {
  private readonly listeners = new Set<(entry: AuditEntry) => void>();

  constructor(readonly file: string) {}

  /** Called with every entry this process appends (for live views). */
  onAppend(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Append one record; the command text is redacted here, whatever the caller passed. */
  append(record: AuditRecord, secrets: readonly string[] = []): AuditEntry {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // The window and the CLI may append at once: read-last-then-append must
    // not interleave, or the chain would look tampered with.
    const entry = withLock(`${this.file}.lock`, () => this.appendLocked(record, secrets));
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        /* a live view failing must not fail the command it records */
      }
    }
    return entry;
  }

  private appendLocked(record: AuditRecord, secrets: readonly string[]): AuditEntry {
    const last = this.lastEntry();
    const run = record.run ?? currentRun();
    const base: Omit<AuditEntry, 'hash'> = {
      seq: last ? last.seq + 1 : 1,
      time: record.time ?? new Date().toISOString(),
      host: record.host,
      fingerprint: record.fingerprint,
      kind: record.kind,
      command: redact(record.command, secrets),
      exitCode: record.exitCode,
      durationMs: Math.round(record.durationMs),
      ...(run ? { run } : {}),
      prev: last ? last.hash : GENESIS,
    };
    const entry: AuditEntry = { ...base, hash: hashEntry(base) };
    appendFileSync(this.file, JSON.stringify(entry) + '\n', { mode: 0o600 });
    // A crash between these two writes leaves the head one entry behind;
    // verify accepts a log that runs past its head, never one that stops short.
    // Replaced by rename, without fsync: the log line above is not fsynced
    // either, and a head made more durable than the log could claim entries
    // a power cut took away.
    const tmp = `${this.headFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ count: entry.seq, hash: entry.hash }) + '\n', { mode: 0o600 });
    renameSync(tmp, this.headFile);
    return entry;
  }

  get headFile(): string {
    return `${this.file}.head`;
  }

  /** The head last written beside the log, or null (no log yet, or one from before heads were kept). */
  head(): AuditHead | null {
    let text: string;
    try {
      text = readFileSync(this.headFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const head = JSON.parse(text) as AuditHead;
      if (Number.isInteger(head.count) && typeof head.hash === 'string') return { count: head.count, hash: head.hash };
    } catch {
      /* reported below */
    }
    return { count: -1, hash: '' };
  }

  /** Reads only the file's tail: the log grows for years, appends stay cheap. */
  private lastEntry(): AuditEntry | null {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      let window = 4096;
      while (true) {
        const start = Math.max(0, size - window);
        const buf = Buffer.alloc(size - start);
        readSync(fd, buf, 0, buf.length, start);
        const text = buf.toString('utf8');
        const lines = text.split('\n').filter(Boolean);
        if (lines.length >= 3 || start === 0) {
          // A line torn by a crash mid-write stays as evidence (verify will
          // report it); new entries start on a fresh line and chain on from
          // the last whole entry, so Drydock keeps working.
          if (size > 0 && !text.endsWith('\n')) appendFileSync(this.file, '\n');
          for (let i = lines.length - 1; i >= 0; i--) {
            try {
              return JSON.parse(lines[i]) as AuditEntry;
            } catch {
              /* torn: look further back */
            }
          }
          if (start === 0) return null;
        }
        window *= 4;
      }
    } finally {
      closeSync(fd);
    }
  }

  entries(): AuditEntry[] {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);
  }

  /** The newest `limit` entries matching `filter`, oldest first. */
  tail(limit: number, filter: AuditFilter = {}): AuditEntry[] {
    return this.entries()
      .filter((e) => matchesAuditFilter(e, filter))
      .slice(-limit);
  }

  /**
   * Walk the chain (the first line that does not fit is reported by its line
   * number), then compare its end with the head: fewer entries than the head
   * counts, or a different hash at that entry, means the log was cut or
   * rewritten after the head was written.
   */
  verify(): AuditVerdict {
    const head = this.head();
    const chain = this.verifyChain();
    if (!chain.ok || !head) return chain;
    const withHead = { ...chain, head };
    if (head.count < 0) return { ...withHead, ok: false, reason: `the head file ${this.headFile} is unreadable` };
    if (chain.entries < head.count) {
      return { ...withHead, ok: false, brokenAt: chain.entries + 1, reason: `the log ends at entry ${chain.entries} but its head records ${head.count} entries: the end of the log was removed` };
    }
    if (head.count > 0 && this.hashAt(head.count) !== head.hash) {
      return { ...withHead, ok: false, brokenAt: head.count, reason: `entry ${head.count} does not have the hash its head records: the log was rewritten` };
    }
    return withHead;
  }

  private hashAt(seq: number): string | undefined {
    return this.entries()[seq - 1]?.hash;
  }

  private verifyChain(): AuditVerdict {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = text.split('\n').filter(Boolean);
    let prev = GENESIS;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(lines[i]) as AuditEntry;
      } catch {
        return { ok: false, entries: lines.length, brokenAt: lineNo, reason: 'line is not valid JSON' };
      }
      if (entry.seq !== lineNo) return { ok: false, entries: lines.length, brokenAt: lineNo, reason: `sequence ${entry.seq} where ${lineNo} was expected (a line was removed or moved)` };
      if (entry.prev !== prev) return { ok: false, entries: lines.length, brokenAt: lineNo, reason: 'does not follow the previous line (chain broken)' };
      const { hash, ...rest } = entry;
      if (hashEntry(rest) !== hash) return { ok: false, entries: lines.length, brokenAt: lineNo, reason: 'contents do not match their hash (line edited)' };
      prev = hash;
    }
    return { ok: true, entries: lines.length };
  }
}
