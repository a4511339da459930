/**
 * What must never reach the audit log: passwords in proxy URLs, key=value
 * secrets, PEM private keys, and any literal the caller says is secret.
 */
const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private key redacted]'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):[^\s@/'"]+@/gi, '$1:***@'],
  [/\b(password|passwd|passphrase|secret|token|DaemonAuthenticationPassword)(["']?\s*[=:]\s*["']?)[^\s"',}]+/gi, '$1$2***'],
];

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
