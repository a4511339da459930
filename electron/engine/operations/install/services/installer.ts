/**
 * Running Replicated's install.sh on the Services machine so that it
 * outlives the SSH connection: it is extracted into Drydock's root-only work
 * folder, started detached (setsid) with its output to a log and its exit
 * status to a file, and followed with `tail --pid`. A laptop that closes or
 * a Drydock that is killed mid-install leaves the installer running; the
 * resumed run finds it running (and follows it again) or finished (and reads
 * its exit status) instead of starting a second installer.
 */
import { DrydockError } from '../../../../../shared/errors';
import { quote, sh } from '../../../ssh/quote';
import type { HostSession } from '../../../ssh/session';

export const WORK_DIR = '/var/lib/drydock/install';
const DIR = `${WORK_DIR}/replicated`;
const LOG = `${WORK_DIR}/install.log`;
const RC = `${WORK_DIR}/install.rc`;
const PID = `${WORK_DIR}/install.pid`;
const UNTRUSTED = 88;

export type InstallerRun = { kind: 'none' } | { kind: 'running'; pid: number } | { kind: 'finished'; code: number };

/** Stops (exit 88) unless the work folder is root's alone; creates it when `create`. */
function workGuard(create: boolean): string {
  return [
    create ? '[ -e /var/lib/drydock ] || [ -L /var/lib/drydock ] || mkdir -m 0755 /var/lib/drydock' : `[ -e ${WORK_DIR} ] || { echo NONE; exit 0; }`,
    `t=$(stat -c '%F:%u' /var/lib/drydock); [ "$t" = "directory:0" ] || { echo "UNTRUSTED /var/lib/drydock $t"; exit ${UNTRUSTED}; }`,
    create ? `[ -e ${WORK_DIR} ] || [ -L ${WORK_DIR} ] || mkdir -m 0700 ${WORK_DIR}` : '',
    `t=$(stat -c '%F:%u:%a' ${WORK_DIR}); [ "$t" = "directory:0:700" ] || { echo "UNTRUSTED ${WORK_DIR} $t"; exit ${UNTRUSTED}; }`,
  ]
    .filter(Boolean)
    .join('\n');
}

async function guarded(session: HostSession, script: string, what: string, signal?: AbortSignal, secrets: string[] = []): Promise<string> {
  const r = await session.sudo(script, { signal, timeoutMs: 20 * 60_000, secrets });
  if (r.code === UNTRUSTED) throw new DrydockError('CONFLICT', `${session.host.name}: ${r.stdout.trim().split('\n').pop()}: not a folder only root can use; Drydock will not run an installer from it. Nothing was run.`, { host: session.host.name });
  if (r.code !== 0) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: ${what}: ${(r.stderr || r.stdout).trim().slice(-300)}`, { host: session.host.name });
  return r.stdout;
}

/** Whether an installer started by Drydock is running, finished (with its exit status), or absent. */
export async function installerRun(session: HostSession, signal?: AbortSignal): Promise<InstallerRun> {
  const out = await guarded(
    session,
    [workGuard(false), `if [ -f ${RC} ]; then echo "FINISHED $(cat ${RC})"; elif [ -s ${PID} ] && p=$(cat ${PID}) && [ -d /proc/$p ] && grep -qa install.sh /proc/$p/cmdline; then echo "RUNNING $p"; else echo NONE; fi`].join('\n'),
    'could not look at the installer',
    signal,
  );
  const [kind, n] = out.trim().split('\n').pop()!.split(' ');
  if (kind === 'FINISHED') return { kind: 'finished', code: Number(n) };
  if (kind === 'RUNNING') return { kind: 'running', pid: Number(n) };
  return { kind: 'none' };
}

/** Extract the tarball into the work folder; returns install.sh's SHA-256 (the run compares it with the plan's). */
export async function extractInstaller(session: HostSession, tarball: string, signal?: AbortSignal): Promise<string> {
  const out = await guarded(
    session,
    [
      'set -e',
      workGuard(true),
      `rm -rf ${DIR} && mkdir -m 0700 ${DIR}`,
      sh`tar -xzf ${tarball} -C ${DIR} --no-same-owner`,
      `[ -f ${DIR}/install.sh ] && [ ! -L ${DIR}/install.sh ] && sha256sum ${DIR}/install.sh | cut -c1-64`,
    ].join('\n'),
    `could not extract ${tarball} into ${DIR}`,
    signal,
  );
  return out.trim().split('\n').pop()!;
}

/** Start install.sh detached; returns its pid once it has written it. */
export async function launchInstaller(session: HostSession, args: string[], secrets: string[], signal?: AbortSignal): Promise<number> {
  const inner = `echo $$ > ${PID}; cd ${DIR} && bash ./install.sh ${args.map(quote).join(' ')} > ${LOG} 2>&1; echo $? > ${RC}.new; mv -f ${RC}.new ${RC}`;
  const out = await guarded(
    session,
    [workGuard(true), `rm -f ${RC} ${RC}.new ${LOG} ${PID}`, `setsid bash -c ${quote(inner)} </dev/null >/dev/null 2>&1 &`, `for i in $(seq 100); do [ -s ${PID} ] && break; sleep 0.1; done`, `cat ${PID}`].join('\n'),
    'could not start install.sh',
    signal,
    secrets,
  );
  const pid = Number(out.trim().split('\n').pop());
  if (!Number.isInteger(pid) || pid <= 1) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: install.sh did not start (no pid in ${PID})`);
  return pid;
}

/** Stream the installer's log until it ends; returns its exit status. */
export async function followInstaller(session: HostSession, pid: number, output: (stream: 'stdout' | 'stderr', text: string) => void, signal?: AbortSignal): Promise<number> {
  await session.sudo(`tail -n +1 -f --pid=${pid} ${LOG}`, { signal, timeoutMs: 2 * 60 * 60_000, onStdout: (t) => output('stdout', t), onStderr: (t) => output('stderr', t) });
  const run = await installerRun(session, signal);
  if (run.kind !== 'finished') throw new DrydockError('COMMAND_FAILED', `${session.host.name}: install.sh stopped without an exit status (killed?); its log is ${LOG}`, { host: session.host.name });
  return run.code;
}

export async function installerLogTail(session: HostSession, lines = 3): Promise<string> {
  const r = await session.sudo(`tail -n ${lines} ${LOG} 2>/dev/null`);
  return r.stdout.trim().split('\n').join(' ');
}

export { LOG as INSTALLER_LOG };
