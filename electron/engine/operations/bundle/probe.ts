/**
 * Before anything is sent: the folder is trusted (or created as root's 0700),
 * its free space read, and what each file already has there: a complete copy
 * (hashed, so a same-size file is never taken on trust) and a .part from an
 * interrupted push (its size only here; its bytes are hashed when the send
 * resumes, in the same pass that hashes the whole file).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { DrydockError } from '../../../../shared/errors';
import type { HostSession } from '../../ssh/session';
import { quote } from '../../ssh/quote';
import { assertFileName, dirGuard, UNTRUSTED, untrustedMessage } from './remote-dir';

export interface LocalFile {
  localPath: string;
  name: string;
  size: number;
  mtimeMs: number;
}

export interface RemoteFileState {
  /** Size of the complete copy, -1 when absent. */
  size: number;
  /** SHA-256 of the complete copy, when its size is the laptop file's. */
  sha256?: string;
  /** Bytes of an interrupted push waiting in .part. */
  partSize: number;
}

export interface HostProbe {
  host: string;
  /** Bytes free in the folder's file system. */
  available: number;
  files: Record<string, RemoteFileState>;
}

/** A laptop file the push may send: a regular file, with a name the host folder can carry. */
export function localFile(localPath: string): LocalFile {
  if (!path.isAbsolute(localPath)) throw new DrydockError('INVALID_INPUT', `${localPath}: give the file's full path on this computer`);
  let st;
  try {
    st = statSync(localPath);
  } catch {
    throw new DrydockError('NOT_FOUND', `${localPath}: no such file on this computer`);
  }
  if (!st.isFile()) throw new DrydockError('INVALID_INPUT', `${localPath} is not a regular file`);
  const name = path.basename(localPath);
  assertFileName(name);
  return { localPath, name, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
}

/** The file has not changed on the laptop since the push was planned (a resume re-checks this). */
export function assertUnchanged(file: LocalFile): void {
  const now = localFile(file.localPath);
  if (now.size !== file.size || now.mtimeMs !== file.mtimeMs) {
    throw new DrydockError(
      'CONFLICT',
      `${file.localPath} changed on this computer since the push was planned (${file.size} → ${now.size} bytes): what is on the hosts may be part of the old file. Start a new push; nothing more was sent.`,
      { reason: 'local-file-changed' },
    );
  }
}

/** Run a root script behind the folder's guard; an untrusted folder is a clear refusal. */
export async function asRoot(session: HostSession, dir: string, script: string, signal?: AbortSignal): Promise<string> {
  const full = `${dirGuard(dir)}\n${script}`;
  const result = session.isRoot ? await session.run(full, { signal }) : await session.sudo(full, { signal });
  if (result.code === UNTRUSTED) throw untrustedMessage(session.host.name, result.stdout);
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
    throw new DrydockError('COMMAND_FAILED', `${session.host.name}: checking ${dir} failed (exit ${result.code})${said ? `: ${said}` : ''}`, { host: session.host.name });
  }
  return result.stdout;
}

export async function probeHost(session: HostSession, dir: string, files: LocalFile[], signal?: AbortSignal): Promise<HostProbe> {
  const lines = [`avail=$(df -P -k -- ${quote(dir)} | awk 'NR==2 {print $4}'); echo "AVAIL $avail"`];
  for (const f of files) {
    const final = quote(`${dir}/${f.name}`);
    const part = quote(`${dir}/.${f.name}.part`);
    lines.push(
      `fs=-1; if [ -f ${final} ] && [ ! -L ${final} ]; then fs=$(stat -c %s -- ${final}); fi`,
      `ps=0; if [ -f ${part} ] && [ ! -L ${part} ]; then ps=$(stat -c %s -- ${part}); fi`,
      `echo "FILE ${f.name} $fs $ps"`,
      `if [ "$fs" = ${f.size} ]; then echo "SUM ${f.name} $(sha256sum < ${final} | cut -d' ' -f1)"; fi`,
    );
  }
  const out = await asRoot(session, dir, lines.join('\n'), signal);
  const probe: HostProbe = { host: session.host.name, available: 0, files: {} };
  for (const line of out.split('\n')) {
    const [word, a, b, c] = line.trim().split(' ');
    if (word === 'AVAIL') probe.available = Number(a) * 1024;
    if (word === 'FILE') probe.files[a] = { size: Number(b), partSize: Number(c) };
    if (word === 'SUM' && probe.files[a]) probe.files[a].sha256 = b;
  }
  for (const f of files) if (!probe.files[f.name]) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: could not read what ${dir} holds`);
  return probe;
}

/** Bytes the host must still receive, counting a .part as kept (refused before sending when the disk lacks them). */
export function bytesNeeded(probe: HostProbe, files: LocalFile[], localSha: Record<string, string>): number {
  let needed = 0;
  for (const f of files) {
    const there = probe.files[f.name];
    if (there.sha256 && there.sha256 === localSha[f.name]) continue;
    needed += there.partSize <= f.size ? f.size - there.partSize : f.size;
  }
  return needed;
}
