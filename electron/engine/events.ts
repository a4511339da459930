/**
 * The engine's own event stream: every run's progress and every audit
 * entry, whoever started them. Windows and browser tabs subscribe through
 * their transport, so a reloaded or second window sees runs it did not start.
 */
import type { DrydockEvent } from '../../shared/events';

export type EventListener = (event: DrydockEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: DrydockEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        /* a listener that fails (a closed window) must not stop a run */
      }
    }
  }
}
