/**
 * Open one SSH connection with OpenSSH-style host-key trust:
 * - 'verify': the key must be in Drydock's known_hosts; an unknown key is
 *   HOST_KEY_UNKNOWN and a different key HOST_KEY_CHANGED (possible MITM).
 *   Either way the connection is dropped before authentication, so nothing
 *   runs and no password is sent to a host we do not trust.
 * - 'scan': only learn the key the host presents, then hang up.
 */
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import type { Host } from '../../../shared/hosts';
import { knownHostsName } from '../../../shared/hosts';
import { DrydockError } from '../../../shared/errors';
import type { HostSecrets } from './credentials';
import { fingerprintOf, keyTypeOf } from './fingerprint';
import type { KnownHosts } from './known-hosts';

export interface PresentedKey {
  keyType: string;
  key: string;
  fingerprint: string;
}

export interface ConnectOptions {
  host: Host;
  knownHosts: KnownHosts;
  secrets: HostSecrets;
  /** A channel through a jump host (ProxyJump). */
  sock?: Duplex;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

function hostKeyAlgorithms(stored: { keyType: string }[]): string[] | undefined {
  if (!stored.length) return undefined;
  return [...new Set(stored.flatMap((k) => ALGORITHMS_FOR_TYPE[k.keyType] ?? [k.keyType]))];
}

function describe(host: Host): string {
  return `${host.name} (${host.user}@${knownHostsName(host.address, host.port)})`;
}

function authConfig(host: Host, secrets: HostSecrets): Partial<ConnectConfig> {
  const config: Partial<ConnectConfig> = {};
  if (host.keyPath) {
    try {
      config.privateKey = readFileSync(host.keyPath);
    } catch (err) {
      throw new DrydockError('INVALID_INPUT', `Cannot read the key file ${host.keyPath} for ${host.name}: ${(err as Error).message}`);
    }
    if (secrets.passphrase) config.passphrase = secrets.passphrase;
  }
  if (process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
  if (secrets.password) {
    config.password = secrets.password;
    config.tryKeyboard = true;
  }
  return config;
}

function mapError(err: Error & { level?: string; code?: string }, host: Host): DrydockError {
  const where = describe(host);
  const msg = err.message ?? String(err);
  if (/authentication methods failed/i.test(msg)) {
    return new DrydockError('AUTH_FAILED', `Authentication to ${where} failed: check the user, key, agent or password.`);
  }
  if (/passphrase/i.test(msg) || /Cannot parse privateKey/i.test(msg)) {
    const hint = /no passphrase given/i.test(msg) ? 'it is passphrase-protected: give its passphrase' : 'wrong passphrase or unreadable key';
    return new DrydockError('AUTH_FAILED', `The key ${host.keyPath} for ${host.name} could not be used: ${hint}.`);
  }
  if (/timed out/i.test(msg)) return new DrydockError('TIMEOUT', `No SSH handshake from ${where} in time: is the host up and the port right?`);
  if (err.code === 'ECONNREFUSED') return new DrydockError('CONNECT_FAILED', `${where} refused the connection: is sshd running on that port?`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new DrydockError('CONNECT_FAILED', `The address of ${where} does not resolve.`);
  return new DrydockError('CONNECT_FAILED', `Cannot connect to ${where}: ${msg}`);
}

/** Connect and authenticate; resolves only once the host key was verified. */
export function connect(options: ConnectOptions): Promise<{ client: Client; key: PresentedKey }> {
  return open(options, 'verify') as Promise<{ client: Client; key: PresentedKey }>;
}

/** Learn the host key without trusting it or logging in. */
export async function scanHostKey(options: Omit<ConnectOptions, 'secrets'>): Promise<PresentedKey> {
  const { key } = await open({ ...options, secrets: {} }, 'scan');
  return key;
}

function open(options: ConnectOptions, mode: 'verify' | 'scan'): Promise<{ client: Client | null; key: PresentedKey }> {
  const { host, knownHosts } = options;
  const name = knownHostsName(host.address, host.port);
  const stored = knownHosts.lookup(name);
  let presented: PresentedKey | undefined;
  let refusal: DrydockError | undefined;

  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const finish = (err: Error | null, value?: { client: Client | null; key: PresentedKey }) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        client.end();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(new DrydockError('CANCELLED', `Connection to ${describe(host)} cancelled`));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    client.on('ready', () => {
      // Commands are small request/response exchanges: without this, Nagle's
      // algorithm and delayed ACKs cost ~40 ms per command (bench/ssh-bench.ts).
      client.setNoDelay(true);
      finish(null, { client, key: presented! });
    });
    client.on('error', (err: Error) => {
      if (mode === 'scan' && presented) return finish(null, { client: null, key: presented });
      // We asked only for the key types we trust; a host offering none of
      // them never shows a key at all. That is a changed key as far as trust
      // goes (rebuilt host or impostor), not a network failure.
      if (mode === 'verify' && stored.length && /no matching host key/i.test(err.message)) {
        const types = [...new Set(stored.map((k) => k.keyType))].join(', ');
        return finish(
          new DrydockError(
            'HOST_KEY_CHANGED',
            `Host key changed/unknown type for ${describe(host)}: it offers no ${types} key, the type Drydock trusts for it (stored ${stored.map((k) => k.fingerprint).join(', ')}). Possible man-in-the-middle attack, or the host was rebuilt. Nothing was run. Verify the new key on its console, then: drydock hosts forget-key ${host.name} && drydock hosts trust ${host.name}`,
            { host: host.name, stored: stored[0].fingerprint, unknownType: true },
          ),
        );
      }
      finish(refusal ?? mapError(err, host));
    });
    client.on('close', () => {
      if (mode === 'scan' && presented) return finish(null, { client: null, key: presented });
      finish(refusal ?? new DrydockError('CONNECT_FAILED', `${describe(host)} closed the connection during the handshake`));
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, answer) => {
      answer(prompts.map(() => options.secrets.password ?? ''));
    });

    let auth: Partial<ConnectConfig>;
    try {
      auth = mode === 'verify' ? authConfig(host, options.secrets) : {};
    } catch (err) {
      return finish(err as Error);
    }

    const algorithms = hostKeyAlgorithms(stored);
    try {
      client.connect({
        host: host.address,
        port: host.port,
        username: host.user,
        sock: options.sock,
        readyTimeout: options.timeoutMs ?? 20_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        // Ask for the key type we trust: a host with RSA and ed25519 keys
        // must not look "changed" just because it offered the other one. A
        // scan only prefers it, so a host that lost that key type still shows.
        ...(algorithms ? { algorithms: { serverHostKey: (mode === 'verify' ? algorithms : { prepend: algorithms }) as never } } : {}),
        ...auth,
        hostVerifier: (blob: Buffer) => {
          presented = { keyType: keyTypeOf(blob), key: blob.toString('base64'), fingerprint: fingerprintOf(blob) };
          if (mode === 'scan') return false;
          if (stored.some((k) => k.key === presented!.key)) return true;
          const revoked = knownHosts.revoked(name).some((k) => k.key === presented!.key);
          refusal = revoked
            ? new DrydockError('HOST_KEY_REVOKED', `${describe(host)} presents a key marked @revoked in ${knownHosts.file} (${presented.fingerprint}). Nothing was run.`, {
                host: host.name,
                presented: presented.fingerprint,
              })
            : stored.length
            ? new DrydockError(
                'HOST_KEY_CHANGED',
                `Host key changed for ${describe(host)}: possible man-in-the-middle attack. Stored ${stored.map((k) => k.fingerprint).join(', ')}, presented ${presented.fingerprint}. Nothing was run. If the host was rebuilt, verify the new key on its console and remove the old one.`,
                { host: host.name, stored: stored[0].fingerprint, presented: presented.fingerprint },
              )
            : new DrydockError('HOST_KEY_UNKNOWN', `The host key of ${describe(host)} is not trusted yet (${presented.fingerprint}). Confirm it first: drydock hosts trust ${host.name}`, {
                host: host.name,
                presented: presented.fingerprint,
              });
          return false;
        },
      });
    } catch (err) {
      finish(mapError(err as Error, host));
    }
  });
}
