/**
 * Secrets for this session only: SSH passwords, key passphrases and sudo
 * passwords live in memory and are forgotten when Drydock exits. They are
 * never written to disk and never logged.
 */
export interface HostSecrets {
  password?: string;
  passphrase?: string;
  sudoPassword?: string;
}

export class CredentialStore {
  private readonly secrets = new Map<string, HostSecrets>();

  /** Fallback for every host, e.g. from DRYDOCK_SSH_PASSWORD in automation. */
  constructor(private readonly defaults: HostSecrets = {}) {}

  set(host: string, secrets: HostSecrets): void {
    const current = this.secrets.get(host) ?? {};
    const next = { ...current };
    for (const [k, v] of Object.entries(secrets) as [keyof HostSecrets, string | undefined][]) {
      if (v !== undefined) next[k] = v;
    }
    this.secrets.set(host, next);
  }

  get(host: string): HostSecrets {
    return { ...this.defaults, ...this.secrets.get(host) };
  }

  /** Which secrets the admin gave for this host in this session (the defaults from the environment count too). */
  which(host: string): { password: boolean; passphrase: boolean; sudoPassword: boolean } {
    const s = this.get(host);
    return { password: !!s.password, passphrase: !!s.passphrase, sudoPassword: !!s.sudoPassword };
  }

  /** Forget what was given for this host; true if there was anything. */
  clear(host: string): boolean {
    return this.secrets.delete(host);
  }
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): HostSecrets {
  return {
    password: env.DRYDOCK_SSH_PASSWORD || undefined,
    passphrase: env.DRYDOCK_KEY_PASSPHRASE || undefined,
    sudoPassword: env.DRYDOCK_SUDO_PASSWORD || undefined,
  };
}
