/** The installation customizations editor's checks and rendering. */
import { describe, expect, it } from 'vitest';
import { CustomizeRequestSchema, customizationsPath, customizeIssues, renderCustomizationVars } from '../../shared/proxy/customizations';
import { parseAssignedValue, setVariables } from '../../shared/proxy/env-file';

describe('customizeIssues', () => {
  it('accepts the guide’s variables', () => {
    expect(customizeIssues({ vars: { CIRCLE_URL: 'https://ci.example.com', JVM_HEAP_SIZE: '4g' } })).toEqual([]);
    expect(customizeIssues({ vars: { JVM_HEAP_SIZE: '2048m' }, container: 'frontend' })).toEqual([]);
    expect(customizeIssues({ vars: { CIRCLE_URL: '' } })).toEqual([]);
  });

  it.each([
    [{ vars: { CIRCLE_URL: 'ci.example.com' } }, /scheme and host/],
    [{ vars: { CIRCLE_URL: 'https://ci.example.com/path' } }, /no path/],
    [{ vars: { CIRCLE_URL: 'https://$(reboot)' } }, /scheme and host|not a host/],
    [{ vars: { JVM_HEAP_SIZE: '4 g' } }, /size such as/],
    [{ vars: { JVM_HEAP_SIZE: '4g"; reboot' } }, /size such as/],
    [{ vars: { HTTP_PROXY: 'http://p:1' } }, /proxy operation/],
    [{ vars: { LD_PRELOAD: '/tmp/x' } }, /not a customization Drydock knows/],
    [{ vars: { CIRCLE_URL: 'https://a.b' }, container: 'frontend' }, /whole installation/],
    [{ vars: { JVM_HEAP_SIZE: '1g' }, container: '../etc' }, /container name/],
    [{ vars: {} }, /at least one/],
  ])('refuses %j', (req, why) => {
    expect(customizeIssues(req).map((i) => i.message).join('\n')).toMatch(why);
    expect(CustomizeRequestSchema.safeParse(req).success).toBe(false);
  });

  it('maps a container to its own file', () => {
    expect(customizationsPath()).toBe('/etc/circle-installation-customizations');
    expect(customizationsPath('test_results')).toBe('/etc/circleconfig/test_results/customizations');
  });
});

describe('renderCustomizationVars', () => {
  it('sets, replaces and (empty value) removes, keeping other lines', () => {
    const before = 'export CIRCLE_URL="https://old"\nexport HTTP_PROXY="http://p:1"\n';
    const out = renderCustomizationVars(before, { CIRCLE_URL: 'https://ci.example.com', JVM_HEAP_SIZE: '4g' })!;
    expect(out).toBe('export CIRCLE_URL="https://ci.example.com"\nexport HTTP_PROXY="http://p:1"\nexport JVM_HEAP_SIZE="4g"\n');
    expect(renderCustomizationVars(out, { CIRCLE_URL: '' })).toBe('export HTTP_PROXY="http://p:1"\nexport JVM_HEAP_SIZE="4g"\n');
    expect(renderCustomizationVars(null, { CIRCLE_URL: '' })).toBeNull();
  });
});

describe('env-file parsing', () => {
  it.each([
    ['export A="x y"', 'x y'],
    ["A='x\"y'", 'x"y'],
    ['A=plain', 'plain'],
    ['A="esc \\" \\$ \\\\"', 'esc " $ \\'],
    ['A="x" # comment', 'x'],
    ['A=$(cmd)', null],
    ['A=a b', null],
  ])('reads %j', (line, value) => {
    expect(parseAssignedValue(line)).toBe(value);
  });

  it('refuses to write an unsafe value rather than escaping it wrongly', () => {
    expect(() => setVariables('', { A: 'x\ny' }, 'plain')).toThrow();
    expect(() => setVariables('', { 'A;B': 'x' }, 'export')).toThrow(/variable name/);
  });
});
