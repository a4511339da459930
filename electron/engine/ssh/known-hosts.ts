/**
 * Drydock's own known_hosts, in OpenSSH's format so `ssh-keygen -F HOST -f FILE`
 * and plain `ssh -o UserKnownHostsFile=FILE` read it. We write plain (unhashed)
 * names: the file sits in the admin's own profile, and being able to read
 * which hosts are trusted matters more here than hiding them.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic-file';
import { fingerprintOf } from './fingerprint';

export interface KnownKey {
  keyType: string;
  /** Base64 of the key blob, as in the file. */
  key: string;
  fingerprint: string;
}

interface Line {
  raw: string;
  marker?: '@cert-authority' | '@revoked';
  patterns?: string;
  keyType?: string;
  key?: string;
}

function parseLine(raw: string): Line {
  const trimmed = raw.trim();
  if (!trimmed || trimmed.startsWith('#')) return { raw };
  const fields = trimmed.split(/\s+/);
  let marker: Line['marker'];
  if (fields[0] === '@cert-authority' || fields[0] === '@revoked') marker = fields.shift() as Line['marker'];
  if (fields.length < 3) return { raw };
  return { raw, marker, patterns: fields[0], keyType: fields[1], key: fields[2] };
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** OpenSSH's rules: comma-separated patterns, `!` negates, `|1|salt|hash` is hashed. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export class KnownHosts {
  constructor(readonly file: string) {}

  private lines(): Line[] {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').map(parseLine);
  }

  private save(lines: Line[]): void {
    writeFileAtomic(this.file, lines.map((l) => l.raw).join('\n') + (lines.length ? '\n' : ''), 0o644);
  }

  /** Keys trusted for a host name (`addr` or `[addr]:port`); revoked keys excluded. */
  lookup(name: string): KnownKey[] {
    const lines = this.lines().filter((l) => l.patterns && l.keyType && l.key && patternsMatch(l.patterns, name));
    const revoked = new Set(lines.filter((l) => l.marker === '@revoked').map((l) => l.key));
    return lines
      .filter((l) => !l.marker && !revoked.has(l.key))
      .map((l) => ({ keyType: l.keyType!, key: l.key!, fingerprint: fingerprintOf(Buffer.from(l.key!, 'base64')) }));
  }

  /** Record a key the admin confirmed. Existing keys of the same type for that name are replaced. */
  add(name: string, keyType: string, key: string, comment?: string): void {
    const lines = this.lines().filter((l) => !(l.patterns === name && l.keyType === keyType && !l.marker));
    lines.push(parseLine([name, keyType, key, comment].filter(Boolean).join(' ')));
    this.save(lines);
  }

  /** Keys marked `@revoked` for a host name: never to be trusted again. */
  revoked(name: string): KnownKey[] {
    return this.lines()
      .filter((l) => l.marker === '@revoked' && l.patterns && l.keyType && l.key && patternsMatch(l.patterns, name))
      .map((l) => ({ keyType: l.keyType!, key: l.key!, fingerprint: fingerprintOf(Buffer.from(l.key!, 'base64')) }));
  }

  /**
   * Forget every key filed under this name, hashed (`|1|…`, as
   * `ssh-keygen -H` or an imported file leaves them) or plain; returns how
   * many lines went. A line that also names other hosts keeps them.
   * `@revoked` lines stay: forgetting a host must not un-revoke a key.
   */
  remove(name: string): number {
    const lines = this.lines();
    let removed = 0;
    const kept: Line[] = [];
    for (const l of lines) {
      if (!l.patterns || l.marker) {
        kept.push(l);
      } else if (l.patterns.startsWith('|1|')) {
        if (patternsMatch(l.patterns, name)) removed++;
        else kept.push(l);
      } else {
        const names = l.patterns.split(',');
        if (!names.includes(name)) {
          kept.push(l);
          continue;
        }
        removed++;
        const others = names.filter((n) => n !== name);
        if (others.length) kept.push(parseLine(l.raw.replace(l.patterns, others.join(','))));
      }
    }
    if (removed) this.save(kept);
    return removed;
  }

  /**
   * Copy the entries another known_hosts file (usually ~/.ssh/known_hosts) has
   * for these names, hashed or not. A name Drydock already trusts with a
   * different key is not touched: that is a changed key, and importing must
   * not be a way around the refusal.
   */
  importFrom(
    otherFile: string,
    names: string[],
  ): { imported: { name: string; keys: KnownKey[] }[]; conflicts: { name: string; stored: string; offered: string }[]; revoked: { name: string; offered: string }[] } {
    const other = new KnownHosts(otherFile);
    const imported: { name: string; keys: KnownKey[] }[] = [];
    const conflicts: { name: string; stored: string; offered: string }[] = [];
    const revoked: { name: string; offered: string }[] = [];
    for (const name of names) {
      // A key this file marks @revoked is never imported as trusted.
      const revokedHere = new Set(this.revoked(name).map((k) => k.key));
      const all = other.lookup(name);
      for (const k of all.filter((k) => revokedHere.has(k.key))) revoked.push({ name, offered: k.fingerprint });
      const offered = all.filter((k) => !revokedHere.has(k.key));
      if (!offered.length) continue;
      const stored = this.lookup(name);
      const fresh = offered.filter((k) => !stored.some((s) => s.key === k.key));
      if (!fresh.length) continue;
      if (stored.length) {
        conflicts.push({ name, stored: stored[0].fingerprint, offered: fresh[0].fingerprint });
        continue;
      }
      for (const k of fresh) this.add(name, k.keyType, k.key, 'imported');
      imported.push({ name, keys: fresh });
    }
    return { imported, conflicts, revoked };
  }
}
