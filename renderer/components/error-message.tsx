/** An engine error as the admin should read it: what happened and its code. */
import type { ErrorPayload } from '../../shared/errors';

export function ErrorMessage({ error, prefix }: { error: ErrorPayload; prefix?: string }) {
  return (
    <div role="alert" className="message message--error">
      <p>
        {prefix && <strong>{prefix} </strong>}
        {error.message}
      </p>
      <p className="message__code">Error code {error.code}</p>
    </div>
  );
}
