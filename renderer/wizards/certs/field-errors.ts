/**
 * An INVALID_INPUT answer (from the contract check before sending, or from
 * the engine) split into the fields it names, for errors beside their
 * fields; what names no field of the form stays a message for the form.
 */
import type { ErrorPayload } from '../../../shared/errors';

export interface SplitErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** The error when no field of the form took it, else null. */
  rest: ErrorPayload | null;
}

/** zod's generic wording says nothing to an admin; the form's own words for that field replace it. */
const GENERIC = /^(Invalid input|Invalid URL|Invalid string|Invalid email address|Required)\b/i;

export function splitFieldErrors<F extends string>(error: ErrorPayload | null, known: Record<F, string>): SplitErrors<F> {
  if (!error) return { fields: {}, rest: null };
  const list = error.code === 'INVALID_INPUT' && Array.isArray(error.details?.fields) ? (error.details.fields as { path: string[]; message: string }[]) : [];
  const fields: Partial<Record<F, string>> = {};
  let unplaced = 0;
  for (const f of list) {
    const name = f.path[0] as F | undefined;
    if (name !== undefined && name in known) {
      const item = f.path.length > 1 ? ` (entry ${Number(f.path[1]) + 1})` : '';
      fields[name] ??= `${GENERIC.test(f.message) ? known[name] : f.message}${item}`;
    } else unplaced++;
  }
  const placed = Object.keys(fields).length > 0;
  return { fields, rest: placed && unplaced === 0 ? null : error };
}
