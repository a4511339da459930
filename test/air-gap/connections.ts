/**
 * Reads what test/air-gap/record-connections.cjs wrote and names every
 * destination Drydock had no business reaching on an air-gapped laptop:
 * anything that is neither loopback nor a host of the admin's inventory, and
 * any DNS question about a name that is not in the inventory.
 *
 * Any Node process of Drydock can be checked: spawn it with
 * `{ ...process.env, ...recorderEnv(log) }` and assert `violations(readConnections(log))`
 * is empty (e.g. the backup CLI with a profile whose endpoint is the EC2
 * simulator: the only TCP records are that endpoint, never 169.254.169.254
 * or an amazonaws.com name).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

export const RECORDER = path.join(__dirname, 'record-connections.cjs');

export interface ConnectionRecord {
  pid: number;
  main: string;
  kind: 'tcp' | 'udp' | 'unix' | 'dns';
  host?: string;
  port?: number;
  path?: string;
  call?: string;
  name?: string;
  inInventory: boolean;
}

/** Environment that switches the recorder on in a Node child process (and its Node children). */
export function recorderEnv(logFile: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const options = [env.NODE_OPTIONS, `--require="${RECORDER}"`].filter(Boolean).join(' ');
  return { NODE_OPTIONS: options, DRYDOCK_RECORD_CONNECTIONS: logFile };
}

export function readConnections(logFile: string): ConnectionRecord[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as ConnectionRecord);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped), and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** One line per destination that would have left the machine (empty: the air gap held). */
export function violations(records: ConnectionRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) {
    const who = `pid ${r.pid} (${path.basename(r.main) || 'node'})`;
    if ((r.kind === 'tcp' || r.kind === 'udp') && !isLoopback(r.host ?? '') && !r.inInventory) out.add(`${who} connected to ${r.host}:${r.port}${r.kind === 'udp' ? ' (UDP)' : ''}`);
    // An address given to lookup() (dgram does that) is answered without asking anyone.
    const question = r.kind === 'dns' && !(r.call === 'lookup' && isIP(r.name ?? ''));
    if (question && !isLoopback(r.name ?? '') && !r.inInventory) out.add(`${who} asked DNS (${r.call}) about ${r.name}`);
  }
  return [...out];
}
