import { describe, expect, it } from 'vitest';
import { changedSecrets, hashSecrets, missingSecrets, secretsByKey, withSecrets, withoutSecrets } from '../../electron/engine/runbook/secret-input';

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

describe('one run, one set of secrets', () => {
  const LABELLED = [{ path: ['settings', 'proxyPassword'], label: 'proxy password', env: 'DRYDOCK_PROXY_PASSWORD' }];

  it('keeps a salted hash that tells the same secret from another, and never the secret', () => {
    const hashes = hashSecrets({ settings: { proxyPassword: 'hunter2' } }, LABELLED);
    expect(JSON.stringify(hashes)).not.toContain('hunter2');
    expect(hashes['settings.proxyPassword']).toMatch(/^scrypt:[0-9a-f]{32}:[0-9a-f]{64}$/);
    // Salted: the same secret hashes differently in two runs.
    expect(hashSecrets({ settings: { proxyPassword: 'hunter2' } }, LABELLED)['settings.proxyPassword']).not.toBe(hashes['settings.proxyPassword']);
    expect(changedSecrets({ settings: { proxyPassword: 'hunter2' } }, LABELLED, hashes)).toEqual([]);
    expect(changedSecrets({ settings: { proxyPassword: 'hunter3' } }, LABELLED, hashes)).toEqual(['proxy password']);
    expect(changedSecrets({ settings: {} }, LABELLED, hashes)).toEqual(['proxy password']);
  });

  it('names exactly the secrets a stored input needs, and takes them back by key', () => {
    const stored = withoutSecrets({ settings: { proxyPassword: 'hunter2', proxy: 'http://10.0.0.33:3128' } }, FIELDS);
    expect(missingSecrets(stored, FIELDS).map((f) => f.path.join('.'))).toEqual(['settings.proxyPassword']);
    const given = secretsByKey(FIELDS, { 'settings.proxyPassword': 'hunter2', unrelated: 'x' });
    expect(given).toEqual({ settings: { proxyPassword: 'hunter2' } });
    expect(withSecrets(stored, FIELDS, given, 'Proxy settings').settings.proxyPassword).toBe('hunter2');
  });
});
