/**
 * A pause in a polling loop (a volume becoming available, the app starting)
 * that the admin's Stop ends at once with CANCELLED. The abort listener is
 * removed when the timer fires, or a long wait piles them up.
 */
import { DrydockError } from '../../shared/errors';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DrydockError('CANCELLED', 'Cancelled by the admin'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DrydockError('CANCELLED', 'Cancelled by the admin'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
