/** Ask before doing something that cannot be taken back; Cancel has the focus. */
import { useState, type ReactNode } from 'react';
import { toErrorPayload, type ErrorPayload } from '../../shared/errors';
import { Dialog } from './dialog';
import { ErrorMessage } from './error-message';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Runs the action; the dialog stays open, showing the error, if it throws. */
  onConfirm(): Promise<void>;
  onClose(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(toErrorPayload(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} tone="danger">
      {children}
      {error && <ErrorMessage error={error} />}
      <div className="actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button--danger" onClick={() => void confirm()} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
