/** Issue 7 item 15: redaction removes values, never the words of a sentence. */
import { describe, expect, it } from 'vitest';
import { redact } from '../../electron/engine/audit/redact';

describe('redact', () => {
  it('leaves prose after "password:" alone', () => {
    const sentence = 'sudo: the host refused the password: check the sudo password for admin';
    expect(redact(sentence)).toBe(sentence);
    expect(redact('Sorry, try again.\n[sudo] password for admin: ')).toBe('Sorry, try again.\n[sudo] password for admin: ');
  });

  it('still redacts values in every form a secret takes', () => {
    expect(redact('DaemonAuthenticationPassword=s3cret; echo ok')).toBe('DaemonAuthenticationPassword=***; echo ok');
    expect(redact('export HTTP_PROXY_PASSWORD = "hunter2"')).toBe('export HTTP_PROXY_PASSWORD = "***"');
    expect(redact('{"password": "hunter2", "user": "bob"}')).toBe('{"password": "***", "user": "bob"}');
    expect(redact("{'token':'abc123'}")).toBe("{'token':'***'}");
    expect(redact('user: bob\n  password: hunter2\nport: 3128')).toBe('user: bob\n  password: ***\nport: 3128');
    expect(redact('Password: hunter2')).toBe('Password: ***');
    expect(redact('tool --passphrase hunter2 --out x')).toBe('tool --passphrase *** --out x');
    expect(redact('curl -x http://bob:hunter2@10.0.0.33:3128 https://ghe')).toBe('curl -x http://bob:***@10.0.0.33:3128 https://ghe');
    expect(redact('refused the password: hunter2 was wrong', ['hunter2'])).toBe('refused the password: *** was wrong');
  });
});
