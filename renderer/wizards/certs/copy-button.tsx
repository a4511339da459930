/**
 * Copy a value (a TXT record's name or value) to the clipboard, saying so in
 * a live region. Where the clipboard is refused, the text is selected so
 * Ctrl+C still works.
 */
import { useState } from 'react';

export function CopyButton({ value, label, targetId }: { value: string; label: string; targetId: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      const target = document.getElementById(targetId);
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('select');
    }
  };
  return (
    <>
      <button type="button" className="button button--small" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span role="status" className="cert-copy__status">
        {state === 'copied' ? 'Copied' : state === 'select' ? 'Selected: press Ctrl+C' : ''}
      </span>
    </>
  );
}
