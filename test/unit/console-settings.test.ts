/**
 * Finding console settings by what `app-config view` lists (titles and
 * types, never guessed names), turning the admin's values into what
 * Replicated stores, and the guide's DLC rule.
 */
import { describe, expect, it } from 'vitest';
import { dlcProblems, locate, parseAssignments, showValue, specFor, toConsoleValue, type ViewGroup } from '../../shared/console/settings';

const view: ViewGroup[] = [
  {
    name: 'metrics_cw',
    title: 'AWS CloudWatch Metrics',
    items: [
      { name: 'cw_on', title: 'Enabled', type: 'bool', default: '0' },
      { name: 'cw_auth', title: 'Authentication', type: 'select_one', items: [{ name: 'a1', title: 'IAM Instance Profile' }, { name: 'a2', title: 'Access Key and Secret Key' }] },
      { name: 'cw_secret', title: 'Secret Key', type: 'password', value: 'x' },
    ],
  },
  { name: 'dd', title: 'DataDog Metrics', items: [{ name: 'dd_on', title: 'Enabled', type: 'text' }] },
  {
    name: 'vm',
    title: 'VM Provider',
    items: [
      { name: 'p1', title: 'Number of preallocated machine instances', type: 'text' },
      { name: 'p2', title: 'Preallocated machine instances (legacy)', type: 'text' },
    ],
  },
];

const found = (key: string) => {
  const l = locate(view, specFor(key)!);
  if ('missing' in l) throw new Error(l.missing);
  return l;
};

describe('console settings catalogue', () => {
  it('finds items by group title, item title and type', () => {
    expect(found('metrics.cloudwatch.enabled').item.name).toBe('cw_on');
    expect(found('metrics.cloudwatch.secret-key').item.name).toBe('cw_secret');
  });

  it('reports a missing item (or a wrong type) with the console page, and an ambiguous one', () => {
    expect(locate(view, specFor('artifacts.unsafe-content-types')!)).toMatchObject({ missing: expect.stringContaining('#artifacts') });
    // DataDog's "Enabled" is a text box here, not a checkbox: not the item we would set.
    expect(locate(view, specFor('metrics.datadog.enabled')!)).toMatchObject({ missing: expect.stringContaining('no "DataDog metrics" item') });
    expect(locate(view, specFor('vm.preallocated.machine')!)).toMatchObject({ missing: expect.stringMatching(/^2 items match/) });
  });

  it('converts values as Replicated stores them, and shows them back with secrets masked', () => {
    const on = found('metrics.cloudwatch.enabled');
    expect(toConsoleValue(on, 'true')).toBe('1');
    expect(toConsoleValue(on, 'off')).toBe('0');
    expect(() => toConsoleValue(on, 'maybe')).toThrow(/true or false/);
    expect(showValue(on, '')).toBe('false');
    const auth = found('metrics.cloudwatch.auth');
    expect(toConsoleValue(auth, 'keys')).toBe('a2');
    expect(showValue(auth, 'a1')).toBe('instance-profile');
    expect(() => toConsoleValue(auth, 'root')).toThrow(/instance-profile, keys/);
    expect(showValue(found('metrics.cloudwatch.secret-key'), 'x')).toBe('•••••• (set)');
    expect(() => toConsoleValue(found('metrics.cloudwatch.secret-key'), 'has space')).toThrow();
  });

  it('knows only its keys', () => {
    expect(parseAssignments(['metrics.datadog.api-key=a=b', 'vm.docker-layer-caching=true'])).toEqual({ 'metrics.datadog.api-key': 'a=b', 'vm.docker-layer-caching': 'true' });
    expect(() => parseAssignments(['metrics.datadog.apikey=x'])).toThrow(/unknown setting/);
    expect(() => parseAssignments(['novalue'])).toThrow(/KEY=VALUE/);
  });

  it('applies the DLC rule only when DLC is used', () => {
    expect(dlcProblems(true, 0, 0)).toEqual([]);
    expect(dlcProblems(false, 3, 1)).toEqual([]);
    expect(dlcProblems(true, 0, 1)[0]).toMatch(/must both be 0/);
  });
});
