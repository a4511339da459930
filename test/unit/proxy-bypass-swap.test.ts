/** The restore's swap of the old Services address in the proxy files' bypass lists: exactly that element, nothing else. */
import { describe, expect, it } from 'vitest';
import { bypassMentions, swapBypassAddresses } from '../../shared/proxy/bypass-swap';
import { readVariable } from '../../shared/proxy/env-file';
import { renderCustomizations, renderDockerDropIn, renderEnvironment, type ProxySettings } from '../../shared/proxy/render';

const swaps = [
  { from: '10.0.1.10', to: '10.0.2.20' },
  { from: '203.0.113.10', to: '203.0.113.11' },
];
const settings: ProxySettings = {
  http: { url: 'http://u:p%40ss@10.0.0.33:3128', host: '10.0.0.33', port: 3128 } as ProxySettings['http'],
  https: { url: 'http://u:p%40ss@10.0.0.33:3128', host: '10.0.0.33', port: 3128 } as ProxySettings['https'],
  noProxy: ['127.0.0.1', 'localhost', '10.0.1.10', '10.0.1.100', 'ghe.example.com', '203.0.113.10', '.10.0.1.10.example'],
  javaNonProxyHosts: ['127.0.0.1', 'localhost', '10.0.1.10', '10.0.1.100', 'ghe.example.com'],
};

describe('swapBypassAddresses', () => {
  it("rewrites the Services machine's customizations: NO_PROXY and nonProxyHosts elements, not look-alikes, not the proxy URL", () => {
    const before = `# NO_PROXY=10.0.1.10 (a comment stays)\nexport CIRCLE_URL="https://10.0.1.10"\n${renderCustomizations(null, settings)}`;
    const after = swapBypassAddresses(before, swaps);
    expect(readVariable(after, 'NO_PROXY')!.split(',')).toEqual(['127.0.0.1', 'localhost', '10.0.2.20', '10.0.1.100', 'ghe.example.com', '203.0.113.11', '.10.0.1.10.example']);
    const jvm = readVariable(after, 'JVM_OPTS')!.split(' ').find((w) => w.startsWith('-Dhttp.nonProxyHosts='))!;
    expect(jvm.slice(jvm.indexOf('=') + 1).split('|')).toEqual(['127.0.0.1', 'localhost', '10.0.2.20', '10.0.1.100', 'ghe.example.com']);
    // Everything else byte for byte.
    const changed = after.split('\n').filter((l, i) => l !== before.split('\n')[i]);
    expect(changed.map((l) => l.split('=')[0])).toEqual(['export NO_PROXY', 'export JVM_OPTS']);
    expect(after).toContain('# NO_PROXY=10.0.1.10 (a comment stays)');
    expect(after).toContain('export CIRCLE_URL="https://10.0.1.10"');
    expect(bypassMentions(after, '10.0.1.10')).toEqual([]);
    expect(bypassMentions(before, '10.0.1.10')).toHaveLength(2);
  });

  it("rewrites a client's /etc/environment (both spellings) and the Docker drop-in's Environment= words", () => {
    const env = swapBypassAddresses(renderEnvironment('PATH="/usr/bin"\n', settings), swaps);
    expect(readVariable(env, 'NO_PROXY')).toBe(readVariable(env, 'no_proxy'));
    expect(readVariable(env, 'no_proxy')!.split(',')).toContain('10.0.2.20');
    expect(readVariable(env, 'no_proxy')!.split(',')).not.toContain('10.0.1.10');
    expect(env.startsWith('PATH="/usr/bin"\n')).toBe(true);
    const dropIn = swapBypassAddresses(renderDockerDropIn(settings), swaps);
    const words = /^Environment=(.*)$/m.exec(dropIn)![1].match(/"[^"]*"/g)!.map((w) => w.slice(1, -1));
    expect(words[0]).toBe('HTTP_PROXY=http://u:p%%40ss@10.0.0.33:3128');
    expect(words[2].replace(/^NO_PROXY=/, '').split(',')).toEqual(['127.0.0.1', 'localhost', '10.0.2.20', '10.0.1.100', 'ghe.example.com', '203.0.113.11', '.10.0.1.10.example']);
  });

  it('hands back the very same text when no list names an old address', () => {
    const text = 'export NO_PROXY="127.0.0.1,localhost"\n';
    expect(swapBypassAddresses(text, swaps)).toBe(text);
    expect(swapBypassAddresses(text, [])).toBe(text);
  });
});
