/** Turn a zod failure into one readable sentence per bad field. */
import type { z } from 'zod';
import { DrydockError } from './errors';

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parse or throw INVALID_INPUT naming every bad field (and nothing is done). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DrydockError('INVALID_INPUT', `${what}: ${describeIssues(result.error)}`, {
      fields: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    });
  }
  return result.data;
}
