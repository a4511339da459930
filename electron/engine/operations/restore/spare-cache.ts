/**
 * The laptop's cache of which backup each hot spare holds (shared/restore/
 * spare-record.ts decides what it is worth: never enough alone to skip a
 * step). One JSON file in DRYDOCK_HOME, written atomically, mode 0600.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSpareCache, withSpareRecord, type SpareCache, type SpareRecord } from '../../../../shared/restore/spare-record';
import { writeFileAtomic } from '../../store/atomic-file';

export function spareCacheFile(home: string): string {
  return path.join(home, 'spares.json');
}

export function readSpareCache(home: string): SpareCache {
  try {
    return parseSpareCache(readFileSync(spareCacheFile(home), 'utf8'));
  } catch {
    return parseSpareCache(null);
  }
}

/** Record what the spare's disk says it holds now (null: nothing any more). */
export function recordSpare(home: string, spare: string, record: SpareRecord | null): SpareCache {
  const next = withSpareRecord(readSpareCache(home), spare, record);
  writeFileAtomic(spareCacheFile(home), JSON.stringify(next, null, 2) + '\n');
  return next;
}
