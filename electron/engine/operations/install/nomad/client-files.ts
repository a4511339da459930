/**
 * What one Nomad client gets, planned through the file-change engine:
 * /etc/docker/daemon.json (userns-remap, other keys kept), /etc/nomad/config.hcl
 * and the systemd unit; and the checks of what is not a file: the nomad
 * binary (copied from the verified bundle file on the host), the
 * ci-privileged network, the agent running.
 */
import { DrydockError } from '../../../../../shared/errors';
import { isIpAddress } from '../../../../../shared/hosts';
import { CI_NETWORK, DAEMON_JSON, NOMAD_BINARY, NOMAD_CONFIG, NOMAD_UNIT, renderDaemonJson, renderNomadConfig, renderNomadUnit } from '../../../../../shared/install/nomad';
import { sh } from '../../../ssh/quote';
import type { HostSession } from '../../../ssh/session';
import type { FileSpec } from '../../proxy/host-files';

export function clientFileSpecs(advertise: string, servicesAddress: string): FileSpec[] {
  return [
    { path: DAEMON_JSON, mode: 0o644, render: (current) => renderDaemonJson(current) },
    { path: NOMAD_CONFIG, mode: 0o644, render: () => renderNomadConfig({ advertise, servicesAddress }) },
    { path: NOMAD_UNIT, mode: 0o644, render: () => renderNomadUnit() },
  ];
}

/** The client's own address: the inventory's when it is an IP, else the first one `hostname -I` reports. */
export async function advertiseAddress(session: HostSession, signal?: AbortSignal): Promise<string> {
  if (isIpAddress(session.host.address)) return session.host.address;
  const first = (await session.check('hostname -I', { signal })).trim().split(/\s+/)[0];
  if (!first || !isIpAddress(first)) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: could not tell its own IP address (hostname -I said "${first}"); give the host an IP address in the inventory`);
  return first;
}

export async function binarySha256(session: HostSession, signal?: AbortSignal): Promise<string | null> {
  const out = await session.check(sh`if [ -f ${NOMAD_BINARY} ] && [ ! -L ${NOMAD_BINARY} ]; then sha256sum ${NOMAD_BINARY} | cut -c1-64; else echo ABSENT; fi`, { asRoot: true, signal });
  return out.trim() === 'ABSENT' ? null : out.trim();
}

/** Copy the verified bundle file to /usr/bin/nomad: root's, 0755, beside the target first, then renamed. */
export async function installBinary(session: HostSession, from: string, sha256: string, signal?: AbortSignal): Promise<void> {
  const tmp = `${NOMAD_BINARY}.drydock-new`;
  const r = await session.sudo(
    [
      'set -e',
      sh`[ -f ${from} ] && [ ! -L ${from} ]`,
      sh`rm -f ${tmp}`,
      sh`install -m 0755 -o 0 -g 0 ${from} ${tmp}`,
      sh`[ "$(sha256sum ${tmp} | cut -c1-64)" = ${sha256} ] || { echo "hash differs"; rm -f ${tmp}; exit 1; }`,
      sh`mv -f ${tmp} ${NOMAD_BINARY}`,
    ].join('\n'),
    { signal },
  );
  if (r.code !== 0) throw new DrydockError('COMMAND_FAILED', `${session.host.name}: could not install ${NOMAD_BINARY} from ${from}: ${(r.stderr || r.stdout).trim().slice(-300)}`, { host: session.host.name });
}

export async function networkExists(session: HostSession, signal?: AbortSignal): Promise<boolean> {
  return (await session.sudo(sh`docker network inspect ${CI_NETWORK} >/dev/null 2>&1`, { signal })).code === 0;
}

export async function createNetwork(session: HostSession, signal?: AbortSignal): Promise<void> {
  await session.check(`docker network create --driver=bridge --opt com.docker.network.bridge.name=${CI_NETWORK} ${CI_NETWORK}`, { asRoot: true, signal });
}

export async function unitActive(session: HostSession, unit: string, signal?: AbortSignal): Promise<boolean> {
  return (await session.sudo(sh`systemctl is-active ${unit}`, { signal })).code === 0;
}
