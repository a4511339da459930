/**
 * A trusted, logged-in connection to one inventory host. Everything an
 * operation does remotely goes through here, so every command and file
 * change lands in the audit log with the host-key fingerprint it ran under.
 */
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Host } from '../../../shared/hosts';
import { DrydockError } from '../../../shared/errors';
import type { AuditLog } from '../audit/audit-log';
import { redact } from '../audit/redact';
import type { HostSecrets } from './credentials';
import { execOnClient, newSudoMarker, type CommandResult, type ExecOptions } from './exec';
import { quote } from './quote';
import { getFile, openSftp, putFile, readRemote, writeRemote, type Progress } from './sftp';

export interface RunOptions extends ExecOptions {
  /** Literals to keep out of the audit log (besides the session's own secrets). */
  secrets?: string[];
}

/** A running command whose stdin/stdout carry bytes (see HostSession.openStream). */
export interface ByteStream {
  /** Writable side: the command's stdin; readable side: its stdout. */
  channel: ClientChannel;
  /** Its exit, with what it said on stderr (text). */
  done: Promise<CommandResult>;
}

export class HostSession {
  private sftpChannel?: Promise<SFTPWrapper>;

  constructor(
    readonly host: Host,
    readonly client: Client,
    readonly fingerprint: string,
    private readonly audit: AuditLog,
    private readonly secrets: () => HostSecrets,
  ) {}

  get isRoot(): boolean {
    return this.host.user === 'root';
  }

  private auditSecrets(extra: string[] = []): string[] {
    return [...Object.values(this.secrets()).filter((v): v is string => !!v), ...extra];
  }

  private record(kind: 'command' | 'file', command: string, exitCode: number | null, started: number, secrets?: string[]) {
    this.audit.append(
      { host: this.host.name, fingerprint: this.fingerprint, kind, command, exitCode, durationMs: Date.now() - started },
      this.auditSecrets(secrets),
    );
  }

  /** Run as the login user. A non-zero exit is a result, not an exception. */
  async run(commandLine: string, options: RunOptions = {}): Promise<CommandResult> {
    const started = Date.now();
    try {
      const result = await execOnClient(this.client, commandLine, options);
      this.record('command', commandLine, result.code, started, options.secrets);
      return result;
    } catch (err) {
      this.record('command', commandLine, null, started, options.secrets);
      throw this.scrub(err, options.secrets);
    }
  }

  /**
   * Errors end up in runbooks on disk and in progress events: they get the
   * same redaction as the audit log.
   */
  private scrub(err: unknown, secrets?: string[]): unknown {
    if (!(err instanceof DrydockError)) return err;
    const message = redact(err.message, this.auditSecrets(secrets));
    return message === err.message ? err : new DrydockError(err.code, message, err.details);
  }

  /**
   * Run as root: directly when we log in as root, else through `sudo -S` with
   * a one-off prompt marker answered from the session's sudo password (only
   * when sudo prints that marker, so the password never reaches the program).
   * A non-interactive command gets /dev/null as stdin so it cannot hang on a
   * read; an interactive one (PTY or `onChannel`) keeps the channel as stdin.
   */
  async sudo(commandLine: string, options: RunOptions = {}): Promise<CommandResult> {
    if (this.isRoot) return this.run(commandLine, options);
    if (options.stdin !== undefined) throw new DrydockError('INTERNAL', 'sudo commands take no stdin: upload a file instead');
    const marker = newSudoMarker();
    const interactive = !!(options.pty || options.onChannel);
    const wrapped = `sudo -S -p ${quote(marker)} -- sh -c ${quote(interactive ? commandLine : `exec </dev/null; ${commandLine}`)}`;
    const started = Date.now();
    const who = `${this.host.name} (${this.host.user})`;
    const sudoPrompt = { marker, password: this.secrets().sudoPassword, who };
    let exitCode: number | null = null;
    try {
      let result = await execOnClient(this.client, wrapped, options, sudoPrompt);
      if (result.code !== 0 && /must have a tty/i.test(result.stderr + result.stdout)) {
        // `Defaults requiretty`: same command on a PTY, where sudo is content.
        result = await execOnClient(this.client, wrapped, { ...options, pty: true }, sudoPrompt);
      }
      exitCode = result.code;
      if (result.code !== 0 && /not in the sudoers file|is not allowed to run sudo/i.test(result.stderr + result.stdout)) {
        throw new DrydockError('SUDO_FAILED', `${this.host.user} may not use sudo on ${this.host.name}: ${result.stderr.trim()}`);
      }
      return result;
    } catch (err) {
      throw this.scrub(err, options.secrets);
    } finally {
      // One audit entry per command, whatever happened (null: it never finished).
      this.record('command', `sudo ${commandLine}`, exitCode, started, options.secrets);
    }
  }

  /**
   * Run (as root if asked) and insist on exit 0; the error names the host and
   * what it said. `shown` is the command as the admin knows it ("systemctl
   * stop replicated-ui") when the line run is a portable wrapper around it.
   */
  async check(commandLine: string, options: RunOptions & { asRoot?: boolean; shown?: string } = {}): Promise<string> {
    const result = options.asRoot ? await this.sudo(commandLine, options) : await this.run(commandLine, options);
    if (result.code !== 0) {
      const said = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
      const message = `${this.host.name}: \`${(options.shown ?? commandLine).slice(0, 200)}\` exited ${result.code}${said ? `: ${said}` : ''}`;
      throw new DrydockError('COMMAND_FAILED', redact(message, this.auditSecrets(options.secrets)), {
        host: this.host.name,
        exitCode: result.code,
      });
    }
    return result.stdout;
  }

  /**
   * A command whose stdin or stdout is a byte stream (a disk image copied
   * between two hosts through this laptop). Resolves once the command itself
   * runs: as root through sudo, the command first says so on stderr after
   * sudo has taken its password, so no byte of the stream is ever read as a
   * password and no password byte reaches the command.
   */
  async openStream(commandLine: string, options: { asRoot?: boolean; signal?: AbortSignal } = {}): Promise<ByteStream> {
    const ready = `[drydock-ready-${randomBytes(6).toString('hex')}]`;
    const inner = `printf '%s\\n' ${quote(ready)} >&2; ${commandLine}`;
    const viaSudo = !!options.asRoot && !this.isRoot;
    const marker = newSudoMarker();
    const wrapped = viaSudo ? `sudo -S -p ${quote(marker)} -- sh -c ${quote(inner)}` : `sh -c ${quote(inner)}`;
    const shown = viaSudo ? `sudo ${commandLine}` : commandLine;
    const started = Date.now();
    return new Promise<ByteStream>((resolveStarted, rejectStarted) => {
      this.client.exec(wrapped, (err, channel) => {
        if (err) return rejectStarted(new DrydockError('CONNECT_FAILED', `${this.host.name}: could not start \`${shown.slice(0, 120)}\`: ${err.message}`));
        let stderr = '';
        let isReady = false;
        let prompts = 0;
        let code: number | null = null;
        let sig: string | undefined;
        const kill = () => {
          try {
            channel.signal('KILL');
          } catch {
            /* not every server honours signals */
          }
          channel.close();
        };
        const onAbort = () => kill();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        channel.stderr.on('data', (data: Buffer) => {
          let text = data.toString('utf8');
          if (!isReady && viaSudo && text.includes(marker)) {
            text = text.split(marker).join('');
            prompts += 1;
            const password = this.secrets().sudoPassword;
            if (!password || prompts > 1) {
              kill();
              rejectStarted(new DrydockError('SUDO_FAILED', `sudo on ${this.host.name} (${this.host.user}) ${password ? 'refused the password' : 'asks for a password'}: check the sudo password.`));
            } else channel.write(password + '\n');
          }
          if (!isReady && text.includes(ready)) {
            isReady = true;
            text = text.slice(text.indexOf(ready) + ready.length).replace(/^\n/, '');
            resolveStarted({ channel, done });
          }
          if (isReady) stderr += text;
        });
        channel.on('exit', (c: number | null, s?: string) => {
          code = c;
          sig = s ?? undefined;
        });
        // Settled when the server closes the channel: its stderr ends then. The channel's own 'close' may never come
        // while writes are queued for a window the server will not open again (a writer killed mid-copy); a cancel
        // settles at once.
        const done = new Promise<CommandResult>((resolve, reject) => {
          let settled = false;
          const settle = () => {
            if (settled) return;
            settled = true;
            this.client.removeListener('close', settle);
            options.signal?.removeEventListener('abort', onAbort);
            this.record('command', shown, code, started);
            if (!isReady) rejectStarted(new DrydockError('COMMAND_FAILED', `${this.host.name}: \`${shown.slice(0, 120)}\` did not start (exit ${code}): ${stderr.trim()}`));
            if (options.signal?.aborted) return reject(new DrydockError('CANCELLED', 'Cancelled by the admin'));
            if (code === null && sig === undefined) return reject(new DrydockError('CONNECT_FAILED', `The connection to ${this.host.name} dropped while \`${shown.slice(0, 120)}\` ran`));
            resolve({ code, ...(sig ? { signal: sig } : {}), stdout: '', stderr: redact(stderr, this.auditSecrets()) });
          };
          let exited = false;
          let stderrEnded = false;
          channel.on('exit', () => {
            exited = true;
            if (stderrEnded) settle();
          });
          channel.stderr.on('end', () => {
            stderrEnded = true;
            if (exited) settle();
          });
          channel.on('close', settle);
          this.client.once('close', settle);
          options.signal?.addEventListener('abort', settle, { once: true });
        });
        done.catch(() => undefined);
      });
    });
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= openSftp(this.client).catch((err) => {
      this.sftpChannel = undefined;
      throw err;
    });
    return this.sftpChannel;
  }

  async put(local: string, remote: string, onProgress?: Progress): Promise<void> {
    const started = Date.now();
    try {
      await putFile(await this.sftp(), local, remote, onProgress);
      this.record('file', `put ${remote}`, 0, started);
    } catch (err) {
      this.record('file', `put ${remote}`, null, started);
      throw err;
    }
  }

  async get(remote: string, local: string, onProgress?: Progress): Promise<void> {
    const started = Date.now();
    await getFile(await this.sftp(), remote, local, onProgress);
    this.record('file', `get ${remote}`, 0, started);
  }

  /** Read a file the login user can read; null when absent. Reads are not audited. */
  async readFile(remote: string): Promise<Buffer | null> {
    return readRemote(await this.sftp(), remote);
  }

  async writeFile(remote: string, data: Buffer | string, mode = 0o600): Promise<void> {
    const started = Date.now();
    await writeRemote(await this.sftp(), remote, data, mode);
    this.record('file', `write ${remote}`, 0, started);
  }

  close(): void {
    this.client.end();
  }
}
