/**
 * A stored backup image copied to the hypervisor that will boot it (restore
 * onto the hot spare). Resumable: a `.partial` left by an interrupted copy is
 * kept only when its bytes are the source's — its prefix is hashed on both
 * sides, its size alone proves nothing — and the copy goes on from there.
 * The finished copy is checked against the SHA-256 in the backup's manifest
 * before it takes its final name; a copy that does not match is removed and
 * the message says whether the backup itself or the transfer was at fault.
 *
 * The copy is written in Drydock's staging folder (root's, 0700, in the
 * checked pool folder: pool-folder.ts), where no one else can put a symlink;
 * only the verified image gets its owner and mode there and is renamed into
 * the pool folder (`mv -T`, never over an existing name).
 *
 * Same hypervisor: `dd` on the host. Another hypervisor: the bytes go through
 * this laptop, from one SSH session's `dd` to the other's (the hypervisors
 * need no route or trust between them).
 */
import { DrydockError } from '../../../../../shared/errors';
import type { HostSession } from '../../../ssh/session';
import { quote, sh } from '../../../ssh/quote';
import type { CallOptions } from '../provider';
import { sha256Of, type Manifest } from './store';

export interface CopyResult {
  /** Bytes already there and proven equal to the source's when the copy (re)started. */
  resumedFrom: number;
  /** Bytes moved by this call. */
  bytesSent: number;
  /** The copy was complete and verified before this call (nothing moved). */
  alreadyThere: boolean;
}

/** SHA-256 of the first `bytes` bytes, under the copy's lock so no writer of an older attempt is still at it. */
export async function prefixSha256(session: HostSession, file: string, bytes: number, signal?: AbortSignal): Promise<string> {
  const f = quote(file);
  const out = await session.check(
    `flock -w 60 ${f} sh -c ${quote(`head -c ${bytes} ${f} | if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi`)}`,
    { asRoot: true, signal },
  );
  return out.trim().split(/\s+/)[0];
}

/** Size of a regular file that is no symlink; null when absent. */
async function sizeOf(session: HostSession, file: string, signal?: AbortSignal): Promise<number | null> {
  const out = await session.check(sh`f=${file}; if [ -L "$f" ]; then echo link; elif [ -f "$f" ]; then stat -c %s "$f"; elif [ -e "$f" ]; then echo other; else echo none; fi`, { asRoot: true, signal });
  const said = out.trim();
  if (said === 'none') return null;
  if (!/^\d+$/.test(said)) throw new DrydockError('CONFLICT', `${session.host.name}:${file} is a ${said === 'link' ? 'symlink' : 'special file'}; Drydock writes restored images only to regular files it created`);
  return Number(said);
}

export interface CopyRequest {
  source: HostSession;
  image: string;
  manifest: Manifest;
  target: HostSession;
  /** The final path on the target, in a checked pool folder (checkPoolFolder). */
  dest: string;
  /** Drydock's staging folder beside it (stagingFolder): the copy is written to `<staging>/<name>.partial` first. */
  staging: string;
  /** `uid:gid` the finished image gets (the spare's own image's), with mode 0600. */
  owner: string;
}

export async function copyImage(req: CopyRequest, options?: CallOptions): Promise<CopyResult> {
  const { source, target, image, manifest: m, dest, staging, owner } = req;
  if (!/^\d+:\d+$/.test(owner)) throw new DrydockError('INVALID_INPUT', `Not a uid:gid: ${owner}`);
  const signal = options?.signal;
  const total = m.sizeBytes;
  if (m.state !== 'completed' || !m.sha256 || total === undefined) throw new DrydockError('CONFLICT', `Backup ${m.id} is ${m.state}: it cannot be restored`);
  const where = `${target.host.name}:${dest}`;

  const finished = await sizeOf(target, dest, signal);
  if (finished !== null) {
    if (finished === total && (await sha256Of(target, dest, signal)) === m.sha256) return { resumedFrom: total, bytesSent: 0, alreadyThere: true };
    throw new DrydockError('CONFLICT', `${where} already exists and is not backup ${m.id} (size or SHA-256 differ); it was left as it is. Move it away, or restore another backup.`);
  }
  const srcSize = await sizeOf(source, image, signal);
  if (srcSize !== total) throw new DrydockError('CONFLICT', `Backup ${m.id} on ${source.host.name} is ${srcSize === null ? 'missing' : `${srcSize} bytes, its manifest says ${total}`}: it cannot be restored`);

  const partial = `${staging}/${dest.slice(dest.lastIndexOf('/') + 1)}.partial`;
  let from = 0;
  const have = await sizeOf(target, partial, signal);
  if (have !== null && have > 0 && have <= total) {
    const [theirs, ours] = await Promise.all([prefixSha256(target, partial, have, signal), prefixSha256(source, image, have, signal)]);
    if (theirs === ours) from = have;
    else options?.onProgress?.(0, `the ${have} bytes already on ${target.host.name} differ from the backup's: copying from the start`);
  }
  if (have !== null && from === 0) await target.check(sh`rm -f -- ${partial}`, { asRoot: true, signal });
  options?.onProgress?.(Math.floor((from / total) * 100), from ? `resuming the copy at ${from} of ${total} bytes` : `copying ${total} bytes to ${target.host.name}`);

  let sent: number;
  if (source === target || source.host.name === target.host.name) sent = await copyOnHost(target, image, partial, from, total, options);
  else sent = await copyBetween(source, image, target, partial, from, total, options);

  options?.onProgress?.(100, `checking the copy's SHA-256 against backup ${m.id}`);
  const size = await sizeOf(target, partial, signal);
  const digest = size === total ? await sha256Of(target, partial, signal) : null;
  if (digest !== m.sha256) {
    await target.check(sh`rm -f -- ${partial}`, { asRoot: true });
    const sourceDigest = await sha256Of(source, image, signal);
    throw new DrydockError(
      'CONFLICT',
      sourceDigest !== m.sha256
        ? `Backup ${m.id} on ${source.host.name} does not match its manifest (SHA-256 ${sourceDigest}, manifest says ${m.sha256}): the backup image is damaged. Nothing was attached; the partial copy on ${target.host.name} was removed. Restore another backup.`
        : `The copy of backup ${m.id} on ${where} came out ${size === total ? `with SHA-256 ${digest}` : `${size} bytes long`}, not the backup's (the transfer was corrupted); it was removed. Retry the step to copy again.`,
    );
  }
  // Owner and mode while only root can reach it; then the rename: -T so a directory there is not moved into, -n so nothing is replaced.
  const moved = await target.sudo(sh`p=${partial}; d=${dest}; chmod 600 -- "$p" && chown -h ${owner} -- "$p" && mv -T -n -- "$p" "$d" && [ ! -e "$p" ] && [ ! -L "$d" ] && [ -f "$d" ]`, { signal });
  if (moved.code !== 0) throw new DrydockError('CONFLICT', `The verified copy of backup ${m.id} could not take its name ${where} (${moved.stderr.trim() || 'something else is there'}); it is kept as ${target.host.name}:${partial}. Move away what is at ${dest}, then retry.`);
  return { resumedFrom: from, bytesSent: sent, alreadyThere: false };
}

/**
 * Take the copy's lock on the partial file itself, then become `dd`: the
 * lock is held by dd's own descriptor, and a cancelled copy's KILL reaches dd
 * itself (a wrapper killed instead would leave an orphan dd writing on).
 */
function lockThen(partial: string): string {
  // In the root-only staging folder (no one else can swap the name): `exec 9<>` may open it as the shell does.
  const p = quote(partial);
  return `umask 077; if [ -L ${p} ]; then echo "${partial} is a symlink: not followed" >&2; exit 3; fi; exec 9<>${p} && flock -w 60 9 || { echo "${partial} is locked by another copy" >&2; exit 75; }; exec`;
}

/** dd on one host; progress from dd's own counter. */
async function copyOnHost(s: HostSession, image: string, partial: string, from: number, total: number, options?: CallOptions): Promise<number> {
  const script = `${lockThen(partial)} dd if=${quote(image)} of=${quote(partial)} bs=4M iflag=skip_bytes,nofollow oflag=seek_bytes,nofollow skip=${from} seek=${from} conv=notrunc status=progress`;
  await s.check(script, {
    asRoot: true,
    signal: options?.signal,
    timeoutMs: 6 * 3600_000,
    onStderr: (text) => {
      const n = [...text.matchAll(/(\d+) bytes/g)].pop();
      if (n) options?.onProgress?.(Math.floor(((from + Number(n[1])) / total) * 100), `${from + Number(n[1])} of ${total} bytes copied`);
    },
  });
  return total - from;
}

/** Source dd → this laptop → target dd, with back-pressure; either side failing stops both. */
async function copyBetween(src: HostSession, image: string, dst: HostSession, partial: string, from: number, total: number, options?: CallOptions): Promise<number> {
  const signal = options?.signal;
  const writer = await dst.openStream(`${lockThen(partial)} dd of=${quote(partial)} bs=4M iflag=fullblock oflag=seek_bytes,nofollow seek=${from} conv=notrunc status=none`, { asRoot: true, signal });
  // dd says nothing on stdout, but an unread stream never ends, and the channel would never close.
  writer.channel.resume();
  let reader;
  try {
    reader = await src.openStream(`exec dd if=${quote(image)} bs=4M iflag=skip_bytes,nofollow skip=${from} status=none`, { asRoot: true, signal });
  } catch (err) {
    writer.channel.close();
    throw err;
  }
  let sent = 0;
  let lastPercent = -1;
  reader.channel.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (!writer.channel.write(chunk)) reader.channel.pause();
    const percent = Math.floor(((from + sent) / total) * 100);
    if (percent !== lastPercent) {
      lastPercent = percent;
      options?.onProgress?.(percent, `${from + sent} of ${total} bytes copied`);
    }
  });
  writer.channel.on('drain', () => reader.channel.resume());
  reader.channel.on('end', () => writer.channel.end());
  // Whichever side fails first, the other is not left running (a reader that failed would leave the writer waiting on stdin).
  reader.done.then((x) => x.code !== 0 && writer.channel.close(), () => writer.channel.close());
  writer.done.then((x) => x.code !== 0 && reader.channel.close(), () => reader.channel.close());
  const [r, w] = await Promise.allSettled([reader.done, writer.done]);
  // The side that failed first says why; the other was only stopped because of it.
  if (r.status === 'fulfilled' && r.value.code !== 0) throw new DrydockError('COMMAND_FAILED', `${src.host.name}: reading ${image} failed (exit ${r.value.code}): ${r.value.stderr.trim()}`);
  if (w.status === 'fulfilled' && w.value.code !== 0) throw new DrydockError('COMMAND_FAILED', `${dst.host.name}: writing ${partial} failed (exit ${w.value.code}): ${w.value.stderr.trim()}`);
  if (r.status === 'rejected') throw r.reason;
  if (w.status === 'rejected') throw w.reason;
  return sent;
}
