/**
 * Errors that cross the IPC boundary. Each carries a code the UI can branch on
 * (a changed host key is shown in red, not as a generic failure) and a message
 * that says what the admin should do next.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_KEY_MISMATCH',
  'HOST_KEY_REVOKED',
  'AUTH_FAILED',
  'SUDO_FAILED',
  'CONNECT_FAILED',
  'TIMEOUT',
  'CANCELLED',
  'COMMAND_FAILED',
  'CONFLICT',
  /** A disruptive action the admin has not confirmed: nothing was done. */
  'CONFIRMATION_REQUIRED',
  /** The provider or host cannot do this (a libvirt interface nwfilter does not see): the plan offers another way. */
  'UNSUPPORTED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class DrydockError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DrydockError';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Anything thrown becomes a payload; unknown errors keep their message. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof DrydockError) return err.toPayload();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err && ERROR_CODES.includes((err as ErrorPayload).code)) {
    // Copy the fields: an Error's message is not enumerable and would vanish in JSON.
    const { code, message, details } = err as ErrorPayload;
    return { code, message: String(message), ...(details ? { details } : {}) };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function fromErrorPayload(payload: ErrorPayload): DrydockError {
  return new DrydockError(payload.code, payload.message, payload.details);
}
