/** The support bundle's redaction: what goes, what stays, and the count per rule. */
import { describe, expect, it } from 'vitest';
import { isLicenseFile, redactForBundle } from '../../electron/engine/operations/support/redact-bundle';
import { redact } from '../../electron/engine/audit/redact';

describe('redactForBundle', () => {
  it('removes passwords, tokens, proxy credentials, private keys and license contents, and counts them', () => {
    const input = [
      '{"DaemonAuthenticationPassword": "pw-1", "LicenseFileLocation": "/etc/license.rli", "license_key": "LIC-123-XYZ"}',
      'HTTPS_PROXY=http://me:pw-2@proxy:3128',
      'AWS_SECRET_ACCESS_KEY=abcd1234 AKIAABCDEFGHIJKLMNOP',
      'Authorization: Bearer abc.def.ghi1234',
      'token: gho_abcdefghijklmnopqrstuvwxyz',
      'known secret: sudo-pw-xyz',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
    ].join('\n');
    const { text, redactions } = redactForBundle(input, ['sudo-pw-xyz']);
    for (const s of ['pw-1', 'pw-2', 'abcd1234', 'AKIAABCDEFGHIJKLMNOP', 'abc.def.ghi1234', 'gho_abc', 'sudo-pw-xyz', 'MIIEow', 'LIC-123-XYZ']) expect(text).not.toContain(s);
    expect(text).toContain('"LicenseFileLocation": "/etc/license.rli"');
    expect(text).toContain('http://me:***@proxy:3128');
    const what = Object.fromEntries(redactions.map((r) => [r.what, r.count]));
    expect(what).toMatchObject({ 'private key': 1, 'credentials in a URL (proxy)': 1, 'license contents': 1, 'AWS access key id': 1, 'bearer token': 1, 'secret known to Drydock': 1 });
  });

  it('a license file is never read into the bundle; the audit log redaction is unchanged', () => {
    expect(isLicenseFile('/var/lib/replicated/license.RLI')).toBe(true);
    expect(redact('password=abc http://u:p@h/ x')).toBe('password=*** http://u:***@h/ x');
  });
});
