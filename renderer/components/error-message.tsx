/**
 * An engine error as the admin should read it: what happened, in a sentence.
 * The code and any details are for a bug report or a colleague, so they sit
 * in a collapsed "Technical details" rather than in the message.
 */
import type { ErrorCode, ErrorPayload } from '../../shared/errors';

/** A sentence added where the engine's message alone does not say what to do. */
const NEXT_STEP: Partial<Record<ErrorCode, string>> = {
  INTERNAL: 'This is a fault in Drydock rather than on your hosts; the technical details below help a bug report.',
  TIMEOUT: 'The host took too long to answer; check that it is up and reachable, then try again.',
};

function detailText(details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  // Field errors are already shown beside their fields.
  const rest = Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'fields'));
  return Object.keys(rest).length ? JSON.stringify(rest, null, 2) : null;
}

export function ErrorMessage({ error, prefix }: { error: ErrorPayload; prefix?: string }) {
  const next = NEXT_STEP[error.code];
  const details = detailText(error.details);
  return (
    <div role="alert" className="message message--error">
      <p>
        {prefix && <strong>{prefix} </strong>}
        {error.message}
        {next && ` ${next}`}
      </p>
      <details className="message__details">
        <summary>Technical details</summary>
        <p>
          Error code <code>{error.code}</code>
        </p>
        {details && <pre className="message__details-data">{details}</pre>}
      </details>
    </div>
  );
}
