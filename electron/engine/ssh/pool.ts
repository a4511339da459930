/**
 * One connection per host, reused by every step of every operation, opened
 * through the host's jump chain (ProxyJump) with each hop's key verified.
 */
import type { Duplex } from 'node:stream';
import type { HostKeyScan } from '../../../shared/contract';
import { DrydockError } from '../../../shared/errors';
import { knownHostsName, type Host } from '../../../shared/hosts';
import type { AuditLog } from '../audit/audit-log';
import type { Inventory } from '../inventory/inventory';
import { connect, scanHostKey, type PresentedKey } from './connect';
import type { CredentialStore } from './credentials';
import type { KnownHosts } from './known-hosts';
import { HostSession } from './session';

export interface PoolDeps {
  inventory: Inventory;
  knownHosts: KnownHosts;
  credentials: CredentialStore;
  audit: AuditLog;
  connectTimeoutMs?: number;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new DrydockError('CANCELLED', `Connection to ${name} cancelled`));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DrydockError('CANCELLED', `Connection to ${name} cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class SshPool {
  private readonly sessions = new Map<string, Promise<HostSession>>();

  constructor(private readonly deps: PoolDeps) {}

  /** A verified, authenticated session; connects (and jumps) on first use. */
  session(name: string, signal?: AbortSignal): Promise<HostSession> {
    let pending = this.sessions.get(name);
    if (!pending) {
      // The shared connection is opened without any one caller's signal, so
      // one caller cancelling does not fail the others waiting on it.
      pending = this.open(this.deps.inventory.get(name));
      this.sessions.set(name, pending);
      pending.catch(() => this.sessions.delete(name));
    }
    return signal ? abortable(pending, signal, name) : pending;
  }

  /**
   * A connection of its own, not shared and not kept: a fresh login, for a
   * check that must see what a new session gets (pam_env reads
   * /etc/environment when a session opens). The caller closes it.
   */
  async fresh(name: string, signal?: AbortSignal): Promise<HostSession> {
    const opening = this.open(this.deps.inventory.get(name));
    if (!signal) return opening;
    try {
      return await abortable(opening, signal, name);
    } catch (err) {
      opening.then((s) => s.close()).catch(() => undefined);
      throw err;
    }
  }

  private async open(host: Host): Promise<HostSession> {
    const sock = await this.tunnel(host);
    const { client, key } = await connect({
      host,
      knownHosts: this.deps.knownHosts,
      secrets: this.deps.credentials.get(host.name),
      sock,
      timeoutMs: this.deps.connectTimeoutMs,
    }).catch((err) => this.withPresentedKey(host, err));
    const session = new HostSession(host, client, key.fingerprint, this.deps.audit, () => this.deps.credentials.get(host.name));
    // Forget only our own entry: after drop() a newer session may stand there.
    const forget = () => {
      const current = this.sessions.get(host.name);
      current?.then((s) => s === session && this.sessions.get(host.name) === current && this.sessions.delete(host.name)).catch(() => undefined);
    };
    client.on('close', forget);
    client.on('error', forget);
    return session;
  }

  /**
   * A host that offers only key types we do not trust shows no key during
   * the refused handshake: scan it (trusting nothing) so the admin sees what
   * it presents now, next to what is stored.
   */
  private async withPresentedKey(host: Host, err: unknown): Promise<never> {
    if (!(err instanceof DrydockError) || err.code !== 'HOST_KEY_CHANGED' || !err.details?.unknownType) throw err;
    let presented: { keyType: string; fingerprint: string } | undefined;
    try {
      presented = await scanHostKey({ host, knownHosts: this.deps.knownHosts, sock: await this.tunnel(host), timeoutMs: this.deps.connectTimeoutMs });
    } catch {
      throw err;
    }
    throw new DrydockError('HOST_KEY_CHANGED', err.message.replace(/\. Possible/, `; it presents ${presented.keyType} ${presented.fingerprint}. Possible`), {
      ...err.details,
      presented: presented.fingerprint,
    });
  }

  /** A TCP channel to the host through its jump host, or undefined for a direct connection. */
  private async tunnel(host: Host, signal?: AbortSignal): Promise<Duplex | undefined> {
    if (!host.jump) return undefined;
    const bastion = await this.session(host.jump, signal);
    return new Promise((resolve, reject) =>
      bastion.client.forwardOut('127.0.0.1', 0, host.address, host.port, (err, stream) =>
        err
          ? reject(new DrydockError('CONNECT_FAILED', `Jump host ${bastion.host.name} could not reach ${host.address}:${host.port}: ${err.message}`))
          : resolve(stream),
      ),
    );
  }

  /**
   * The key the host presents, reached the way its sessions are (through its
   * jump host, whose own key is verified as for any session). Trusts nothing:
   * for callers with their own rule for the key (a restored spare).
   */
  async presentedKey(name: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PresentedKey> {
    const host = this.deps.inventory.get(name);
    const sock = await this.tunnel(host, options.signal);
    return scanHostKey({ host, knownHosts: this.deps.knownHosts, sock, timeoutMs: options.timeoutMs ?? this.deps.connectTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** What key does the host present, and how does it compare with what we trust? Trusts nothing. */
  async scan(name: string, signal?: AbortSignal): Promise<HostKeyScan> {
    const host = this.deps.inventory.get(name);
    const sock = await this.tunnel(host, signal);
    const presented = await scanHostKey({ host, knownHosts: this.deps.knownHosts, sock, timeoutMs: this.deps.connectTimeoutMs, signal });
    const knownAs = knownHostsName(host.address, host.port);
    const stored = this.deps.knownHosts.lookup(knownAs);
    const status = stored.length === 0 ? 'unknown' : stored.some((k) => k.key === presented.key) ? 'trusted' : 'changed';
    return {
      name,
      knownAs,
      keyType: presented.keyType,
      fingerprint: presented.fingerprint,
      status,
      ...(status === 'changed' ? { storedFingerprint: stored[0].fingerprint } : {}),
    };
  }

  /**
   * Store the host's key, but only if it still presents the fingerprint the
   * admin confirmed, and never over a different key already trusted.
   */
  async trust(name: string, confirmedFingerprint: string, signal?: AbortSignal): Promise<HostKeyScan> {
    const host = this.deps.inventory.get(name);
    const sock = await this.tunnel(host, signal);
    const presented = await scanHostKey({ host, knownHosts: this.deps.knownHosts, sock, timeoutMs: this.deps.connectTimeoutMs, signal });
    const knownAs = knownHostsName(host.address, host.port);
    if (presented.fingerprint !== confirmedFingerprint) {
      throw new DrydockError(
        'HOST_KEY_MISMATCH',
        `${name} presents ${presented.fingerprint}, not the ${confirmedFingerprint} you confirmed. Nothing was trusted.`,
        { host: name, presented: presented.fingerprint, confirmed: confirmedFingerprint },
      );
    }
    if (this.deps.knownHosts.revoked(knownAs).some((k) => k.key === presented.key)) {
      throw new DrydockError(
        'HOST_KEY_REVOKED',
        `The key ${name} presents (${presented.keyType} ${presented.fingerprint}) is marked @revoked in ${this.deps.knownHosts.file}: it must not be trusted. Nothing was trusted. Give the host a new key and check it on its console.`,
        { host: name, presented: presented.fingerprint },
      );
    }
    const stored = this.deps.knownHosts.lookup(knownAs);
    if (stored.some((k) => k.key === presented.key)) return { name, knownAs, keyType: presented.keyType, fingerprint: presented.fingerprint, status: 'trusted' };
    if (stored.length) {
      throw new DrydockError(
        'HOST_KEY_CHANGED',
        `Host key changed for ${name}: stored ${stored[0].fingerprint}, presented ${presented.fingerprint}. Possible man-in-the-middle attack: nothing was trusted. If the host was rebuilt, remove the old key first (drydock hosts forget-key ${name}).`,
        { host: name, stored: stored[0].fingerprint, presented: presented.fingerprint },
      );
    }
    this.deps.knownHosts.add(knownAs, presented.keyType, presented.key, `drydock:${name}`);
    this.deps.audit.append({ host: name, fingerprint: presented.fingerprint, kind: 'trust', command: `trust ${presented.keyType} key for ${knownAs}`, exitCode: 0, durationMs: 0 });
    return { name, knownAs, keyType: presented.keyType, fingerprint: presented.fingerprint, status: 'trusted' };
  }

  /** Drop a host's cached connection (after its key was forgotten, say). */
  drop(name: string): void {
    const pending = this.sessions.get(name);
    this.sessions.delete(name);
    pending?.then((s) => s.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    // Close targets before their jump hosts: reverse order of opening.
    for (const pending of all.reverse()) {
      try {
        (await pending).close();
      } catch {
        /* a failed connection has nothing to close */
      }
    }
  }
}
