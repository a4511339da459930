/**
 * Redaction for the support bundle: the audit log's rules (private keys,
 * credentials in URLs, password=… pairs) plus what logs and config files
 * hold besides: *_TOKEN / *_SECRET variables, well-known token shapes, the
 * license. Each rule counts its hits so the manifest can say what was
 * redacted in which file.
 */
import { LITERAL_SECRET, REDACTION_RULES, type RedactionRule } from '../../audit/redact';

const BUNDLE_RULES: readonly RedactionRule[] = [
  ...REDACTION_RULES,
  {
    what: 'secret variable (…_TOKEN, …_SECRET, …_PASSWORD, …_KEY)',
    pattern: /\b([A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|SECRET_KEY)[A-Z0-9_]*)(["']?\s*[=:]\s*["']?)(?!\*\*\*)[^\s"',}]+/gi,
    replacement: '$1$2***',
  },
  { what: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, replacement: '[GitHub token redacted]' },
  { what: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: '[AWS key id redacted]' },
  { what: 'bearer token', pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, replacement: '$1 ***' },
  {
    what: 'license contents',
    pattern: /\b(license(?!FileLocation|BootstrapAirgapPackagePath)[A-Za-z_]*)(["']?\s*[=:]\s*["']?)[^\s"',}]+/gi,
    replacement: '$1$2***',
  },
];

export interface Redaction {
  what: string;
  count: number;
}

/** A whole file that is a license (Replicated `.rli`): nothing of it goes in. */
export function isLicenseFile(path: string): boolean {
  return /\.rli$/i.test(path);
}

export function redactForBundle(text: string, secrets: readonly string[] = []): { text: string; redactions: Redaction[] } {
  const counts = new Map<string, number>();
  const bump = (what: string, n: number) => n && counts.set(what, (counts.get(what) ?? 0) + n);
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3 && out.includes(s)) {
      bump(LITERAL_SECRET, out.split(s).length - 1);
      out = out.split(s).join('***');
    }
  }
  for (const rule of BUNDLE_RULES) {
    let n = 0;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      n++;
      const groups = args.slice(1, -2) as (string | undefined)[];
      return rule.replacement.replace(/\$(\d)/g, (_, i: string) => groups[Number(i) - 1] ?? '');
    });
    bump(rule.what, n);
  }
  return { text: out, redactions: [...counts].map(([what, count]) => ({ what, count })) };
}
