import { describe, expect, it } from 'vitest';
import { withSecrets, withoutSecrets } from '../../electron/engine/runbook/secret-input';

const FIELDS = [{ path: ['settings', 'proxyPassword'] }, { path: ['settings', 'proxy'], when: (v: unknown) => String(v).includes('@') }];

describe('secrets in runbook input', () => {
  it('keeps them off disk and takes them again on resume', () => {
    const input = { settings: { proxy: 'http://bob:pw@10.0.0.33:3128', proxyPassword: 'hunter2', aws: true } };
    const stored = withoutSecrets(input, FIELDS);
    expect(JSON.stringify(stored)).not.toMatch(/hunter2|bob:pw/);
    expect(stored.settings.aws).toBe(true);
    expect(input.settings.proxyPassword).toBe('hunter2');
    expect(withSecrets(stored, FIELDS, input, 'Proxy settings')).toEqual(input);
  });

  it('leaves values that are not secret alone', () => {
    const input = { settings: { proxy: 'http://10.0.0.33:3128' } };
    expect(withoutSecrets(input, FIELDS)).toEqual(input);
  });

  it('says which secret a resume needs when it is not given', () => {
    const stored = withoutSecrets({ settings: { proxyPassword: 'hunter2' } }, FIELDS);
    expect(() => withSecrets(stored, FIELDS, {}, 'Proxy settings')).toThrow(/give proxyPassword again/);
  });
});
