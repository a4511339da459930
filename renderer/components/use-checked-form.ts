/**
 * The behaviour every Drydock form shares: a field shows its problem once
 * the admin leaves it (all of them on submit), the engine's INVALID_INPUT
 * answer lands on the same fields, focus goes to the first bad one, and any
 * other failure is kept for the form to show.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { DrydockError, toErrorPayload, type ErrorPayload } from '../../shared/errors';

type Errors<F extends string> = Partial<Record<F, string>>;

export function useCheckedForm<F extends string>(localErrors: Errors<F>, fromDetails: (details: Record<string, unknown> | undefined) => Errors<F>) {
  const [touched, setTouched] = useState<Partial<Record<F, boolean>>>({});
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<Errors<F>>({});
  const [failure, setFailure] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusInvalid, setFocusInvalid] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (focusInvalid) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusInvalid]);

  return {
    formRef,
    failure,
    busy,
    errorOf: (field: F) => serverErrors[field] ?? (showAll || touched[field] ? localErrors[field] : undefined),
    /** The admin left the field: its problem may show now. */
    touch: (field: F) => setTouched((t) => ({ ...t, [field]: true })),
    /** The admin changed the field: the engine's old verdict on it no longer holds. */
    edited: (field: F) => setServerErrors((e) => ({ ...e, [field]: undefined })),
    /** Back to a pristine form (after a successful submit that clears it). */
    reset: () => {
      setTouched({});
      setShowAll(false);
    },
    /** The form's onSubmit: checks locally, then runs `action`, mapping its errors. */
    submit: (action: () => Promise<void>) => async (event: FormEvent) => {
      event.preventDefault();
      setFailure(null);
      if (Object.keys(localErrors).length) {
        setShowAll(true);
        setFocusInvalid((n) => n + 1);
        return;
      }
      setBusy(true);
      try {
        await action();
      } catch (err) {
        const fields = err instanceof DrydockError && err.code === 'INVALID_INPUT' ? fromDetails(err.details) : {};
        if (Object.keys(fields).length) {
          setServerErrors(fields);
          setFocusInvalid((n) => n + 1);
        } else {
          setFailure(toErrorPayload(err));
        }
      } finally {
        setBusy(false);
      }
    },
  };
}
