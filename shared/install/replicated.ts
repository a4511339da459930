/**
 * The Services machine's headless install, as pure functions: what
 * /etc/replicated.conf and the settings file say (admin-commands.md §1:
 * written BEFORE install.sh runs, read by Replicated on its first start),
 * which arguments the pushed installer gets, and when
 * `replicatedctl app status inspect` means "ready".
 */

export const REPLICATED_CONF = '/etc/replicated.conf';
/** Where Drydock keeps the settings Replicated imports on first start (ImportSettingsFrom). */
export const INSTALL_SETTINGS = '/etc/replicated-settings.json';

export interface ReplicatedConfInput {
  licensePath: string;
  airgapPath: string;
  settingsPath: string;
  hostname: string;
  consolePassword: string;
  /** Certificate and key already on the Services machine; absent: Replicated makes a self-signed one. */
  tls?: { cert: string; key: string };
}

/** Keys this install writes; every other key (HttpProxy from the proxy feature, say) is kept. */
export const INSTALL_KEYS = [
  'DaemonAuthenticationType',
  'DaemonAuthenticationPassword',
  'LicenseFileLocation',
  'LicenseBootstrapAirgapPackagePath',
  'ImportSettingsFrom',
  'BypassPreflightChecks',
  'TlsBootstrapType',
  'TlsBootstrapHostname',
  'TlsBootstrapCert',
  'TlsBootstrapKey',
] as const;

/** Thrown when the existing file is not a JSON object: Drydock will not guess what Replicated reads from it. */
export class ReplicatedConfError extends Error {}

export function parseReplicatedConf(current: string | null): Record<string, unknown> {
  if (current === null || current.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(current);
  } catch (err) {
    throw new ReplicatedConfError(`${REPLICATED_CONF} is not valid JSON (${(err as Error).message}); fix or remove it by hand first`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ReplicatedConfError(`${REPLICATED_CONF} does not hold a JSON object; fix or remove it by hand first`);
  return parsed as Record<string, unknown>;
}

/** /etc/replicated.conf for a headless air-gapped install, merged into what is there. */
export function renderInstallReplicatedConf(current: string | null, c: ReplicatedConfInput): string {
  const kept = parseReplicatedConf(current);
  for (const key of INSTALL_KEYS) delete kept[key];
  const conf: Record<string, unknown> = {
    ...kept,
    DaemonAuthenticationType: 'password',
    DaemonAuthenticationPassword: c.consolePassword,
    LicenseFileLocation: c.licensePath,
    LicenseBootstrapAirgapPackagePath: c.airgapPath,
    ImportSettingsFrom: c.settingsPath,
    BypassPreflightChecks: true,
    ...(c.tls
      ? { TlsBootstrapType: 'server-path', TlsBootstrapHostname: c.hostname, TlsBootstrapCert: c.tls.cert, TlsBootstrapKey: c.tls.key }
      : { TlsBootstrapType: 'self-signed', TlsBootstrapHostname: c.hostname }),
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

export interface InstallSettingsInput {
  hostname: string;
  /** Asked at install time: LDAP can only be enabled on a clean installation (guide, "Authentication"). */
  ldap: boolean;
}

/**
 * The settings Replicated imports (`app-config export --hidden` format:
 * {"NAME":{"value":"…"}}). `ldap_enabled` is Drydock's name for the LDAP
 * switch [I]: CircleCI's 2.x docs do not print the item's name.
 */
export function renderInstallSettings(s: InstallSettingsInput): string {
  return JSON.stringify({ hostname: { value: s.hostname }, ldap_enabled: { value: s.ldap ? '1' : '0' } }, null, 2) + '\n';
}

export const LDAP_WARNING = 'LDAP can only be enabled on a clean installation, never on an existing one (operations guide, "Authentication"): decide now. With LDAP, every user must then log in to CircleCI with LDAP credentials.';

/** What the pushed installer accepts, read from its own text (its usage and argument parsing). */
export interface InstallerDialect {
  /** `private-address` (Replicated's documented flag) or `local-address` (what CircleCI's scripts passed). */
  addressFlag: 'private-address' | 'local-address';
  accepts: Set<string>;
}

const KNOWN_FLAGS = ['airgap', 'private-address', 'local-address', 'no-docker', 'no-proxy', 'http-proxy', 'additional-no-proxy', 'no-auto', 'ui-bind-port'];

/** Reads the installer's text; null when it names neither address flag (not a Replicated installer Drydock knows). */
export function installerDialect(text: string): InstallerDialect | null {
  const has = (flag: string) => new RegExp(`(^|[^A-Za-z0-9_-])${flag.replace(/-/g, '[-_]')}([^A-Za-z0-9_-]|$)`, 'm').test(text);
  const accepts = new Set(KNOWN_FLAGS.filter(has));
  const addressFlag = accepts.has('private-address') ? 'private-address' : accepts.has('local-address') ? 'local-address' : null;
  return addressFlag ? { addressFlag, accepts } : null;
}

export interface InstallerOptions {
  privateAddress: string;
  /** Docker is installed before the installer runs (from the bundle's .debs, or already there). */
  noDocker: boolean;
  /** The proxy the proxy feature configured on the Services machine, with what bypasses it. */
  proxy?: { url: string; noProxy: string[] };
}

/** `install.sh airgap …` arguments, or why this installer cannot take them. */
export function installerArgs(dialect: InstallerDialect, o: InstallerOptions): { args: string[] } | { error: string } {
  const need = ['airgap', ...(o.noDocker ? ['no-docker'] : []), ...(o.proxy ? ['http-proxy', ...(o.proxy.noProxy.length ? ['additional-no-proxy'] : [])] : ['no-proxy'])];
  const missing = need.filter((f) => !dialect.accepts.has(f));
  if (missing.length) return { error: `the installer does not accept ${missing.join(', ')} (its usage text does not name ${missing.length > 1 ? 'them' : 'it'}); check that replicated.tar.gz is Replicated's 2.x installer` };
  const args = ['airgap', `${dialect.addressFlag}=${o.privateAddress}`];
  if (o.noDocker) args.push('no-docker');
  if (o.proxy) {
    args.push(`http-proxy=${o.proxy.url}`);
    if (o.proxy.noProxy.length) args.push(`additional-no-proxy=${o.proxy.noProxy.join(',')}`);
  } else args.push('no-proxy');
  return { args };
}

export interface AppStatus {
  state: string;
  desiredState: string;
  error: string;
  transitioning: boolean;
}

/** `replicatedctl app status inspect`: a JSON array of one app. Null when it is not that. */
export function parseAppStatus(text: string): AppStatus | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    const app = Array.isArray(parsed) ? (parsed[0] as Record<string, unknown> | undefined) : undefined;
    if (!app || typeof app.State !== 'string') return null;
    return { state: app.State, desiredState: String(app.DesiredState ?? ''), error: String(app.Error ?? ''), transitioning: app.IsTransitioning === true };
  } catch {
    return null;
  }
}

/** Ready: started, not transitioning, no error (admin-commands.md §1). */
export function appReady(s: AppStatus): boolean {
  return s.state === 'started' && !s.transitioning && s.error === '';
}

export function describeAppStatus(s: AppStatus | null): string {
  if (!s) return 'no status yet';
  return `State ${s.state}${s.desiredState && s.desiredState !== s.state ? ` (wanted ${s.desiredState})` : ''}${s.transitioning ? ', transitioning' : ''}${s.error ? `, error: ${s.error}` : ''}`;
}
