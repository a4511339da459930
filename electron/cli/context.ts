/**
 * What every CLI command gets: the engine, the same handlers the GUI calls
 * (so the CLI goes through the contract, not around it), and output helpers.
 */
import { parseArgs } from 'node:util';
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract';
import { DrydockError, fromErrorPayload, type ErrorCode } from '../../shared/errors';
import type { DrydockEvent } from '../../shared/events';
import { dispatch } from '../engine/api/dispatch';
import { createHandlers } from '../engine/api/handlers';
import type { Handlers } from '../engine/api/types';
import { createEngine, type Engine } from '../engine/engine';

/** Documented in README: scripts branch on these. */
export const EXIT = { ok: 0, failed: 1, usage: 2, needsConfirmation: 3, hostKey: 4, unhealthy: 5 } as const;

export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function exitCodeFor(code: ErrorCode): number {
  if (code === 'INVALID_INPUT') return EXIT.usage;
  if (code === 'CONFIRMATION_REQUIRED') return EXIT.needsConfirmation;
  if (code === 'HOST_KEY_CHANGED' || code === 'HOST_KEY_UNKNOWN' || code === 'HOST_KEY_MISMATCH' || code === 'HOST_KEY_REVOKED') return EXIT.hostKey;
  return EXIT.failed;
}

export interface CliContext {
  engine: Engine;
  handlers: Handlers;
  json: boolean;
  isTTY: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Call a channel exactly as the GUI does, printing step progress to stderr. */
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  ask(question: string): Promise<string>;
}

const MARKS: Record<string, string> = { running: '…', done: '✓', skipped: '=', failed: '✗', pending: ' ', undone: '↺' };

export function printEvent(event: DrydockEvent, err: (line: string) => void): void {
  if (event.type === 'step' && event.status !== 'pending') {
    err(`  ${MARKS[event.status]} ${event.title}${event.message ? ` — ${event.message}` : ''}`);
  }
}

export function createCliContext(options: { json: boolean; quiet?: boolean; ask: (q: string) => Promise<string> }): CliContext {
  const engine = createEngine();
  const handlers = createHandlers(engine, 'electron');
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');
  return {
    engine,
    handlers,
    json: options.json,
    isTTY: !!process.stdin.isTTY && !!process.stdout.isTTY,
    out,
    err,
    ask: options.ask,
    async call(channel, request) {
      const emit = (event: DrydockEvent) => {
        if (!options.quiet) printEvent(event, err);
      };
      const result = await dispatch(handlers, channel, request, { emit });
      if (!result.ok) throw fromErrorPayload(result.error);
      return result.value as never;
    },
  };
}

/** A mistake in the command line itself (not in what the engine was asked): answered with the command's usage. */
export class UsageError extends DrydockError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** For subcommands that take no options or arguments: anything given is a usage mistake, not ignored. */
export function noArguments(argv: string[]): void {
  parseArgs({ args: argv, options: {}, allowPositionals: false, strict: true });
}

export function usage(message: string): never {
  throw new UsageError(message);
}
