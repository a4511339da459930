/**
 * The console window's certificate decision (Electron's setCertificateVerifyProc
 * calls it): only the tunnel's origin, only the pinned SHA-256, in whatever
 * form the fingerprint arrives.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consoleCertificateVerdict, formatFingerprint, isTunnelledUrl, normalizeHex, sameFingerprint } from '../../shared/console/pin';

const der = Buffer.from('pretend DER certificate');
const hex = createHash('sha256').update(der).digest('hex');
const electronForm = 'sha256/' + createHash('sha256').update(der).digest('base64');
const pins = [{ host: '127.0.0.1', port: 41800, sha256: formatFingerprint(hex) }];

describe('console certificate pinning', () => {
  it('reads hex, colon hex and Electron\'s sha256/BASE64 as the same fingerprint', () => {
    expect(normalizeHex(electronForm)).toBe(hex);
    expect(normalizeHex(formatFingerprint(hex))).toBe(hex);
    expect(formatFingerprint(hex)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(sameFingerprint(electronForm, hex.toUpperCase())).toBe(true);
    expect(normalizeHex('sha256/not base64!')).toBeUndefined();
    expect(sameFingerprint('', '')).toBe(false);
  });

  it('accepts the pinned certificate on the tunnel origin only', () => {
    expect(consoleCertificateVerdict({ hostname: '127.0.0.1', port: 41800, fingerprint: electronForm }, pins)).toBe(0);
    expect(consoleCertificateVerdict({ hostname: '127.0.0.1', fingerprint: electronForm }, pins)).toBe(0);
    const other = 'sha256/' + createHash('sha256').update('another certificate').digest('base64');
    expect(consoleCertificateVerdict({ hostname: '127.0.0.1', port: 41800, fingerprint: other }, pins)).toBe(-2);
    expect(consoleCertificateVerdict({ hostname: 'evil.example', port: 41800, fingerprint: electronForm }, pins)).toBe(-2);
    expect(consoleCertificateVerdict({ hostname: '127.0.0.1', port: 41801, fingerprint: electronForm }, pins)).toBe(-2);
    expect(consoleCertificateVerdict({ hostname: '127.0.0.1', port: 41800, fingerprint: electronForm }, [])).toBe(-2);
  });

  it('keeps navigation on the tunnelled https origin', () => {
    expect(isTunnelledUrl('https://127.0.0.1:41800/settings#cloudwatch_metrics', pins)).toBe(true);
    expect(isTunnelledUrl('http://127.0.0.1:41800/settings', pins)).toBe(false);
    expect(isTunnelledUrl('https://127.0.0.1:41801/', pins)).toBe(false);
    expect(isTunnelledUrl('https://127.0.0.1.evil.example:41800/', pins)).toBe(false);
    expect(isTunnelledUrl('https://127.0.0.1:41800@evil.example/', pins)).toBe(false);
    expect(isTunnelledUrl('javascript:alert(1)', pins)).toBe(false);
  });
});
