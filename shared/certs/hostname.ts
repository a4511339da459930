/**
 * Hostname rules for certificates. The guide's one hard rule: the
 * certificate's Common Name must be the hostname configured in CircleCI, so
 * comparisons ignore case and a trailing dot and nothing else (no wildcard
 * leniency: the console compares the CN as text).
 */
export function normalizeHostname(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

export function sameHostname(a: string, b: string): boolean {
  return normalizeHostname(a) === normalizeHostname(b);
}

/** The refusal every path gives, so the CLI and the wizard say the same thing. */
export function cnMismatchMessage(commonName: string, configured: string, where: string): string {
  return `The certificate's Common Name ${commonName} is not the hostname configured in CircleCI (${configured}, ${where}). CircleCI requires them to match: use --host ${configured} (or change the hostname in the admin console first).`;
}
