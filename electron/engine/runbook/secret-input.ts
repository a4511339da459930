/**
 * Secrets in an operation's input (a proxy password, say) are needed while
 * the run goes on but must not be written to the runbook on disk. The
 * runbook keeps a marker in their place; a resume takes them again from the
 * caller (who has them from the form, or the environment).
 */
import { DrydockError } from '../../../shared/errors';

/** A field that is secret, always or (with `when`) only for some values, e.g. a URL with a password. */
export interface SecretField {
  path: readonly string[];
  when?: (value: unknown) => boolean;
}
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
