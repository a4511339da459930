/**
 * A labelled form control with its hint and its error beside it. The error
 * is tied to the control (aria-describedby, aria-invalid), so a screen
 * reader announces it with the field, not somewhere else on the page.
 */
import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

interface FieldProps {
  label: string;
  /** "(optional)" is added to the label when set. */
  optional?: boolean;
  hint?: ReactNode;
  /** Not wrong, but worth a second look (a name other than the configured one). */
  warning?: ReactNode;
  error?: string;
  children(control: ControlProps): ReactNode;
}

export function Field({ label, optional, hint, warning, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const warningId = `${id}-warning`;
  const describedBy = [error ? errorId : '', warning ? warningId : '', hint ? hintId : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id} className="field__label">
        {label}
        {optional && <span className="field__optional"> (optional)</span>}
      </label>
      {children({ id, ...(error ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
      {warning && (
        <div id={warningId} className="field__warning">
          {warning}
        </div>
      )}
    </div>
  );
}
