import { describe, expect, it } from 'vitest';
import { explainTlsError } from '../../shared/certs/tls-errors';

describe('TLS errors in the admin’s words', () => {
  it('says a port does not speak TLS for OpenSSL’s and Node’s record-layer errors', () => {
    const openssl = '40C7B1E5E67F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:354:';
    expect(explainTlsError(openssl, 'ghe', 443)).toBe(`port 443 on ghe does not speak TLS (something else answers there, such as plain HTTP or SSH); ${openssl}`);
    expect(explainTlsError('Client network socket disconnected before secure TLS connection was established', 'ci.example.com', 8800)).toMatch(/^port 8800 on ci\.example\.com does not speak TLS/);
  });

  it('names refused, unresolvable, unreachable, slow and untrusted endpoints', () => {
    expect(explainTlsError('connect ECONNREFUSED 10.0.0.5:443', '10.0.0.5', 443)).toMatch(/^nothing listens on port 443 of 10\.0\.0\.5/);
    expect(explainTlsError('getaddrinfo ENOTFOUND ci.example.com', 'ci.example.com', 443)).toMatch(/^ci\.example\.com does not resolve/);
    expect(explainTlsError('connect EHOSTUNREACH 10.9.9.9:443', '10.9.9.9', 443)).toMatch(/^no route to 10\.9\.9\.9/);
    expect(explainTlsError('no TLS answer within 10 s', 'elb.example.com', 443)).toMatch(/^elb\.example\.com:443 did not answer in time/);
    expect(explainTlsError('self-signed certificate in certificate chain', 'fd00::5', 443)).toMatch(/^the certificate \[fd00::5\]:443 presents is not trusted here/);
  });

  it('keeps a message it cannot explain as it is', () => {
    expect(explainTlsError('something new', 'ghe', 443)).toBe('something new');
  });
});
