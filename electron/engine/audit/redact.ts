/**
 * What must never reach the audit log: passwords in proxy URLs, key=value
 * secrets, PEM private keys, and any literal the caller says is secret.
 *
 * Only values are redacted, never prose: "refused the password: check the
 * sudo password" is a sentence, and eating "check" hides what happened
 * without protecting anything. A value is what follows a secret-named key in
 * `key=value`, a quoted key (`"password": "x"`), a `key: value` line
 * (YAML, headers, prompts answered on their own line) or a `--password x`
 * flag. Secrets the caller knows are removed as literals wherever they are.
 * The rules are named so the support bundle can list what it redacted where.
 */
export interface RedactionRule {
  what: string;
  pattern: RegExp;
  replacement: string;
}

const KEY = '[A-Za-z0-9_]*(?:password|passwd|passphrase|secret|token)';
const VALUE = `[^\\s"',}&;]+`;
const SECRET = 'password, secret or token';

export const REDACTION_RULES: readonly RedactionRule[] = [
  { what: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, replacement: '[private key redacted]' },
  { what: 'credentials in a URL (proxy)', pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):[^\s@/'"]+@/gi, replacement: '$1:***@' },
  // key=value, key = value, key="value"
  { what: SECRET, pattern: new RegExp(`\\b(${KEY})(\\s*=\\s*["']?)${VALUE}`, 'gi'), replacement: '$1$2***' },
  // "key": "value" and 'key': value (JSON, YAML flow)
  { what: SECRET, pattern: new RegExp(`(["'])(${KEY})\\1(\\s*:\\s*["']?)${VALUE}`, 'gi'), replacement: '$1$2$1$3***' },
  // key: value at the start of a line (YAML, headers)
  { what: SECRET, pattern: new RegExp(`^(\\s*-?\\s*)(${KEY})(\\s*:[ \\t]*["']?)${VALUE}`, 'gim'), replacement: '$1$2$3***' },
  // --password value
  { what: SECRET, pattern: new RegExp(`(--${KEY})(\\s+)(?!-)${VALUE}`, 'gi'), replacement: '$1$2***' },
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
