/**
 * The remote output of an install run (install.sh, dpkg) as it streams in:
 * only the output of runs of the given operation, the newest 64 KiB, in a
 * scrollable, focusable log that follows the end while the admin has not
 * scrolled up.
 */
import { useEffect, useRef, useState } from 'react';
import { onEvent } from '../../api';

const KEEP = 64 * 1024;

export function InstallLog({ operation, label }: { operation: string; label: string }) {
  const [text, setText] = useState('');
  const runs = useRef(new Set<string>());
  const box = useRef<HTMLPreElement>(null);

  useEffect(
    () =>
      onEvent((event) => {
        if (event.type === 'step' && event.operation === operation) runs.current.add(event.runId);
        if (event.type === 'output' && runs.current.has(event.runId)) {
          setText((t) => (t + event.text.replace(/^(?=.)/gm, `${event.host}| `)).slice(-KEEP));
        }
      }),
    [operation],
  );

  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);

  if (!text) return null;
  return (
    <pre ref={box} className="install-log" tabIndex={0} aria-label={label} aria-live="off" data-testid={`install-log-${operation}`}>
      {text}
    </pre>
  );
}
