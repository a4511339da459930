/** certbot's prompts and results as 1.x and 2.x print them (admin-commands.md §3), over a PTY (\r\n). */
import { describe, expect, it } from 'vitest';
import { certbotFailure, isLastDnsPrompt, parseTxtRecords, savedPaths, unexpectedQuestion } from '../../shared/certs/certbot-output';

const V2 = [
  'Saving debug log to /var/log/letsencrypt/letsencrypt.log',
  'Requesting a certificate for ci.example.test',
  '',
  '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -',
  'Please deploy a DNS TXT record under the name:',
  '',
  '_acme-challenge.ci.example.test.',
  '',
  'with the following value:',
  '',
  'gfj9Xq-ovPlmCk8ZvT1Ufj3xrSqi6b1bLUvqzGjGk0Q',
  '',
  'Before continuing, verify the TXT record has been deployed. Depending on the DNS',
  'provider, this may take some time, from a few seconds to multiple minutes.',
  '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -',
  'Press Enter to Continue',
].join('\r\n');

const V1_14 = [
  'Please deploy a DNS TXT record under the name',
  '_acme-challenge.ci.example.com with the following value:',
  '',
  'Xb7_kP2x0q8vS0pGkfQy2s3d4f5g6h7j8k9l0zXcVbN',
  '',
  'Before continuing, verify the record is deployed.',
  '-------------------------------------------------------------------------------',
  'Press Enter to Continue',
].join('\n');

const V1_15_FIRST = [
  'Please deploy a DNS TXT record under the name:',
  '',
  '_acme-challenge.ci.example.com.',
  '',
  'with the following value:',
  '',
  'AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK',
  '',
  'Press Enter to Continue',
].join('\r\n');

describe('TXT records from certbot prompts', () => {
  it('reads certbot 2.x (blank lines, trailing dot)', () => {
    expect(parseTxtRecords(V2)).toEqual([{ name: '_acme-challenge.ci.example.test', value: 'gfj9Xq-ovPlmCk8ZvT1Ufj3xrSqi6b1bLUvqzGjGk0Q' }]);
    expect(isLastDnsPrompt(V2)).toBe(true);
  });

  it('reads certbot ≤ 1.14 (name and "with the following value" on one line)', () => {
    expect(parseTxtRecords(V1_14)).toEqual([{ name: '_acme-challenge.ci.example.com', value: 'Xb7_kP2x0q8vS0pGkfQy2s3d4f5g6h7j8k9l0zXcVbN' }]);
  });

  it('reads several prompts and tells an intermediate one from the last', () => {
    expect(isLastDnsPrompt(V1_15_FIRST)).toBe(false);
    expect(parseTxtRecords(V1_15_FIRST + '\r\n' + V2).map((r) => r.name)).toEqual(['_acme-challenge.ci.example.com', '_acme-challenge.ci.example.test']);
  });

  it('ignores terminal escapes', () => {
    expect(parseTxtRecords(V2.replace('with the following', '\x1b[1mwith the following\x1b[0m'))).toHaveLength(1);
  });
});

describe('other certbot output', () => {
  it('finds where 2.x and 1.x saved the files', () => {
    expect(savedPaths('Successfully received certificate.\r\nCertificate is saved at: /etc/letsencrypt/live/ci.example.test/fullchain.pem\r\nKey is saved at:         /etc/letsencrypt/live/ci.example.test/privkey.pem\r\n')).toEqual({
      fullchain: '/etc/letsencrypt/live/ci.example.test/fullchain.pem',
      privkey: '/etc/letsencrypt/live/ci.example.test/privkey.pem',
    });
    expect(savedPaths(' - Congratulations! Your certificate and chain have been saved at:\n   /etc/letsencrypt/live/a/fullchain.pem\n   Your key file has been saved at:\n   /etc/letsencrypt/live/a/privkey.pem\n')).toEqual({
      fullchain: '/etc/letsencrypt/live/a/fullchain.pem',
      privkey: '/etc/letsencrypt/live/a/privkey.pem',
    });
  });

  it("keeps the CA's problem report and drops the help footer", () => {
    const out = [
      'Press Enter to Continue',
      '',
      'Certbot failed to authenticate some domains (authenticator: manual). The Certificate Authority reported these problems:',
      '  Domain: ci.example.test',
      '  Type:   unauthorized',
      '  Detail: Incorrect TXT record "wrong" found at _acme-challenge.ci.example.test',
      '',
      'Hint: The Certificate Authority failed to verify the manually created DNS TXT records.',
      '',
      'Some challenges have failed.',
      'Ask for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.',
    ].join('\r\n');
    const msg = certbotFailure(out);
    expect(msg).toMatch(/^Certbot failed to authenticate/);
    expect(msg).toContain('Detail: Incorrect TXT record "wrong"');
    expect(msg).not.toContain('community.letsencrypt.org');
  });

  it('flags questions Drydock will not answer, not the ones it does', () => {
    expect(unexpectedQuestion('What would you like to do?\n1: Keep\n2: Renew\nSelect the appropriate number [1-2] then [enter] (press \'c\' to cancel): ')).toMatch(/Select the appropriate number/);
    expect(unexpectedQuestion('Are you OK with your IP being logged? NOTE: ... will be publicly logged\n(Y)es/(N)o: ')).toBeNull();
    expect(unexpectedQuestion('Requesting a certificate for ci.example.test')).toBeNull();
  });
});
