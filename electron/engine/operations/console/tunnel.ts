/**
 * The management console through SSH: a loopback port on the laptop whose
 * every connection becomes an SSH `forwardOut` from the Services machine
 * (through its bastions, as the pool connects) to its own 8800 (or 443).
 *
 * Pinning. At open, the certificate the Services machine presents to itself
 * (openssl on the host) is the pin, and a handshake through the tunnel must
 * show the same certificate before the local port opens. Then, for every
 * new local connection, Drydock first does its own handshake through a fresh
 * channel and compares; only on a match does it open a second fresh channel
 * and pipe the browser's bytes through it, untouched (verify-then-pipe).
 * Why not inspect the browser's own handshake: with TLS 1.3 the certificate
 * travels encrypted, so a relay cannot read it. The residual window is the
 * few milliseconds between the check and the second channel, on a path that
 * just proved to reach the right server; the Electron window closes even that
 * by pinning in Chromium itself (shared/console/pin.ts).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { DrydockError } from '../../../../shared/errors';
import { formatFingerprint } from '../../../../shared/console/pin';
import type { EngineServices } from '../operation';
import { servicesHostName } from '../certs/services-host';
import { certificateOnHost, certificateThroughTunnel, forwardOut, type SeenCertificate } from './upstream';

export interface TunnelOptions {
  /** Inventory name of the Services machine (default: the only one). */
  services?: string;
  /** Port on the Services machine: 8800 (the console) or 443 (the app). */
  remotePort?: number;
  /**
   * The address the Services machine's sshd connects to, and openssl on the
   * host reads the pin from. Default 127.0.0.1: Replicated listens on every
   * interface, and loopback needs no firewall or security-group opening.
   */
  remoteAddress?: string;
  /** Loopback port on this machine; 0 = any free one. */
  localPort?: number;
  localHost?: string;
}

export interface TunnelState {
  services: string;
  remote: string;
  url: string;
  localPort: number;
  fingerprint: string;
  certificate: SeenCertificate;
  open: boolean;
  connections: number;
  active: number;
  refused: number;
  lastRefusal?: string;
}

export class ConsoleTunnel extends EventEmitter {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private stats = { connections: 0, active: 0, refused: 0, lastRefusal: undefined as string | undefined };
  private pin?: SeenCertificate;
  private services = '';
  private localPort = 0;

  private constructor(
    private readonly deps: Pick<EngineServices, 'pool' | 'inventory' | 'audit'>,
    private readonly options: Required<Omit<TunnelOptions, 'services'>> & { services?: string },
  ) {
    super();
  }

  static async open(deps: Pick<EngineServices, 'pool' | 'inventory' | 'audit'>, options: TunnelOptions = {}): Promise<ConsoleTunnel> {
    const tunnel = new ConsoleTunnel(deps, {
      remotePort: options.remotePort ?? 8800,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      localPort: options.localPort ?? 0,
      localHost: options.localHost ?? '127.0.0.1',
      services: options.services,
    });
    await tunnel.start();
    return tunnel;
  }

  private get remote(): string {
    return `${this.options.remoteAddress}:${this.options.remotePort}`;
  }

  private async start(): Promise<void> {
    this.services = servicesHostName(this.deps, this.options.services);
    const session = await this.deps.pool.session(this.services);
    const onHost = await certificateOnHost(session, this.options.remoteAddress, this.options.remotePort);
    const through = await certificateThroughTunnel(session, this.options.remoteAddress, this.options.remotePort);
    if (through.sha256 !== onHost.sha256) {
      throw new DrydockError(
        'CONFLICT',
        `The certificate arriving through the tunnel (${formatFingerprint(through.sha256)}, ${through.subject}) is not the one ${this.services} presents to itself on ${this.remote} (${formatFingerprint(onHost.sha256)}). Something between is answering instead: the tunnel was not opened.`,
      );
    }
    this.pin = onHost;
    this.server = net.createServer((socket) => void this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (err: NodeJS.ErrnoException) =>
        reject(new DrydockError(err.code === 'EADDRINUSE' ? 'INVALID_INPUT' : 'INTERNAL', `Cannot listen on ${this.options.localHost}:${this.options.localPort}: ${err.message}`)),
      );
      this.server!.listen(this.options.localPort, this.options.localHost, () => resolve());
    });
    this.localPort = (this.server.address() as net.AddressInfo).port;
    this.deps.audit.append({ host: this.services, fingerprint: session.fingerprint, kind: 'command', command: `console tunnel ${this.options.localHost}:${this.localPort} -> ${this.remote} (certificate SHA-256 ${formatFingerprint(onHost.sha256)})`, exitCode: 0, durationMs: 0 });
  }

  private async accept(local: net.Socket): Promise<void> {
    local.pause();
    this.sockets.add(local);
    local.on('close', () => this.sockets.delete(local));
    local.on('error', () => undefined);
    this.stats.connections++;
    try {
      const session = await this.deps.pool.session(this.services);
      const seen = await certificateThroughTunnel(session, this.options.remoteAddress, this.options.remotePort);
      if (seen.sha256 !== this.pin!.sha256) {
        this.refuse(local, `certificate ${formatFingerprint(seen.sha256)} (${seen.subject}) arrived instead of the pinned ${formatFingerprint(this.pin!.sha256)}`);
        return;
      }
      if (local.destroyed) return;
      const upstream = await forwardOut(session, this.options.remoteAddress, this.options.remotePort);
      // The browser may have given up while the channel opened: nothing to carry.
      if (local.destroyed) return void upstream.destroy();
      this.stats.active++;
      this.emitState();
      const finish = () => {
        local.destroy();
        upstream.destroy();
      };
      upstream.once('close', finish);
      local.once('close', () => {
        finish();
        this.stats.active--;
        this.emitState();
      });
      upstream.on('error', finish);
      local.pipe(upstream);
      upstream.pipe(local);
      local.resume();
    } catch (err) {
      this.refuse(local, (err as Error).message);
    }
  }

  private refuse(local: net.Socket, why: string): void {
    // Not one byte of the browser's went anywhere: drop the connection.
    local.destroy();
    this.stats.refused++;
    this.stats.lastRefusal = why;
    this.emit('refused', why);
    this.emitState();
  }

  private emitState(): void {
    this.emit('state', this.state());
  }

  state(): TunnelState {
    return {
      services: this.services,
      remote: this.remote,
      url: `https://${this.options.localHost}:${this.localPort}/`,
      localPort: this.localPort,
      fingerprint: formatFingerprint(this.pin?.sha256 ?? ''),
      certificate: this.pin!,
      open: !!this.server?.listening,
      ...this.stats,
    };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.emitState();
  }
}
