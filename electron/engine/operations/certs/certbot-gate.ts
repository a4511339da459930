/**
 * Where a certbot run waits for the admin. certbot shows its TXT records and
 * blocks on "Press Enter to Continue"; the run parks here with those records
 * until a front end says the records are published (`continue`) or gives up
 * (`cancel`). The GUI's certs:certbot-start answers as soon as a run parks;
 * certs:certbot-continue releases it and waits for the certificate. The CLI
 * drives the same two calls. In memory only: certbot's prompt lives in one
 * SSH session of this process, so there is nothing to resume elsewhere.
 */
import { EventEmitter } from 'node:events';
import type { TxtRecord } from '../../../../shared/certs/certbot-output';
import { DrydockError } from '../../../../shared/errors';

interface Parked {
  records: TxtRecord[];
  services: string;
  release(): void;
}

interface Tracked {
  done: Promise<unknown>;
  cancel(): void;
}

/** How long certbot may wait for DNS before Drydock gives up on it (DNS can be slow, admins get lunch). */
export const CERTBOT_WAIT_MS = 3 * 60 * 60_000;

class CertbotGate {
  private readonly parked = new Map<string, Parked>();
  private readonly runs = new Map<string, Tracked>();
  private readonly events = new EventEmitter();

  /** Called by the operation: resolves when the admin continues. */
  park(runId: string, services: string, records: TxtRecord[], signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new DrydockError('TIMEOUT', 'Nobody continued certbot within 3 hours; it was stopped. Start again when the DNS records are ready.')), CERTBOT_WAIT_MS);
      const onAbort = () => finish(new DrydockError('CANCELLED', 'certbot was cancelled by the admin'));
      const finish = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.parked.delete(runId);
        if (err) reject(err);
        else resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.parked.set(runId, { records, services, release: () => finish() });
      this.events.emit('parked', runId);
    });
  }

  /** Called by a handler that started the run: the run's promise and how to stop it. */
  track(runId: string, run: Tracked): void {
    this.runs.set(runId, run);
    run.done.finally(() => this.runs.delete(runId)).catch(() => undefined);
  }

  waiting(runId: string): Parked | undefined {
    return this.parked.get(runId);
  }

  /** Resolves with the records once the run parks; rejects if the run ends first. */
  whenParked(runId: () => string | undefined, done: Promise<unknown>): Promise<TxtRecord[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const id = runId();
        const parked = id ? this.parked.get(id) : undefined;
        if (!parked) return;
        this.events.off('parked', check);
        resolve(parked.records);
      };
      this.events.on('parked', check);
      check(); // in case the run parked before anyone asked
      done.then(
        () => {
          this.events.off('parked', check);
          reject(new DrydockError('COMMAND_FAILED', 'certbot finished without asking for a DNS record (was a valid authorization reused?)'));
        },
        (err) => {
          this.events.off('parked', check);
          reject(err);
        },
      );
    });
  }

  /** Press Enter for certbot and wait for the run to finish. */
  async release(runId: string): Promise<unknown> {
    const parked = this.parked.get(runId);
    const run = this.runs.get(runId);
    if (!parked || !run) throw new DrydockError('NOT_FOUND', `No certbot run ${runId} is waiting for DNS records (it ended, or Drydock was restarted: start again).`);
    parked.release();
    return run.done;
  }

  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run) return false;
    run.cancel();
    return true;
  }
}

export const certbotGate = new CertbotGate();
