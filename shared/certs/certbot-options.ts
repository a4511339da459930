/**
 * Options of `drydock cert certbot` (and the certbot wizard) that are checked
 * before certbot starts on the Services machine: a typo found after the TXT
 * records were shown would cost the admin a DNS round and leave a cancelled
 * certbot behind. Pure: the CLI, the contract and the wizard share it.
 */
import { z } from 'zod';
import { isIpAddress } from '../hosts';

/** The WHATWG URL parser is a strict IPv6 parser available everywhere (no Node built-ins here). */
function isIpv6(value: string): boolean {
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

/** `IP` or `IP#PORT`, dig's own notation for `@server -p port`. */
export function isDnsResolver(value: string): boolean {
  const m = /^(.+?)(?:#(\d{1,5}))?$/.exec(value);
  if (!m || !isIpAddress(m[1]) || (m[1].includes(':') && !isIpv6(m[1]))) return false;
  return m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535);
}

export const DnsResolver = z.string().trim().refine(isDnsResolver, 'an IP address, optionally with #PORT (10.0.0.2 or 10.0.0.2#5353)');

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** The internal ACME CA's TLS chain: certificates only, and at least one. */
export function caBundleProblem(pem: string): string | null {
  if (/PRIVATE KEY-----/.test(pem)) return 'holds a private key: give only the CA certificate(s)';
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (!blocks.length) return 'no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)';
  if (pem.replace(CERT_BLOCK, '').trim().split('\n').some((line) => line.trim() && !/^#/.test(line.trim()))) {
    return 'has text outside its certificates';
  }
  return null;
}

export const CaBundle = z.string().superRefine((pem, ctx) => {
  const problem = caBundleProblem(pem);
  if (problem) ctx.addIssue({ code: 'custom', message: `the CA bundle ${problem}` });
});
