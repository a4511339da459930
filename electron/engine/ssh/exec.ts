/**
 * Run one command on an open connection: exit code, output streamed to the
 * caller as it arrives, a timeout, cancellation, and sudo's password prompt
 * answered from memory without the password ever being logged.
 */
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { DrydockError } from '../../../shared/errors';

export interface ExecOptions {
  stdin?: string | Buffer;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Allocate a PTY (certbot's prompts, `Defaults requiretty`). Output then arrives merged on stdout. */
  pty?: boolean;
  /** Lets the caller talk to an interactive program while it runs. */
  onChannel?: (channel: ClientChannel) => void;
}

export interface CommandResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface SudoPrompt {
  /** Unique text sudo prints as its prompt (`sudo -p`), so we can answer it. */
  marker: string;
  password?: string;
  who: string;
}

export function newSudoMarker(): string {
  return `[drydock-sudo-${randomBytes(6).toString('hex')}]`;
}

const DEFAULT_TIMEOUT = 10 * 60_000;

export function execOnClient(client: Client, commandLine: string, options: ExecOptions = {}, sudo?: SudoPrompt): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let prompts = 0;
    let channel: ClientChannel | undefined;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;

    const finish = (err: Error | null, result?: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        try {
          channel?.signal('KILL');
        } catch {
          /* not every server honours signals */
        }
        channel?.close();
        reject(err);
      } else resolve(result!);
    };
    const timer = setTimeout(
      () => finish(new DrydockError('TIMEOUT', `Command did not finish within ${Math.round(timeoutMs / 1000)} s: ${commandLine.slice(0, 120)}`)),
      timeoutMs,
    );
    const onAbort = () => finish(new DrydockError('CANCELLED', 'Cancelled by the admin'));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // sudo's prompt may arrive split across packets; look at a small rolling window.
    let window = '';
    const answerSudo = (text: string): string => {
      if (!sudo) return text;
      window = (window + text).slice(-sudo.marker.length * 2);
      if (!text.includes(sudo.marker) && !window.includes(sudo.marker)) return text;
      window = '';
      prompts += 1;
      if (!sudo.password) {
        finish(new DrydockError('SUDO_FAILED', `sudo on ${sudo.who} asks for a password: give the sudo password (Credentials…, or DRYDOCK_SUDO_PASSWORD).`));
      } else if (prompts > 1) {
        finish(new DrydockError('SUDO_FAILED', `sudo on ${sudo.who} refused the password: check the sudo password.`));
      } else {
        channel?.write(sudo.password + '\n');
      }
      return text.split(sudo.marker).join('');
    };

    const execOptions = options.pty ? { pty: { term: 'dumb', cols: 200, rows: 50 } } : {};
    const lost = (why: string) => new DrydockError('CONNECT_FAILED', `The connection dropped ${why}: the command's outcome is unknown; check the host before retrying.`);
    try {
      startExec();
    } catch (err) {
      // ssh2 throws synchronously when the connection is already gone.
      finish(lost(`before the command started (${(err as Error).message})`));
    }

    function startExec() {
      client.exec(commandLine, execOptions, (err, ch) => {
        if (err) return finish(new DrydockError('CONNECT_FAILED', `Could not start the command: ${err.message}`));
        channel = ch;
        options.onChannel?.(ch);
        ch.on('data', (data: Buffer) => {
          const text = answerSudo(data.toString('utf8'));
          stdout += text;
          if (text) options.onStdout?.(text);
        });
        ch.stderr.on('data', (data: Buffer) => {
          const text = answerSudo(data.toString('utf8'));
          stderr += text;
          if (text) options.onStderr?.(text);
        });
        let code: number | null = null;
        let signal: string | undefined;
        ch.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s ?? undefined;
        });
        ch.on('close', () => {
          // No exit status and no signal: the channel closed under us.
          if (code === null && signal === undefined) return finish(lost('while the command ran'));
          finish(null, { code, signal, stdout, stderr });
        });
        if (options.stdin !== undefined) ch.end(options.stdin);
        else if (!sudo && !options.pty && !options.onChannel) ch.end();
      });
    }
  });
}
