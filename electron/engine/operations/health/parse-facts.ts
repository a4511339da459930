/** Parsers for what standard Linux tools print; pure, so unit tests pin them. */
import type { Disk } from '../../../../shared/facts';

export function parseOsRelease(text: string): { id: string; name: string; version: string } {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields[m[1]] = m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return { id: fields.ID ?? 'unknown', name: fields.NAME ?? fields.PRETTY_NAME ?? 'unknown', version: fields.VERSION_ID ?? fields.VERSION ?? '' };
}

export function parseMemTotal(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : 0;
}

const PSEUDO_FS = new Set(['tmpfs', 'devtmpfs', 'proc', 'sysfs', 'squashfs', 'devpts', 'cgroup', 'cgroup2', 'nsfs', 'efivarfs', 'ramfs']);

/** `df -PkT`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on. */
export function parseDf(text: string): Disk[] {
  const disks: Disk[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 7) continue;
    const [, type, blocks, , available] = cols;
    const mount = cols.slice(6).join(' ');
    if (PSEUDO_FS.has(type) || !/^\d+$/.test(blocks)) continue;
    disks.push({ mount, filesystem: type, sizeBytes: Number(blocks) * 1024, freeBytes: Number(available) * 1024 });
  }
  return disks;
}

/** First version-looking token of a tool's `--version` line, or null when absent. */
export function parseToolVersion(text: string): string | null {
  const line = text.trim().split('\n')[0] ?? '';
  if (!line) return null;
  const m = /v?(\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?)/.exec(line);
  return m ? m[1] : line.slice(0, 60);
}

/** What `docker version --format '{{.Server.Version}}'` printed: a version, or null for anything else. */
export function parseDaemonVersion(text: string): string | null {
  const v = text.trim();
  return /^\d+\.\d+[\w.+~-]*$/.test(v) ? v : null;
}

/** Split a script's output at our own `---drydock---` separators. */
export function sections(text: string, count: number): string[] {
  const parts = text.split(/^---drydock---$/m).map((p) => p.replace(/^\n/, ''));
  while (parts.length < count) parts.push('');
  return parts;
}
