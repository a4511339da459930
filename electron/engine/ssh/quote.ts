/**
 * Shell quoting for commands sent over SSH. Every argument that did not come
 * from a literal in our own source goes through `quote`, which wraps it in
 * single quotes (inside which a POSIX shell interprets nothing) and closes and
 * reopens them around each embedded quote. NUL cannot be carried by a shell
 * word at all, so it is refused rather than silently truncated.
 */
import { DrydockError } from '../../../shared/errors';

export function quote(arg: string | number): string {
  const s = String(arg);
  if (s.includes('\0')) throw new DrydockError('INVALID_INPUT', 'A command argument contains a NUL byte, which no shell can carry');
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Build one command line from a program and its arguments, all quoted. */
export function command(program: string, ...args: (string | number)[]): string {
  return [program, ...args].map(quote).join(' ');
}

/**
 * Tagged template for scripts: literal text is trusted (it is our source), every
 * interpolated value is quoted. `sh\`cat ${path} | sha256sum\``.
 */
export function sh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    out += quote(value) + strings[i + 1];
  });
  return out;
}
