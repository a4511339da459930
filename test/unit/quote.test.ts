import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { command, quote, sh } from '../../electron/engine/ssh/quote';

// Each string goes through a real POSIX shell; it must come back byte for byte
// and nothing in it may execute.
const HOSTILE = [
  '',
  ' ',
  "it's",
  "'",
  "''",
  '"',
  '$(touch /tmp/drydock-pwned)',
  '`touch /tmp/drydock-pwned`',
  '; touch /tmp/drydock-pwned',
  '&& touch /tmp/drydock-pwned',
  '| touch /tmp/drydock-pwned',
  '$HOME',
  '${IFS}',
  '*',
  '~',
  '-rf',
  '--',
  'a\nb',
  '\\',
  "\\'",
  '!!',
  '\t\r',
  'ünïcødé ✓',
  "'; rm -rf / #",
  'a b\'c"d$e`f\\g',
];

function throughShell(shell: string, script: string): string {
  return execFileSync(shell, ['-c', script], { encoding: 'utf8' });
}

describe('quote', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`round-trips hostile strings through ${shell} without running them`, () => {
      for (const s of HOSTILE) {
        expect(throughShell(shell, `printf %s ${quote(s)}`)).toBe(s);
      }
    });
  }

  it('keeps each argument one word', () => {
    const out = throughShell('/bin/sh', `${command('printf', '%s|', ...HOSTILE)}`);
    expect(out).toBe(HOSTILE.map((s) => `${s}|`).join(''));
  });

  it('quotes every interpolation of the sh template', () => {
    const evil = '$(id); echo gotcha';
    expect(throughShell('/bin/sh', sh`printf %s ${evil}`)).toBe(evil);
  });

  it('refuses NUL, which no shell word can carry', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });

  it('leaves plain words readable in the audit log', () => {
    expect(command('systemctl', 'restart', 'replicated-ui')).toBe('systemctl restart replicated-ui');
    expect(quote('/etc/replicated.conf')).toBe('/etc/replicated.conf');
  });
});
