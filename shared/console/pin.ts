/**
 * Certificate pinning for the management console, as pure logic shared by the
 * engine (which fetches and compares) and the Electron main process (whose
 * console window accepts a certificate only when it is the pinned one).
 * No Node built-ins here: hashing happens where the bytes are, callers pass
 * the SHA-256 in whichever form they have (hex, colon hex, or Electron's
 * "sha256/BASE64").
 */

/** Uppercase colon-separated hex, the form browsers show in their certificate viewers. */
export function formatFingerprint(hex: string): string {
  return (normalizeHex(hex) ?? '').toUpperCase().match(/../g)?.join(':') ?? '';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64ToHex(b64: string): string | undefined {
  const clean = b64.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean)) return undefined;
  let bits = 0;
  let value = 0;
  let hex = '';
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((value >> bits) & 0xff).toString(16).padStart(2, '0');
    }
  }
  return hex;
}

/** Lowercase plain hex of a SHA-256 given as hex, colon hex or "sha256/BASE64"; undefined when it is none of these. */
export function normalizeHex(fingerprint: string): string | undefined {
  const f = fingerprint.trim();
  const hex = f.toLowerCase().startsWith('sha256/') ? base64ToHex(f.slice(7)) : f.replace(/[:\s]/g, '').toLowerCase();
  return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

export function sameFingerprint(a: string, b: string): boolean {
  const x = normalizeHex(a);
  const y = normalizeHex(b);
  return !!x && x === y;
}

export interface PinnedOrigin {
  /** Where the console window may go: the tunnel's loopback end. */
  host: string;
  port: number;
  /** SHA-256 of the certificate the Services machine presents to itself on 8800. */
  sha256: string;
}

/**
 * Chromium's verdict for a certificate the console window was shown
 * (Electron's setCertificateVerifyProc: 0 accept, -2 reject). Only the tunnel's
 * own origin, only the pinned certificate: anything else is rejected, never
 * "ignored".
 */
export function consoleCertificateVerdict(request: { hostname: string; port?: number; fingerprint: string }, pins: PinnedOrigin[]): 0 | -2 {
  const pin = pins.find((p) => p.host === request.hostname && (request.port === undefined || p.port === request.port));
  return pin && sameFingerprint(pin.sha256, request.fingerprint) ? 0 : -2;
}

/** May the console window navigate to this URL? Only to a tunnelled origin over https. */
export function isTunnelledUrl(url: string, pins: PinnedOrigin[]): boolean {
  const m = /^https:\/\/([^/:?#]+)(?::(\d+))?(?:[/?#]|$)/i.exec(url);
  if (!m) return false;
  const port = m[2] ? Number(m[2]) : 443;
  return pins.some((p) => p.host === m[1].toLowerCase() && p.port === port);
}
