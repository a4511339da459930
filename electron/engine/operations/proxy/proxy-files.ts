/**
 * Which files each kind of host gets, from one set of settings (renderers in
 * shared/proxy/render.ts): the Services machine's replicated.conf and
 * installation customizations, a Nomad client's /etc/environment and Docker
 * drop-in.
 */
import {
  CUSTOMIZATIONS,
  DOCKER_DROP_IN,
  ENVIRONMENT,
  REPLICATED_CONF,
  renderCustomizations,
  renderDockerDropIn,
  renderEnvironment,
  renderReplicatedConf,
  type ProxySettings,
} from '../../../../shared/proxy/render';
import type { FileSpec } from './host-files';

/** The file a host's proxy variables live in, which verification sources. */
export const PROXY_ENV_FILE = { services: CUSTOMIZATIONS, nomad: ENVIRONMENT } as const;

export function servicesFiles(s: ProxySettings): FileSpec[] {
  return [
    // replicated.conf can hold DaemonAuthenticationPassword: a new one is root's alone.
    { path: REPLICATED_CONF, render: (current) => renderReplicatedConf(current, s), mode: 0o600 },
    // Sourced by root's installer; it can carry the proxy password.
    { path: CUSTOMIZATIONS, render: (current) => renderCustomizations(current, s), mode: 0o600 },
  ];
}

export function nomadFiles(s: ProxySettings): FileSpec[] {
  return [
    // pam_env reads it for every login, and every user's programs read the variables it sets: 0644.
    { path: ENVIRONMENT, render: (current) => renderEnvironment(current, s), mode: 0o644 },
    // Only systemd (root) reads the drop-in. Its Environment= is still shown to every user by
    // `systemctl show docker`: see the README on proxy passwords.
    { path: DOCKER_DROP_IN, render: () => renderDockerDropIn(s), mode: 0o600 },
  ];
}
