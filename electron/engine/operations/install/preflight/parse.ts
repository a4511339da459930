/** Reading the host script's output (script.ts) back into measurements; pure, so unit tests pin it. */
import type { DiskMeasure, HostMeasure, Listener, Probe, ProbeOutcome } from '../../../../../shared/install/measure';
import type { Proto } from '../../../../../shared/install/ports';
import { parseOsRelease } from '../../health/parse-facts';

export function sectionsByName(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^---drydock:([a-z]+)---$/gm;
  const marks = [...text.matchAll(re)];
  marks.forEach((m, i) => {
    const start = m.index! + m[0].length + 1;
    const end = i + 1 < marks.length ? marks[i + 1].index! : text.length;
    out.set(m[1], text.slice(start, end));
  });
  return out;
}

export function parseDiskLines(text: string): DiskMeasure[] {
  const disks: DiskMeasure[] = [];
  for (const line of text.split('\n')) {
    const [path, rest] = line.split('\t');
    if (!rest) continue;
    // df -P: Filesystem 1024-blocks Used Available Capacity Mounted-on
    const cols = rest.trim().split(/\s+/);
    if (cols.length < 6 || !/^\d+$/.test(cols[1])) continue;
    disks.push({ path, mount: cols.slice(5).join(' '), sizeBytes: Number(cols[1]) * 1024, freeBytes: Number(cols[3]) * 1024 });
  }
  return disks;
}

/** /proc/net/{tcp,udp}[6] addresses: hex, each 32-bit word in host (little-endian) order. */
export function decodeProcAddress(hex: string): string {
  const word = (w: string) => w.match(/../g)!.reverse().join('');
  if (hex.length === 8) return word(hex).match(/../g)!.map((b) => parseInt(b, 16)).join('.');
  const full = hex.match(/.{8}/g)!.map(word).join('').toLowerCase();
  if (/^0{32}$/.test(full)) return '::';
  if (full === '0'.repeat(31) + '1') return '::1';
  if (full.startsWith('00000000000000000000ffff')) return full.slice(24).match(/../g)!.map((b) => parseInt(b, 16)).join('.');
  return full.match(/.{4}/g)!.join(':');
}

/** Listening TCP sockets (state 0A) and bound UDP sockets (state 07) from /proc/net. */
export function parseProcNet(text: string, proto: Proto): Listener[] {
  const wanted = proto === 'tcp' ? '0A' : '07';
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !/^\d+:$/.test(cols[0]) || cols[3] !== wanted) continue;
    const [addr, port] = cols[1].split(':');
    out.push({ proto, address: decodeProcAddress(addr), port: parseInt(port, 16) });
  }
  return out;
}

/** `ss -Hltnup`: which program holds which port (names only when allowed to see them). */
export function parseSsNames(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const m = /users:\(\("([^"]+)"/.exec(line);
    if (cols.length < 5 || !m) continue;
    const port = /:(\d+)$/.exec(cols[4])?.[1];
    if (port) names.set(`${cols[0]}/${port}`, m[1]);
  }
  return names;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * This host's listeners: bound to one of its own addresses or to all of
 * them. Loopback-only listeners count on a real host (they still hold the
 * port against a wildcard bind) but not when the host itself lives on a
 * loopback address (the test lab, where the machine's network is shared).
 */
export function ownListeners(all: Listener[], own: string[], names: Map<string, string>): Listener[] {
  const onLoopback = own.some((a) => a.startsWith('127.'));
  const mine = new Set([...own, ...WILDCARDS, ...(onLoopback ? [] : ['127.0.0.1', '::1'])]);
  const seen = new Set<string>();
  const out: Listener[] = [];
  for (const l of all) {
    const key = `${l.proto}/${l.address}/${l.port}`;
    if (!mine.has(l.address) || seen.has(key)) continue;
    seen.add(key);
    const process = names.get(`${l.proto}/${l.port}`);
    out.push(process ? { ...l, process } : l);
  }
  return out;
}

export function probeOutcome(rc: number, said: string): ProbeOutcome {
  if (rc === 0) return 'open';
  if (rc === 124) return 'timeout';
  if (/refused/i.test(said)) return 'refused';
  if (/no route|unreachable/i.test(said)) return 'unreachable';
  if (/not known|resolution|resolve|no address/i.test(said)) return 'unresolved';
  if (/timed out/i.test(said)) return 'timeout';
  return 'error';
}

export function parseProbes(text: string, targets: { target: string; address: string; proto: Proto; port: number }[]): Probe[] {
  const byId = new Map<string, { rc: number; said: string }>();
  for (const line of text.split('\n')) {
    const m = /^PROBE (\S+) (\d+) ?(.*)$/.exec(line);
    if (m) byId.set(m[1], { rc: Number(m[2]), said: m[3].trim() });
  }
  return targets.map((t) => {
    const r = byId.get(`${t.target}/${t.proto}/${t.port}`);
    // No line when `timeout` ended the batch: no answer in time.
    if (!r) return { ...t, outcome: 'timeout' as const, detail: 'no answer' };
    return { ...t, outcome: probeOutcome(r.rc, r.said), detail: r.said.replace(/^.*: /, '').slice(0, 200) };
  });
}

export function parseProxy(text: string, expected: boolean): NonNullable<HostMeasure['proxy']> {
  const found: string[] = [];
  const missing: string[] = [];
  const unreadable: string[] = [];
  for (const line of text.split('\n')) {
    const [state, file] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (state === 'set') found.push(file);
    else if (state === 'unset' || state === 'absent') missing.push(file);
    else if (state === 'unreadable') unreadable.push(file);
  }
  return { expected, found, missing, unreadable };
}

export function parseOs(text: string): NonNullable<HostMeasure['os']> {
  const os = parseOsRelease(text);
  const kernel = /^DRYDOCK_KERNEL=(.*)$/m.exec(text)?.[1] ?? '';
  return { ...os, kernel };
}

export function parseMemTotalBytes(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
