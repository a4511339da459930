/**
 * "Test connection": three questions answered apart, because they fail for
 * different reasons and are fixed in different places. Is the key the one
 * Drydock trusts (Hosts page), does login work (key, agent or password), and
 * does root work (sudo rights, sudo password). Trusts nothing, writes
 * nothing on the host; the sudo check runs `true`.
 */
import type { ConnectionTest } from '../../../shared/contract';
import { toErrorPayload } from '../../../shared/errors';
import { knownHostsName } from '../../../shared/hosts';
import type { Inventory } from '../inventory/inventory';
import type { SshPool } from './pool';
import type { HostSession } from './session';

const skipped = (message: string) => ({ status: 'skipped' as const, message });

export async function testConnection(inventory: Inventory, pool: SshPool, name: string, signal?: AbortSignal): Promise<ConnectionTest> {
  const host = inventory.get(name);
  const knownAs = knownHostsName(host.address, host.port);
  const base = { name, knownAs };

  let keyTrusted: ConnectionTest['keyTrusted'];
  try {
    const scan = await pool.scan(name, signal);
    if (scan.status === 'trusted') keyTrusted = { status: 'ok', message: `${knownAs} presents the ${scan.keyType} key Drydock trusts`, fingerprint: scan.fingerprint };
    else if (scan.status === 'unknown') keyTrusted = { status: 'failed', code: 'HOST_KEY_UNKNOWN', message: `Not trusted yet: confirm the ${scan.keyType} key ${knownAs} presents (Trust…)`, fingerprint: scan.fingerprint };
    else
      keyTrusted = {
        status: 'failed',
        code: 'HOST_KEY_CHANGED',
        message: `${knownAs} presents a different key from the one Drydock trusts: possible man-in-the-middle`,
        fingerprint: scan.fingerprint,
        ...(scan.storedFingerprint ? { storedFingerprint: scan.storedFingerprint } : {}),
      };
  } catch (err) {
    const e = toErrorPayload(err);
    keyTrusted = { status: 'failed', code: e.code, message: `Could not read the host key: ${e.message}` };
  }
  if (keyTrusted.status !== 'ok') {
    return { ...base, keyTrusted, login: skipped('Not tried: Drydock logs in only where the key is trusted'), sudo: skipped('Not tried') };
  }

  let session;
  try {
    session = await pool.fresh(name, signal);
  } catch (err) {
    const e = toErrorPayload(err);
    return { ...base, keyTrusted, login: { status: 'failed', code: e.code, message: e.message }, sudo: skipped('Not tried: login failed') };
  }
  try {
    return { ...base, keyTrusted, login: { status: 'ok', message: `Logged in as ${host.user}${host.keyPath ? ` with ${host.keyPath}` : ''}` }, sudo: await sudoCheck(session, host.user, signal) };
  } finally {
    session.close();
  }
}

async function sudoCheck(session: HostSession, user: string, signal?: AbortSignal): Promise<ConnectionTest['sudo']> {
  if (session.isRoot) return { status: 'ok', message: 'Logged in as root: no sudo needed' };
  try {
    const result = await session.sudo('true', { signal });
    return result.code === 0
      ? { status: 'ok', message: `${user} can run commands as root with sudo` }
      : { status: 'failed', code: 'SUDO_FAILED', message: `sudo exited ${result.code}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-1)[0]}` : ''}` };
  } catch (err) {
    const e = toErrorPayload(err);
    return { status: 'failed', code: e.code, message: e.message };
  }
}
