/**
 * Secrets in an operation's input (a proxy password, say) are needed while
 * the run goes on but must not be written to the runbook on disk. The
 * runbook keeps a marker in their place; a resume takes them again from the
 * caller (who has them from the form, or the environment).
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { DrydockError } from '../../../shared/errors';

/** A field that is secret, always or (with `when`) only for some values, e.g. a URL with a password. */
export interface SecretField {
  path: readonly string[];
  when?: (value: unknown) => boolean;
  /** What the admin is asked for when a resume needs it again ("Proxy password"). */
  label?: string;
  /** The environment variable the CLI takes it from. */
  env?: string;
}

/** The key a secret goes by in a resume request: its path, dotted. */
export const secretKey = (f: SecretField) => f.path.join('.');
const MARKER = '[secret: not stored]';

function get(obj: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function set(obj: unknown, path: readonly string[], value: unknown): void {
  let o = obj as Record<string, unknown>;
  for (const k of path.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') return;
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]] = value;
}

/** A copy of the input with every present secret replaced by a marker. */
export function withoutSecrets<T>(input: T, fields: readonly SecretField[]): T {
  if (!fields.length) return input;
  const copy = structuredClone(input);
  for (const { path, when } of fields) {
    const value = get(copy, path);
    if (value !== undefined && (!when || when(value))) set(copy, path, MARKER);
  }
  return copy;
}

/** The stored input with its secrets taken again from `source` (e.g. the new request). */
export function withSecrets<T>(stored: T, fields: readonly SecretField[], source: unknown, what: string): T {
  const copy = structuredClone(stored);
  for (const { path: p } of fields) {
    if (get(copy, p) !== MARKER) continue;
    const value = get(source, p);
    if (typeof value !== 'string' || !value) {
      throw new DrydockError('INVALID_INPUT', `${what}: give ${p[p.length - 1]} again to resume; secrets are not kept in runbooks`, {
        fields: [{ path: [...p], message: 'needed again to resume' }],
      });
    }
    set(copy, p, value);
  }
  return copy;
}

/** The secrets a stored input needs again before it can run (their markers). */
export function missingSecrets(stored: unknown, fields: readonly SecretField[]): SecretField[] {
  return fields.filter((f) => get(stored, f.path) === MARKER);
}

/** A request-shaped object from secrets given by key (the resume form, the CLI's environment). */
export function secretsByKey(fields: readonly SecretField[], given: Record<string, string>): unknown {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const value = given[secretKey(f)];
    if (value === undefined) continue;
    let o = out;
    for (const k of f.path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[f.path[f.path.length - 1]] = value;
  }
  return out;
}

/**
 * Salted hashes (scrypt) of the secrets in an input, by key: the runbook can
 * then tell whether a resume brings the same secret without keeping it.
 */
export function hashSecrets(input: unknown, fields: readonly SecretField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const value = get(input, f.path);
    if (typeof value !== 'string' || !value || (f.when && !f.when(value))) continue;
    const salt = randomBytes(16);
    out[secretKey(f)] = `scrypt:${salt.toString('hex')}:${scryptSync(value, salt, 32).toString('hex')}`;
  }
  return out;
}

/** Keys whose secret in `input` differs from the one the run started with. */
export function changedSecrets(input: unknown, fields: readonly SecretField[], hashes: Record<string, string> | undefined): string[] {
  if (!hashes) return [];
  const changed: string[] = [];
  for (const f of fields) {
    const stored = hashes[secretKey(f)];
    if (!stored) continue;
    const [, salt, hash] = stored.split(':');
    const value = get(input, f.path);
    const now = typeof value === 'string' ? scryptSync(value, Buffer.from(salt, 'hex'), 32) : Buffer.alloc(32);
    if (!timingSafeEqual(now, Buffer.from(hash, 'hex'))) changed.push(f.label ?? secretKey(f));
  }
  return changed;
}
