/** A host key fingerprint: monospace, and one click selects all of it for copying. */
export function Fingerprint({ value, testId }: { value: string; testId?: string }) {
  return (
    <code className="fingerprint" data-testid={testId}>
      {value}
    </code>
  );
}
