/**
 * What certbot prints in its manual DNS-01 mode, read by rules the renderer
 * and the engine share. certbot 1.x and 2.x word the TXT prompt differently
 * (admin-commands.md §3); one regex covers both, and the PTY's \r\n and any
 * terminal escapes are removed first so they cannot split a match.
 */

export interface TxtRecord {
  /** `_acme-challenge.ci.example.com`, without the trailing dot certbot adds. */
  name: string;
  value: string;
}

/** certbot 1.x and 2.x alike: name and value, whatever blank lines sit between. */
const TXT_PROMPT = /under the name:?\s+(\S+?)\.?\s+with the following value:\s+(\S+)/g;
/** Shown after each challenge; certbot then waits for Enter. */
export const PRESS_ENTER = /Press Enter to Continue/i;
/** certbot ≥ 1.2x adds this to the last DNS challenge only: nothing more will be asked after it. */
const LAST_DNS_MARKER = /Before continuing, verify the TXT record has been deployed/i;
/** certbot < 1.10 asked this before showing the record. */
export const IP_LOGGING_QUESTION = /publicly logged[\s\S]*\(Y\)es\/\(N\)o:\s*$/i;
/** Questions Drydock never answers for the admin: certbot would wait forever, so stop and say so. */
const UNEXPECTED_QUESTION = /(Select the appropriate number|\(A\)gree\/\(C\)ancel|\(Y\)es\/\(N\)o|Enter email address|\(Enter 'c' to cancel\))[^\n]*$/i;

export function cleanTerminalText(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
}

export function parseTxtRecords(output: string): TxtRecord[] {
  const text = cleanTerminalText(output);
  const records: TxtRecord[] = [];
  for (const m of text.matchAll(TXT_PROMPT)) records.push({ name: m[1].replace(/\.$/, ''), value: m[2] });
  return records;
}

export function isLastDnsPrompt(segment: string): boolean {
  return LAST_DNS_MARKER.test(cleanTerminalText(segment));
}

/** The trailing question certbot is waiting on, when it is one Drydock will not answer. */
export function unexpectedQuestion(tail: string): string | null {
  const text = cleanTerminalText(tail).trimEnd();
  if (IP_LOGGING_QUESTION.test(text)) return null;
  const m = UNEXPECTED_QUESTION.exec(text);
  if (!m) return null;
  return text.split('\n').slice(-6).join('\n').trim();
}

/** Where certbot says it saved the files (2.x, then 1.x wording). */
export function savedPaths(output: string): { fullchain: string; privkey: string } | null {
  const text = cleanTerminalText(output);
  const cert = /Certificate is saved at:\s+(\S+)/.exec(text) ?? /certificate and chain have been saved at:\s+(\S+)/i.exec(text);
  const key = /Key is saved at:\s+(\S+)/.exec(text) ?? /key file has been saved at:\s+(\S+)/i.exec(text);
  return cert && key ? { fullchain: cert[1], privkey: key[1] } : null;
}

/**
 * certbot's own explanation of a failure, trimmed to what the admin needs:
 * the CA's problem report (domain, type, detail) or the error line, without
 * the generic "ask for help" footer.
 */
export function certbotFailure(output: string): string {
  const lines = cleanTerminalText(output)
    .split('\n')
    .map((l) => l.trimEnd());
  const start = lines.findIndex((l) => /Certbot failed to authenticate|The Certificate Authority reported|An unexpected error occurred|^Error:|Challenge failed/i.test(l));
  const picked = (start === -1 ? lines.slice(-12) : lines.slice(start))
    .filter((l) => l.trim() && !/Ask for help|community\.letsencrypt|Saving debug log|^Press Enter/i.test(l))
    .slice(0, 12);
  return picked.join('\n').trim() || 'certbot exited without saying why';
}
