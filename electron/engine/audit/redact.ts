/**
 * What must never reach the audit log: passwords in proxy URLs, key=value
 * secrets, PEM private keys, and any literal the caller says is secret.
 * The rules are named so the support bundle can list what it redacted where.
 */
export interface RedactionRule {
  what: string;
  pattern: RegExp;
  replacement: string;
}

export const REDACTION_RULES: readonly RedactionRule[] = [
  { what: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, replacement: '[private key redacted]' },
  { what: 'credentials in a URL (proxy)', pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):[^\s@/'"]+@/gi, replacement: '$1:***@' },
  { what: 'password, secret or token', pattern: /\b(password|passwd|passphrase|secret|token|DaemonAuthenticationPassword)(["']?\s*[=:]\s*["']?)[^\s"',}]+/gi, replacement: '$1$2***' },
];

export const LITERAL_SECRET = 'secret known to Drydock';

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  for (const rule of REDACTION_RULES) out = out.replace(rule.pattern, rule.replacement);
  return out;
}
