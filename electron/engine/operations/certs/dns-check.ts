/**
 * "Has the TXT record propagated yet?", asked from the Services machine (the
 * ACME CA asks the public DNS, but the Services machine's resolver is the
 * best view Drydock has inside an air gap). Uses dig; getent cannot look up
 * TXT records, so without dig the answer is "could not check".
 */
import type { TxtRecord } from '../../../../shared/certs/certbot-output';
import type { HostSession } from '../../ssh/session';
import { sh } from '../../ssh/quote';

export interface DnsCheck {
  checked: boolean;
  note?: string;
  records: (TxtRecord & { found: boolean; seen: string[] })[];
}

/** dig +short TXT prints each record quoted, long ones split into several quoted strings. */
export function parseDigTxt(out: string): string[] {
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('"'))
    .map((line) => [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join(''));
}

/** resolver: `IP` or `IP#PORT` (dig's own notation). */
export async function checkTxtRecords(session: HostSession, records: TxtRecord[], resolver?: string, signal?: AbortSignal): Promise<DnsCheck> {
  const hasDig = await session.run('command -v dig', { signal });
  if (hasDig.code !== 0) {
    return { checked: false, note: `dig is not installed on ${session.host.name} (package dnsutils or bind-utils); check the records from another machine.`, records: records.map((r) => ({ ...r, found: false, seen: [] })) };
  }
  const [server, port] = (resolver ?? '').split('#');
  const out: DnsCheck['records'] = [];
  for (const record of records) {
    const at = server ? sh` @${server} -p ${port ?? '53'}` : '';
    const result = await session.run(sh`dig +short +time=3 +tries=1 TXT ${record.name}` + at, { signal, timeoutMs: 30_000 });
    const seen = parseDigTxt(result.stdout);
    out.push({ ...record, found: seen.includes(record.value), seen });
  }
  return { checked: true, records: out };
}
