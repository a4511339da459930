/**
 * Files of `VAR="value"` lines: /etc/circle-installation-customizations
 * (`export VAR="value"`, which the guide requires of every line there),
 * /etc/circleconfig/<container>/customizations and /etc/environment (plain
 * `VAR="value"`, read by pam_env, which knows no escapes).
 *
 * Drydock changes only the variables it is asked to, in place, and keeps
 * every other line byte for byte: comments, CIRCLE_URL, PATH, blank lines.
 * A file that already holds the wanted lines comes back unchanged (same
 * string), which is how a second apply knows it has nothing to do.
 */

export type AssignmentStyle = 'export' | 'plain';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** Characters no value may carry: they mean something to sh or break pam_env. */
const UNSAFE_VALUE = /["\\$`\x00-\x1f\x7f]/;

/** Why a value cannot go between double quotes in these files, or null. */
export function unsafeValueReason(value: string): string | null {
  const bad = UNSAFE_VALUE.exec(value);
  if (!bad) return null;
  const ch = bad[0];
  const code = ch.charCodeAt(0);
  const shown = code < 0x20 || code === 0x7f ? `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})` : `"${ch}"`;
  return `contains ${shown}, which sh or pam_env would read differently from what you typed`;
}

/** One assignment line. Refuses unsafe values: validation should have stopped them first. */
export function assignmentLine(name: string, value: string, style: AssignmentStyle): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
  const reason = unsafeValueReason(value);
  if (reason) throw new Error(`${name} ${reason}`);
  return `${style === 'export' ? 'export ' : ''}${name}="${value}"`;
}

/** Name of the variable a line assigns, or null for comments and anything else. */
export function assignedName(line: string): string | null {
  return ASSIGNMENT.exec(line)?.[1] ?? null;
}

/**
 * The value a line gives its variable, for the simple forms these files use:
 * "double" (with \\ \" \$ \` escapes), 'single' or bare. Null for anything
 * fancier (several words, command substitution), which callers treat as
 * "unknown, replace it whole".
 */
export function parseAssignedValue(line: string): string | null {
  const m = ASSIGNMENT.exec(line);
  if (!m) return null;
  const raw = m[2].replace(/\s+(#.*)?$/, '');
  const dq = /^"((?:[^"\\$`]|\\["\\$`])*)"$/.exec(raw);
  if (dq) return dq[1].replace(/\\(["\\$`])/g, '$1');
  const sq = /^'([^']*)'$/.exec(raw);
  if (sq) return sq[1];
  if (/^[^\s"'\\$`;&|<>()]*$/.test(raw)) return raw;
  return null;
}

/** The value of the last assignment of `name` (the one a shell ends up with). */
export function readVariable(content: string | null, name: string): string | null {
  if (content === null) return null;
  let found: string | null = null;
  for (const line of content.split('\n')) {
    if (assignedName(line) === name) found = parseAssignedValue(line);
  }
  return found;
}

/**
 * Set (string) or remove (null) variables. The first assignment of each
 * variable is replaced where it stands, later ones are dropped (they would
 * win otherwise); new variables go at the end in the order given.
 * Returns null only when the file did not exist and nothing needs writing.
 */
export function setVariables(current: string | null, vars: Record<string, string | null>, style: AssignmentStyle): string | null {
  const wanted = new Map(Object.entries(vars).map(([name, value]) => [name, value === null ? null : assignmentLine(name, value, style)]));
  const text = current ?? '';
  const endsWithNewline = text === '' || text.endsWith('\n');
  const lines = text === '' ? [] : (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const placed = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const name = assignedName(line);
    if (name === null || !wanted.has(name)) {
      out.push(line);
      continue;
    }
    const replacement = wanted.get(name)!;
    if (replacement !== null && !placed.has(name)) out.push(replacement);
    placed.add(name);
  }
  for (const [name, replacement] of wanted) {
    if (replacement !== null && !placed.has(name)) out.push(replacement);
  }
  if (current === null && out.length === 0) return null;
  // Nothing to change: hand back the very same text, missing final newline and all.
  if (current !== null && sameLines(lines, out)) return current;
  // A changed file always ends in a newline, so the next `cat >>` starts a line.
  return out.length ? out.join('\n') + '\n' : '';
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
